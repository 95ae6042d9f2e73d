// The store contract: what every Store implementation must do, run against
// each one (SQLite, and PostgreSQL on the tests' server: test_database.hpp).
// Each test gets a fresh, empty store; `second()` opens another instance on
// the same data, as another process (the admin command line, another node) would.
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"
#include "test_database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <thread>

using namespace gatewatch::store;
namespace fs = std::filesystem;

namespace {

// Where a test's data lives: a directory (SQLite) or a database (PostgreSQL).
struct Place {
    fs::path dir;
    std::string url;
};

struct Backend {
    std::string name;
    bool needs_database = false;
    std::function<std::unique_ptr<Store>(const Place& place)> open;
};

void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }  // names, not bytes, in test lists

const Backend k_sqlite{"sqlite", false,
                       [](const Place& p) { return std::make_unique<SqliteStore>(p.dir / "test.db"); }};
const Backend k_postgresql{"postgresql", true, [](const Place& p) { return std::make_unique<PgStore>(p.url); }};

class StoreContract : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam().needs_database) {
            database_ = std::make_unique<TestDatabase>();
            if (database_->url.empty()) GTEST_SKIP() << "GATEWATCH_TEST_POSTGRES is not set (ctest sets it)";
        }
        store_ = open();
    }
    std::unique_ptr<Store> open() { return GetParam().open({dir_.path, database_ ? database_->url : ""}); }
    Store& store() { return *store_; }
    std::unique_ptr<Store> second() { return open(); }
    void reopen() {
        store_.reset();
        store_ = open();
    }
    static Device device(std::string ip, std::optional<std::int64_t> room = std::nullopt) {
        Device d;
        d.name = "dev-" + ip;
        d.ip = std::move(ip);
        d.room_id = room;
        return d;
    }
    User user(const std::string& name, Role role = Role::viewer) {
        return store().create_user({name, "hash-of-" + name}, [=](bool) { return role; });
    }
    std::vector<Change> changes_after(std::uint64_t seq) {
        auto changes = store().changes_after(seq, 1000);
        EXPECT_TRUE(changes);
        return changes.value_or(std::vector<Change>{});
    }

    TempDir dir_;
    std::unique_ptr<TestDatabase> database_;
    std::unique_ptr<Store> store_;
};

}  // namespace

TEST_P(StoreContract, TheRoleIsChosenKnowingWhetherTheAccountIsTheFirst) {
    std::vector<bool> firsts;
    const auto choose = [&](bool first) {
        firsts.push_back(first);
        return first ? Role::admin : Role::viewer;
    };
    EXPECT_EQ(store().create_user({"alice", "h1"}, choose).role, Role::admin);
    EXPECT_EQ(store().create_user({"bob", "h2"}, choose).role, Role::viewer);
    EXPECT_EQ(firsts, (std::vector<bool>{true, false}));
}

TEST_P(StoreContract, UsernamesAreUniqueWithoutRegardToCaseAndKeptAsTyped) {
    user("Alice");
    EXPECT_THROW(user("aLICE"), UniqueViolation);
    const auto found = store().find_user("ALICE");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->username, "Alice");
}

TEST_P(StoreContract, PasswordsRevocationAndDelete) {
    const auto alice = user("alice");
    EXPECT_EQ(alice.token_generation, 0);
    EXPECT_TRUE(store().set_password_hash("alice", "hash-of-alice", "new"));
    EXPECT_EQ(store().find_user("alice")->password_hash, "new");
    EXPECT_EQ(store().find_user("alice")->token_generation, 0) << "a rehash revokes nothing";
    EXPECT_FALSE(store().set_password_hash("alice", "hash-of-alice", "stale")) << "only over the hash it replaces";
    EXPECT_EQ(store().find_user("alice")->password_hash, "new");
    EXPECT_TRUE(store().revoke_tokens("ALICE", std::string("newer")));
    EXPECT_EQ(store().find_user("alice")->password_hash, "newer");
    EXPECT_TRUE(store().revoke_tokens("alice", std::nullopt));
    EXPECT_EQ(store().find_user("alice")->token_generation, 2) << "every revocation moves it on";
    EXPECT_EQ(store().find_user("alice")->password_hash, "newer");
    EXPECT_FALSE(store().set_password_hash("nobody", "x", "y"));
    EXPECT_FALSE(store().revoke_tokens("nobody", std::nullopt));
    EXPECT_TRUE(store().delete_user("alice"));
    EXPECT_FALSE(store().find_user("alice"));
    EXPECT_FALSE(store().delete_user("alice"));
    EXPECT_GT(user("alice").id, alice.id) << "a re-created name is another account";
}

