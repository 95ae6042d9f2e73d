#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>

using namespace gatewatch::store;
namespace fs = std::filesystem;

namespace {
class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = std::make_unique<SqliteStore>(file());
    }
    fs::path file() const { return dir_.path / "test.db"; }
    void reopen() {
        store_.reset();
        store_ = std::make_unique<SqliteStore>(file());
    }
    Device device(std::string ip, std::optional<std::int64_t> room = std::nullopt) {
        Device d;
        d.name = "dev-" + ip;
        d.ip = std::move(ip);
        d.room_id = room;
        return d;
    }
    TempDir dir_;
    std::unique_ptr<SqliteStore> store_;
};
}  // namespace

TEST_F(StoreTest, FirstUserIsAdminThenViewers) {
    EXPECT_EQ(store_->create_user({"alice", "h1", std::nullopt}).role, Role::admin);
    EXPECT_EQ(store_->create_user({"bob", "h2", std::nullopt}).role, Role::viewer);
    EXPECT_EQ(store_->create_user({"carol", "h3", Role::admin}).role, Role::admin);
}

TEST_F(StoreTest, UsernamesAreUniqueWithoutRegardToCaseAndKeptAsTyped) {
    store_->create_user({"Alice", "h", std::nullopt});
    EXPECT_THROW(store_->create_user({"aLICE", "h", std::nullopt}), UniqueViolation);
    const auto found = store_->find_user("ALICE");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->username, "Alice");
}

TEST_F(StoreTest, PasswordChangeAndDelete) {
    store_->create_user({"alice", "old", std::nullopt});
    EXPECT_TRUE(store_->set_password_hash("alice", "new"));
    EXPECT_EQ(store_->find_user("alice")->password_hash, "new");
    EXPECT_FALSE(store_->set_password_hash("nobody", "x"));
    EXPECT_TRUE(store_->delete_user("alice"));
    EXPECT_FALSE(store_->find_user("alice"));
    EXPECT_FALSE(store_->delete_user("alice"));
}

TEST_F(StoreTest, RoomCrudAndPatchSemantics) {
    const auto room = store_->create_room({0, "Lab", "first floor"});
    EXPECT_GT(room.id, 0);
    auto updated = store_->update_room(room.id, RoomPatch{std::nullopt, std::optional<std::string>()});
    ASSERT_TRUE(updated);
    EXPECT_EQ(updated->name, "Lab");
    EXPECT_EQ(updated->description, std::nullopt);
    updated = store_->update_room(room.id, RoomPatch{"Server room", std::nullopt});
    EXPECT_EQ(updated->name, "Server room");
    EXPECT_FALSE(store_->update_room(room.id + 100, RoomPatch{"x", std::nullopt}));
    EXPECT_EQ(store_->list_rooms().size(), 1u);
    EXPECT_TRUE(store_->delete_room(room.id));
    EXPECT_FALSE(store_->delete_room(room.id));
    EXPECT_FALSE(store_->find_room(room.id));
}

TEST_F(StoreTest, RoomWithDevicesCannotBeDeleted) {
    const auto room = store_->create_room({0, "Lab", std::nullopt});
    const auto d = store_->create_device(device("127.0.0.9", room.id));
    EXPECT_THROW(store_->delete_room(room.id), RoomNotEmpty);
    EXPECT_TRUE(store_->find_room(room.id));
    store_->delete_device(d.id);
    EXPECT_TRUE(store_->delete_room(room.id));
}

TEST_F(StoreTest, DeviceIpIsUniqueAndRoomMustExist) {
    store_->create_device(device("127.0.0.1"));
    EXPECT_THROW(store_->create_device(device("127.0.0.1")), UniqueViolation);
    EXPECT_THROW(store_->create_device(device("127.0.0.2", 42)), NotFound);
    EXPECT_EQ(store_->list_devices(std::nullopt).size(), 1u);
}

TEST_F(StoreTest, DevicePatchKeepsWhatItDoesNotName) {
    const auto room = store_->create_room({0, "Lab", std::nullopt});
    Device d = device("127.0.0.1", room.id);
    d.check = Check{Check::Type::tcp, 22};
    d = store_->create_device(d);
    DevicePatch patch;
    patch.monitored = false;
    auto updated = store_->update_device(d.id, patch);
    ASSERT_TRUE(updated);
    EXPECT_FALSE(updated->monitored);
    EXPECT_EQ(updated->room_id, room.id);
    EXPECT_EQ(updated->check, (Check{Check::Type::tcp, 22}));
    patch = {};
    patch.room_id = std::optional<std::int64_t>();
    patch.check = Check{};
    updated = store_->update_device(d.id, patch);
    EXPECT_EQ(updated->room_id, std::nullopt);
    EXPECT_EQ(updated->check.type, Check::Type::icmp);
    patch = {};
    patch.room_id = std::optional<std::int64_t>(999);
    EXPECT_THROW(store_->update_device(d.id, patch), NotFound);
    EXPECT_EQ(store_->find_device(d.id)->room_id, std::nullopt);  // the failed write left nothing behind
}

TEST_F(StoreTest, ListDevicesByRoom) {
    const auto a = store_->create_room({0, "A", std::nullopt});
    const auto b = store_->create_room({0, "B", std::nullopt});
    store_->create_device(device("127.0.0.1", a.id));
    store_->create_device(device("127.0.0.2", b.id));
    store_->create_device(device("127.0.0.3", b.id));
    EXPECT_EQ(store_->list_devices(a.id).size(), 1u);
    EXPECT_EQ(store_->list_devices(b.id).size(), 2u);
    EXPECT_EQ(store_->list_devices(std::nullopt).size(), 3u);
}

TEST_F(StoreTest, DeletedIdsAreNotReused) {
    const auto first = store_->create_device(device("127.0.0.1"));
    store_->delete_device(first.id);
    EXPECT_GT(store_->create_device(device("127.0.0.1")).id, first.id);
}

TEST_F(StoreTest, DataSurvivesReopenAndSchemaIsVersioned) {
    store_->create_user({"alice", "h", std::nullopt});
    store_->create_room({0, "Lab", std::nullopt});
    reopen();
    EXPECT_TRUE(store_->find_user("alice"));
    EXPECT_EQ(store_->list_rooms().size(), 1u);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file().c_str(), &db), SQLITE_OK);
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

TEST_F(StoreTest, ReadersSeeWritesAtOnce) {
    // A pooled reader must not keep an old snapshot after a write.
    store_->create_room({0, "A", std::nullopt});
    EXPECT_EQ(store_->list_rooms().size(), 1u);
    store_->create_room({0, "B", std::nullopt});
    EXPECT_EQ(store_->list_rooms().size(), 2u);
}

TEST_F(StoreTest, ConcurrentWritersAndReadersLoseNothing) {
    constexpr int k_threads = 4;
    constexpr int k_each = 50;
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < k_each; ++i) {
                store_->create_device(device("127.1." + std::to_string(t) + "." + std::to_string(i)));
                (void)store_->list_devices(std::nullopt);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(store_->list_devices(std::nullopt).size(), static_cast<size_t>(k_threads * k_each));
}

TEST_F(StoreTest, AnotherProcessWritingMeanwhileIsSeen) {
    // The admin command line opens its own connection to the same file.
    SqliteStore other(file());
    other.create_user({"from-cli", "h", Role::viewer});
    EXPECT_TRUE(store_->find_user("from-cli"));
}