TEST_P(StoreContract, RoomsAreEditedInPlace) {
    const auto room = store().create_room({0, "Lab", "first floor"});
    EXPECT_GT(room.id, 0);
    auto updated = store().update_room(room.id, [](Room& r) { r.description.reset(); });
    ASSERT_TRUE(updated);
    EXPECT_EQ(updated->name, "Lab");
    EXPECT_EQ(updated->description, std::nullopt);
    updated = store().update_room(room.id, [](Room& r) {
        r.name = "Server room";
        r.id = 12345;  // ignored: a room keeps its id
    });
    EXPECT_EQ(updated->id, room.id);
    EXPECT_EQ(store().find_room(room.id)->name, "Server room");
    bool called = false;
    EXPECT_FALSE(store().update_room(room.id + 100, [&](Room&) { called = true; }));
    EXPECT_FALSE(called);
    EXPECT_EQ(store().list_rooms().size(), 1u);
    EXPECT_TRUE(store().delete_room(room.id));
    EXPECT_FALSE(store().delete_room(room.id));
    EXPECT_FALSE(store().find_room(room.id));
}

TEST_P(StoreContract, RoomWithDevicesCannotBeDeleted) {
    const auto room = store().create_room({0, "Lab", std::nullopt});
    const auto d = store().create_device(device("127.0.0.9", room.id));
    EXPECT_THROW(store().delete_room(room.id), RoomNotEmpty);
    EXPECT_TRUE(store().find_room(room.id));
    EXPECT_EQ(store().delete_device(d.id)->ip, "127.0.0.9");
    EXPECT_FALSE(store().delete_device(d.id));
    EXPECT_TRUE(store().delete_room(room.id));
}

TEST_P(StoreContract, DeviceIpIsUniqueAndRoomMustExist) {
    store().create_device(device("127.0.0.1"));
    EXPECT_THROW(store().create_device(device("127.0.0.1")), UniqueViolation);
    EXPECT_THROW(store().create_device(device("127.0.0.2", 42)), NotFound);
    EXPECT_EQ(store().list_devices(std::nullopt).size(), 1u);
}

TEST_P(StoreContract, LocationsAndQuorumAreKeptAsWritten) {
    auto& s = store();
    Device d;
    d.name = d.ip = "127.11.0.1";
    d.locations = std::vector<std::string>{"west", "east.2"};  // in the order given
    d.quorum = 2;
    const auto id = s.create_device(d).id;
    auto read = s.find_device(id);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->locations, d.locations);
    EXPECT_EQ(read->quorum, 2);
    s.update_device(id, [](Device& x) {
        x.locations.reset();
        x.quorum = 1;
    });
    read = s.find_device(id);
    EXPECT_FALSE(read->locations);
    EXPECT_EQ(read->quorum, 1);
    const auto listed = s.list_devices(std::nullopt);
    EXPECT_TRUE(std::any_of(listed.begin(), listed.end(), [&](const Device& x) { return x.id == id && !x.locations; }));
}

TEST_P(StoreContract, ParentsMustExistAndNeverFormACycle) {
    auto& s = store();
    const auto add = [&](const char* ip, std::optional<std::int64_t> parent) {
        Device d{0, ip, ip, std::nullopt, true, {}, parent, std::nullopt, 1};
        return s.create_device(d);
    };
    const auto gateway = add("127.10.0.1", std::nullopt);
    const auto sw = add("127.10.0.2", gateway.id);
    const auto printer = add("127.10.0.3", sw.id);
    EXPECT_EQ(s.find_device(printer.id)->parent_id, sw.id);
    EXPECT_THROW(add("127.10.0.4", 999'999), NotFound);
    EXPECT_THROW(add("127.10.0.4", 0), NotFound);  // no device has id 0 (not "itself": it has no id yet)
    EXPECT_EQ(s.list_devices(std::nullopt).size(), 3u);
    const auto set_parent = [&](std::int64_t id, std::optional<std::int64_t> parent) {
        return s.update_device(id, [&](Device& d) { d.parent_id = parent; });
    };
    EXPECT_THROW(set_parent(gateway.id, gateway.id), DependencyCycle);
    EXPECT_THROW(set_parent(gateway.id, printer.id), DependencyCycle);  // printer is behind the gateway
    EXPECT_THROW(set_parent(sw.id, 999'999), NotFound);
    EXPECT_EQ(s.find_device(gateway.id)->parent_id, std::nullopt);
    EXPECT_EQ(set_parent(printer.id, gateway.id)->parent_id, gateway.id);  // moving within the tree is fine
    // Deleting a parent leaves the devices behind it without one.
    ASSERT_TRUE(s.delete_device(gateway.id));
    EXPECT_EQ(s.find_device(sw.id)->parent_id, std::nullopt);
    EXPECT_EQ(s.find_device(printer.id)->parent_id, std::nullopt);
}

TEST_P(StoreContract, AFailedEditLeavesNothingBehind) {
    const auto room = store().create_room({0, "Lab", std::nullopt});
    Device d = device("127.0.0.1", room.id);
    d.check = Check{Check::Type::tcp, 22};
    d = store().create_device(d);
    store().create_device(device("127.0.0.2"));
    auto updated = store().update_device(d.id, [](Device& x) { x.monitored = false; });
    ASSERT_TRUE(updated);
    EXPECT_FALSE(updated->monitored);
    EXPECT_EQ(updated->room_id, room.id);
    EXPECT_EQ(updated->check, (Check{Check::Type::tcp, 22}));
    EXPECT_THROW(store().update_device(d.id, [](Device& x) {
        x.name = "renamed";
        x.room_id = 999;
    }), NotFound);
    EXPECT_THROW(store().update_device(d.id, [](Device& x) {
        x.name = "renamed";
        x.ip = "127.0.0.2";
    }), UniqueViolation);
    EXPECT_THROW(store().update_device(d.id, [](Device&) { throw std::runtime_error("the rule said no"); }),
                 std::runtime_error);
    const auto kept = store().find_device(d.id);
    EXPECT_EQ(kept->name, d.name);
    EXPECT_EQ(kept->room_id, room.id);
    EXPECT_EQ(kept->ip, "127.0.0.1");
}

TEST_P(StoreContract, ListDevicesByRoom) {
    const auto a = store().create_room({0, "A", std::nullopt});
    const auto b = store().create_room({0, "B", std::nullopt});
    store().create_device(device("127.0.0.1", a.id));
    store().create_device(device("127.0.0.2", b.id));
    store().create_device(device("127.0.0.3", b.id));
    EXPECT_EQ(store().list_devices(a.id).size(), 1u);
    EXPECT_EQ(store().list_devices(b.id).size(), 2u);
    EXPECT_EQ(store().list_devices(std::nullopt).size(), 3u);
}

TEST_P(StoreContract, EveryDeviceComesOnceInPagesById) {
    const auto room = store().create_room({0, "A", std::nullopt});
    std::vector<std::int64_t> ids;
    for (int i = 1; i <= 7; ++i) ids.push_back(store().create_device(device("127.0.0." + std::to_string(i), room.id)).id);
    ASSERT_TRUE(store().delete_device(ids[2]));
    ids.erase(ids.begin() + 2);
    std::vector<std::int64_t> paged;
    std::int64_t after = std::numeric_limits<std::int64_t>::min();
    for (;;) {
        const auto page = store().list_devices_after(after, 2);
        ASSERT_LE(page.size(), 2u);
        for (const auto& d : page) paged.push_back(d.id);
        if (page.size() < 2) break;
        after = page.back().id;
    }
    EXPECT_EQ(paged, ids);
    EXPECT_EQ(store().count_devices(), ids.size());
    EXPECT_EQ(store().list_devices_after(ids.back(), 2).size(), 0u);
    EXPECT_EQ(store().list_devices_after(ids[0], 1).at(0).ip, "127.0.0.2");
}

TEST_P(StoreContract, DeletedIdsAreNotReused) {
    const auto first = store().create_device(device("127.0.0.1"));
    store().delete_device(first.id);
    EXPECT_GT(store().create_device(device("127.0.0.1")).id, first.id);
}

TEST_P(StoreContract, DataSurvivesReopen) {
    user("alice");
    store().create_room({0, "Lab", std::nullopt});
    reopen();
    EXPECT_TRUE(store().find_user("alice"));
    EXPECT_EQ(store().list_rooms().size(), 1u);
}

TEST_P(StoreContract, ReadersSeeWritesAtOnce) {
    store().create_room({0, "A", std::nullopt});
    EXPECT_EQ(store().list_rooms().size(), 1u);
    store().create_room({0, "B", std::nullopt});
    EXPECT_EQ(store().list_rooms().size(), 2u);
}

TEST_P(StoreContract, ConcurrentWritersAndReadersLoseNothing) {
    constexpr int k_threads = 4;
    constexpr int k_each = 50;
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < k_each; ++i) {
                store().create_device(device("127.1." + std::to_string(t) + "." + std::to_string(i)));
                (void)store().list_devices(std::nullopt);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(store().list_devices(std::nullopt).size(), static_cast<size_t>(k_threads * k_each));
}

TEST_P(StoreContract, EveryWriteIsInTheChangeFeedOnce) {
    const auto start = store().last_change();
    EXPECT_TRUE(changes_after(start).empty());
    const auto alice = user("alice");
    const auto room = store().create_room({0, "Lab", std::nullopt});
    const auto d = store().create_device(device("127.0.0.7", room.id));
    store().update_device(d.id, [](Device& x) { x.name = "renamed"; });
    store().delete_device(d.id);
    store().revoke_tokens("alice", std::nullopt);
    store().delete_room(room.id);
    store().delete_user("alice");
    EXPECT_FALSE(store().update_room(room.id, [](Room&) {}));  // nothing written, nothing recorded
    Notifier hook;
    hook.name = "ops";
    hook.url = "http://127.0.0.1:9/hook";
    const auto n = store().create_notifier(hook);
    store().update_notifier(n.id, [](Notifier& x) { x.enabled = false; });
    store().delete_notifier(n.id);
    EXPECT_FALSE(store().delete_notifier(n.id));
    const auto w = store().create_maintenance({0, "upgrade", 1, 2, std::nullopt, {}});
    store().delete_maintenance(w.id);

    const auto changes = changes_after(start);
    using K = Change::Kind;
    struct Seen {
        Entity entity;
        K kind;
        std::int64_t id;
        std::string key;
        bool operator==(const Seen&) const = default;
    };
    std::vector<Seen> seen;
    std::uint64_t previous = start;
    for (const auto& c : changes) {
        EXPECT_GT(c.seq, previous);
        previous = c.seq;
        EXPECT_EQ(c.origin, store().origin());
        seen.push_back({c.entity, c.kind, c.id, c.key});
    }
    const std::vector<Seen> expected = {
        {Entity::user, K::created, alice.id, "alice"},   {Entity::room, K::created, room.id, ""},
        {Entity::device, K::created, d.id, "127.0.0.7"}, {Entity::device, K::updated, d.id, "127.0.0.7"},
        {Entity::device, K::deleted, d.id, "127.0.0.7"}, {Entity::user, K::updated, alice.id, "alice"},
        {Entity::room, K::deleted, room.id, ""},         {Entity::user, K::deleted, alice.id, "alice"},
        {Entity::notifiers, K::created, n.id, "ops"},    {Entity::notifiers, K::updated, n.id, "ops"},
        {Entity::notifiers, K::deleted, n.id, ""},       {Entity::notifiers, K::created, w.id, "upgrade"},
        {Entity::notifiers, K::deleted, w.id, ""},
    };
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(store().last_change(), previous);
    EXPECT_EQ(changes_after(changes[3].seq).size(), 9u);
    EXPECT_TRUE(changes_after(previous).empty());
    EXPECT_LE(store().changes_after(start, 3)->size(), 3u);
}

TEST_P(StoreContract, AnotherInstancesWritesArriveWithItsOrigin) {
    auto other = second();
    EXPECT_NE(other->origin(), store().origin());
    const auto start = store().last_change();
    EXPECT_TRUE(changes_after(start).empty());  // nothing yet, and asking again is cheap
    other->create_user({"from-cli", "h"}, [](bool) { return Role::viewer; });
    EXPECT_TRUE(store().find_user("from-cli"));
    const auto changes = changes_after(start);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].origin, other->origin());
    EXPECT_EQ(changes[0].key, "from-cli");
    EXPECT_TRUE(changes_after(changes[0].seq).empty());
    other->delete_user("from-cli");
    EXPECT_EQ(changes_after(changes[0].seq).size(), 1u);
}

TEST_P(StoreContract, TheLastEnabledAdminStaysAndDisablingRevokes) {
    const auto admin = store().create_user({"root", "h"}, [](bool) { return Role::admin; });
    const auto viewer = store().create_user({"vera", "h"}, [](bool) { return Role::viewer; });
    EXPECT_FALSE(admin.created.empty());
    EXPECT_THROW(store().update_user(admin.id, [](User& u) { u.role = Role::viewer; }), LastAdmin);
    EXPECT_THROW(store().update_user(admin.id, [](User& u) { u.disabled = true; }), LastAdmin);
    EXPECT_THROW(store().delete_user_by_id(admin.id), LastAdmin);
    EXPECT_EQ(store().find_user_by_id(admin.id)->role, Role::admin);  // nothing was written
    const auto disabled = store().update_user(viewer.id, [](User& u) { u.disabled = true; });
    ASSERT_TRUE(disabled);
    EXPECT_TRUE(store().find_user("vera")->disabled);
    EXPECT_EQ(store().find_user("vera")->token_generation, viewer.token_generation + 1);
    store().update_user(viewer.id, [](User& u) { u.role = Role::admin; u.disabled = false; });
    EXPECT_TRUE(store().delete_user_by_id(admin.id));  // another admin is left
    EXPECT_FALSE(store().delete_user_by_id(admin.id));
    EXPECT_FALSE(store().update_user(admin.id, [](User&) {}));
}

TEST_P(StoreContract, ApiTokensAreFoundByHashOnly) {
    ApiToken t{0, "ci", Role::admin, "abc123", 1000, 5000, std::nullopt};
    const auto created = store().create_api_token(t);
    EXPECT_GT(created.id, 0);
    ASSERT_TRUE(store().find_api_token("abc123"));
    EXPECT_EQ(store().find_api_token("abc123")->expires_ms, 5000);
    EXPECT_FALSE(store().find_api_token("other"));
    store().touch_api_token(created.id, 4000);
    EXPECT_EQ(store().find_api_token_by_id(created.id)->last_used_ms, 4000);
    EXPECT_EQ(store().list_api_tokens().size(), 1u);
    EXPECT_TRUE(store().delete_api_token(created.id));
    EXPECT_FALSE(store().delete_api_token(created.id));
    EXPECT_FALSE(store().find_api_token("abc123"));
}

TEST_P(StoreContract, NotifiersAreEditedInPlaceAndGoWithTheirRoom) {
    const auto room = store().create_room({0, "lab", std::nullopt});
    Notifier n;
    n.name = "ops";
    n.type = "email";
    n.to = {"a@example.com", "b@example.com"};
    n.secret = "s";
    n.events = {"down"};
    n.room_id = room.id;
    const auto created = store().create_notifier(n);
    EXPECT_GT(created.id, 0);
    const auto found = store().find_notifier(created.id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->to, n.to);
    EXPECT_EQ(found->events, n.events);
    EXPECT_EQ(found->room_id, room.id);
    EXPECT_EQ(found->secret, "s");
    EXPECT_EQ(found->type, "email");
    Notifier missing_room = n;
    missing_room.room_id = room.id + 100;
    EXPECT_THROW(store().create_notifier(missing_room), NotFound);
    // an edit that throws leaves the row as it was
    EXPECT_THROW(store().update_notifier(created.id,
                                         [](Notifier& x) {
                                             x.name = "changed";
                                             throw std::runtime_error("refused");
                                         }),
                 std::runtime_error);
    EXPECT_EQ(store().find_notifier(created.id)->name, "ops");
    const auto updated = store().update_notifier(created.id, [](Notifier& x) { x.enabled = false; });
    ASSERT_TRUE(updated);
    EXPECT_FALSE(store().list_notifiers().front().enabled);
    EXPECT_FALSE(store().update_notifier(created.id + 100, [](Notifier&) {}));
    EXPECT_TRUE(store().delete_room(room.id));  // limited to the room: it goes with it
    EXPECT_TRUE(store().list_notifiers().empty());
    EXPECT_FALSE(store().delete_notifier(created.id));
}

TEST_P(StoreContract, MaintenanceWindowsNameExistingRoomsAndDevices) {
    const auto d = store().create_device(device("127.0.0.9"));
    MaintenanceWindow w{0, "firmware", 1000, 2000, std::nullopt, {d.id}};
    const auto created = store().create_maintenance(w);
    EXPECT_GT(created.id, 0);
    ASSERT_EQ(store().list_maintenance().size(), 1u);
    EXPECT_EQ(store().list_maintenance()[0].device_ids, std::vector<std::int64_t>{d.id});
    EXPECT_EQ(store().list_maintenance()[0].end_ms, 2000);
    w.device_ids = {d.id + 100};
    EXPECT_THROW(store().create_maintenance(w), NotFound);
    w.device_ids = {};
    w.room_id = 999;
    EXPECT_THROW(store().create_maintenance(w), NotFound);
    EXPECT_TRUE(store().delete_maintenance(created.id));
    EXPECT_FALSE(store().delete_maintenance(created.id));
    EXPECT_TRUE(store().list_maintenance().empty());
}

TEST_P(StoreContract, AWholeConfigurationIsWrittenAtOnceWithOneFeedEntry) {
    const auto lab = store().create_room({0, "lab", std::nullopt});
    const auto kept = store().create_device(device("10.0.0.1", lab.id));
    const auto gone = store().create_device(device("10.0.0.2"));
    const auto seq = store().last_change();
    bool saw_stored = false;
    store().write_config([&](const ConfigSnapshot& s) -> std::optional<ConfigWrite> {
        saw_stored = s.rooms.size() == 1 && s.devices.size() == 2;
        ConfigWrite w;
        w.create_rooms.push_back({0, "attic", "dusty"});
        const ConfigWrite::DeviceRow behind{device("10.0.1.2"), std::nullopt, 1};  // behind the gateway, created next
        const ConfigWrite::DeviceRow gateway{device("10.0.1.1"), 0, std::nullopt};  // in the new room
        w.create_devices = {behind, gateway};
        Device moved = kept;
        moved.name = "renamed";
        w.update_devices.push_back({moved, 0, 1});  // to the new room, behind the new gateway
        Notifier n;
        n.name = "ops";
        n.url = "http://127.0.0.1:9/hook";
        w.create_notifiers.push_back({n, 0});
        w.create_maintenance.push_back({MaintenanceWindow{0, "upgrade", 1000, 2000, std::nullopt, {kept.id}}, 0, {0}});
        w.delete_devices.push_back(gone.id);
        w.delete_rooms.push_back(lab.id);  // emptied by the move above
        return w;
    });
    EXPECT_TRUE(saw_stored);
    const auto after = store().read_config();
    ASSERT_EQ(after.rooms.size(), 1u);
    EXPECT_EQ(after.rooms[0].name, "attic");
    EXPECT_EQ(after.rooms[0].description, "dusty");
    ASSERT_EQ(after.devices.size(), 3u);
    std::map<std::string, Device> by_ip;
    for (const auto& d : after.devices) by_ip[d.ip] = d;
    EXPECT_FALSE(by_ip.contains("10.0.0.2"));
    EXPECT_EQ(by_ip["10.0.1.1"].room_id, after.rooms[0].id);
    EXPECT_EQ(by_ip["10.0.1.2"].parent_id, by_ip["10.0.1.1"].id);
    EXPECT_EQ(by_ip["10.0.0.1"].name, "renamed");
    EXPECT_EQ(by_ip["10.0.0.1"].parent_id, by_ip["10.0.1.1"].id);
    ASSERT_EQ(after.notifiers.size(), 1u);
    EXPECT_EQ(after.notifiers[0].room_id, after.rooms[0].id);
    ASSERT_EQ(after.maintenance.size(), 1u);
    EXPECT_EQ(after.maintenance[0].device_ids, (std::vector<std::int64_t>{kept.id, by_ip["10.0.1.2"].id}));
    const auto changes = changes_after(seq);
    ASSERT_EQ(changes.size(), 1u);  // one entry for the whole write: other processes reload
    EXPECT_EQ(changes[0].entity, Entity::configuration);
    EXPECT_EQ(second()->changes_after(seq, 10)->at(0).entity, Entity::configuration);  // as another process reads it
}

TEST_P(StoreContract, AConfigurationWriteIsAllOrNothing) {
    const auto room = store().create_room({0, "lab", std::nullopt});
    const auto a = store().create_device(device("10.0.0.1", room.id));
    const auto b = store().create_device(device("10.0.0.2"));
    const auto seq = store().last_change();
    const auto unchanged = [&] {
        const auto s = store().read_config();
        EXPECT_EQ(s.rooms.size(), 1u);
        EXPECT_EQ(s.devices.size(), 2u);
        EXPECT_TRUE(s.notifiers.empty());
        EXPECT_EQ(store().last_change(), seq);
    };
    auto with = [&](auto&& edit) {
        return [&, edit](const ConfigSnapshot&) -> std::optional<ConfigWrite> {
            ConfigWrite w;
            w.create_rooms.push_back({0, "written first", std::nullopt});
            edit(w);
            return w;
        };
    };
    // parents in a circle, made by updates of stored devices
    EXPECT_THROW(store().write_config(with([&](ConfigWrite& w) {
                     Device x = a, y = b;
                     x.parent_id = b.id;
                     y.parent_id = a.id;
                     w.update_devices = {{x, std::nullopt, std::nullopt}, {y, std::nullopt, std::nullopt}};
                 })),
                 DependencyCycle);
    unchanged();
    EXPECT_THROW(store().write_config(with([&](ConfigWrite& w) { w.delete_rooms.push_back(room.id); })), RoomNotEmpty);
    unchanged();
    EXPECT_THROW(store().write_config(with([&](ConfigWrite& w) {
                     w.create_devices.push_back({device("10.0.0.1"), std::nullopt, std::nullopt});
                 })),
                 UniqueViolation);
    unchanged();
    EXPECT_THROW(store().write_config(with([&](ConfigWrite& w) {
                     w.create_maintenance.push_back({MaintenanceWindow{0, "x", 1, 2, std::nullopt, {b.id + 100}},
                                                     std::nullopt, {}});
                 })),
                 NotFound);
    unchanged();
    // the plan itself refusing (the service's ConfigError): its exception passes through
    EXPECT_THROW(store().write_config([](const ConfigSnapshot&) -> std::optional<ConfigWrite> {
                     throw std::runtime_error("refused");
                 }),
                 std::runtime_error);
    unchanged();
    store().write_config([](const ConfigSnapshot&) { return std::optional<ConfigWrite>(); });  // nothing to do
    unchanged();
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values(k_sqlite, k_postgresql),
                         [](const ::testing::TestParamInfo<Backend>& p) { return p.param.name; });

// What only the SQLite backend promises: its file, its schema version, WAL.
TEST(SqliteStore, SchemaIsVersionedAndJournalIsWal) {
    TempDir dir;
    { SqliteStore store(dir.path / "test.db"); }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path / "test.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(stmt, 0), SqliteStore::schema_version());
    sqlite3_finalize(stmt);
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}
