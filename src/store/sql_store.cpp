#include "store/sql_store.hpp"

#include "store/sql_store_parts.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <unordered_map>

namespace gatewatch::store {
using sql::Connection;
using sql::Statement;

// Shared with the other parts of the store (sql_store_parts.hpp).
namespace detail {

// How many changes the log keeps: a reader further behind reloads everything.
constexpr std::int64_t k_changes_kept = 10'000;

const char* entity_text(Entity e) {
    switch (e) {
        case Entity::user: return "user";
        case Entity::room: return "room";
        case Entity::device: return "device";
        case Entity::configuration: return "configuration";
        case Entity::notifiers: return "notifiers";
    }
    return "device";
}
Entity parse_entity(const std::string& t) {
    if (t == "configuration") return Entity::configuration;
    if (t == "notifiers") return Entity::notifiers;
    return t == "user" ? Entity::user : t == "room" ? Entity::room : Entity::device;
}
const char* kind_text(Change::Kind k) {
    return k == Change::Kind::created ? "created" : k == Change::Kind::updated ? "updated" : "deleted";
}
Change::Kind parse_kind(const std::string& t) {
    return t == "created" ? Change::Kind::created : t == "updated" ? Change::Kind::updated : Change::Kind::deleted;
}

Role parse_role(const std::string& text) { return text == "admin" ? Role::admin : Role::viewer; }

// Usernames compare without regard to ASCII case (lower() folds ASCII only in
// SQLite; usernames are ASCII); both schemas index lower(username).
constexpr const char* k_username_is = "lower(username) = lower(CAST(? AS TEXT))";

constexpr const char* k_user_columns =
    "SELECT id, username, password_hash, role, token_generation, disabled, created_at FROM users ";
User read_user(const Statement& s) {
    return User{s.int64(0), s.text(1), s.text(2), parse_role(s.text(3)), s.int64(4), s.int64(5) != 0, s.text(6)};
}

std::optional<User> select_user(Connection& c, std::int64_t id) {
    auto s = c.prepare(std::string(k_user_columns) + "WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_user(s);
}

// Inside a write: at least one enabled admin is left.
void require_an_admin(Connection& c) {
    auto s = c.prepare("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0)");
    s.step();
    if (s.int64(0) == 0) throw LastAdmin();
}

Room read_room(const Statement& s) { return Room{s.int64(0), s.text(1), s.optional_text(2)}; }

Device read_device(const Statement& s) {
    Device d;
    d.id = s.int64(0);
    d.name = s.text(1);
    d.ip = s.text(2);
    d.room_id = s.optional_int64(3);
    d.monitored = s.int64(4) != 0;
    if (s.text(5) == "tcp") d.check = Check{Check::Type::tcp, static_cast<std::uint16_t>(s.int64(6))};
    d.parent_id = s.optional_int64(7);
    if (const auto locations = s.optional_text(8)) d.locations = split(*locations, ',');
    d.quorum = static_cast<int>(s.int64(9));
    return d;
}

std::optional<Room> select_room(Connection& c, std::int64_t id) {
    auto s = c.prepare("SELECT id, name, description FROM rooms WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_room(s);
}

std::optional<Device> select_device(Connection& c, std::int64_t id) {
    auto s = c.prepare(
        "SELECT " GW_DEVICE_COLUMNS " FROM devices WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_device(s);
}

void require_room(Connection& c, const std::optional<std::int64_t>& room_id) {
    if (room_id && !select_room(c, *room_id)) throw NotFound(Entity::room);
}

void delete_empty_room(Connection& c, std::int64_t id) {
    auto in_use = c.prepare("SELECT EXISTS (SELECT 1 FROM devices WHERE room_id = ?)");
    in_use.bind(1, id);
    in_use.step();
    if (in_use.int64(0) != 0) throw RoomNotEmpty();
    auto s = c.prepare("DELETE FROM rooms WHERE id = ?");
    s.bind(1, id);
    s.step();
}

// The parent exists and `id` (0 for a new device) is not among it and its ancestors.
void require_parent(Connection& c, std::int64_t id, const std::optional<std::int64_t>& parent_id) {
    if (!parent_id) return;
    if (id != 0 && *parent_id == id) throw DependencyCycle();
    if (!select_device(c, *parent_id)) throw NotFound(Entity::device);
    if (id == 0) return;  // nothing depends on a device not created yet
    // UNION (not UNION ALL): an ancestor seen twice ends the walk, so it
    // ends on any chain, however long, without a depth limit.
    auto s = c.prepare(
        "WITH RECURSIVE ancestors (id) AS ("
        "  SELECT parent_id FROM devices WHERE id = ?1"
        "  UNION SELECT d.parent_id FROM devices d JOIN ancestors a ON d.id = a.id)"
        " SELECT 1 FROM ancestors WHERE id = ?2 LIMIT 1");
    s.bind(1, *parent_id).bind(2, id);
    if (s.step()) throw DependencyCycle();
}

void bind_device_columns(Statement& s, const Device& d) {
    const bool tcp = d.check.type == Check::Type::tcp;
    s.bind(1, d.name).bind(2, d.ip).bind(3, d.room_id).bind(4, std::int64_t{d.monitored ? 1 : 0});
    s.bind(5, std::string_view(tcp ? "tcp" : "icmp"));
    if (tcp)
        s.bind(6, std::int64_t{d.check.port});
    else
        s.bind(6, std::nullopt);
    s.bind(7, d.parent_id);
    // Location names are [A-Za-z0-9._-] (api/devices.cpp): a comma never occurs in one.
    if (d.locations)
        s.bind(8, join(*d.locations, ','));
    else
        s.bind(8, std::nullopt);
    s.bind(9, std::int64_t{d.quorum});
}

// Appends to the change feed, inside the caller's write transaction, and
// trims what is older than the log keeps. max + 1: writes are serialized
// (sql_store.hpp), so seqs follow the commits with no gaps; the newest row is
// never trimmed, so a seq is never given twice.
void record_change(Connection& c, std::uint64_t origin, Entity entity, Change::Kind kind, std::int64_t id,
                   std::optional<std::string_view> key) {
    c.recorded_change = true;
    auto s = c.prepare(
        "INSERT INTO changes (seq, origin, entity, kind, entity_id, key)"
        " VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM changes), ?, ?, ?, ?, ?) RETURNING seq");
    s.bind(1, static_cast<std::int64_t>(origin)).bind(2, std::string_view(entity_text(entity)));
    s.bind(3, std::string_view(kind_text(kind))).bind(4, id);
    if (key)
        s.bind(5, *key);
    else
        s.bind(5, std::nullopt);
    s.step();
    const std::int64_t seq = s.int64(0);
    if (seq % 256 == 0) {  // now and then: one indexed range delete
        auto trim = c.prepare("DELETE FROM changes WHERE seq <= ?");
        trim.bind(1, seq - k_changes_kept);
        trim.step();
    }
}

}  // namespace detail
using namespace detail;

SqlStore::SqlStore() {
    randombytes_buf(&origin_, sizeof origin_);
    origin_ &= INT64_MAX;  // stored as a signed integer
}

std::optional<std::vector<Change>> SqlStore::read_changes(Connection& c, std::uint64_t seq, std::size_t limit,
                                                          std::uint64_t& newest) {
    sql::Transaction tx(c, Connection::Mode::read);  // the oldest kept and the rows from one snapshot
    auto oldest = c.prepare("SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM changes");
    oldest.step();
    const auto first = static_cast<std::uint64_t>(oldest.int64(0));
    newest = static_cast<std::uint64_t>(oldest.int64(1));
    if (first > seq + 1) return std::nullopt;  // trimmed past what the reader had
    std::vector<Change> out;
    auto s = c.prepare("SELECT seq, origin, entity, kind, entity_id, key FROM changes WHERE seq > ? ORDER BY seq LIMIT ?");
    s.bind(1, static_cast<std::int64_t>(seq)).bind(2, static_cast<std::int64_t>(limit));
    while (s.step()) {
        out.push_back(Change{static_cast<std::uint64_t>(s.int64(0)), static_cast<std::uint64_t>(s.int64(1)),
                             parse_entity(s.text(2)), parse_kind(s.text(3)), s.int64(4),
                             s.optional_text(5).value_or("")});
    }
    tx.commit();
    return out;
}

std::uint64_t SqlStore::last_change() {
    auto lease = read();
    auto s = lease->prepare("SELECT coalesce(max(seq), 0) FROM changes");
    s.step();
    return static_cast<std::uint64_t>(s.int64(0));
}

std::optional<User> SqlStore::find_user(const std::string& username) {
    auto lease = read();
    auto s = lease->prepare(std::string(k_user_columns) + "WHERE " + k_username_is);
    s.bind(1, username);
    if (!s.step()) return std::nullopt;
    return read_user(s);
}

User SqlStore::create_user(const NewUser& user, const std::function<Role(bool first)>& role_for) {
    return write([&](Connection& c) {
        auto count = c.prepare("SELECT EXISTS (SELECT 1 FROM users)");
        count.step();
        const Role role = role_for(count.int64(0) == 0);
        auto s = c.prepare("INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?) RETURNING id");
        s.bind(1, user.username).bind(2, user.password_hash).bind(3, std::string_view(to_string(role)));
        s.step();
        const User created = *select_user(c, s.int64(0));  // with its creation time
        record_change(c, origin_, Entity::user, Change::Kind::created, created.id, created.username);
        return created;
    });
}

namespace {
// The user's id, when it exists (inside a write).
std::optional<std::int64_t> user_id(sql::Connection& c, const std::string& username) {
    auto s = c.prepare(std::string("SELECT id FROM users WHERE ") + k_username_is);
    s.bind(1, username);
    if (!s.step()) return std::nullopt;
    return s.int64(0);
}
}  // namespace

bool SqlStore::set_password_hash(const std::string& username, const std::string& expected_hash,
                                    const std::string& password_hash) {
    return write([&](Connection& c) {
        const auto id = user_id(c, username);
        if (!id) return false;
        auto s = c.prepare("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?");
        s.bind(1, password_hash).bind(2, *id).bind(3, expected_hash);
        s.step();
        if (c.changes() == 0) return false;
        record_change(c, origin_, Entity::user, Change::Kind::updated, *id, username);
        return true;
    });
}

bool SqlStore::revoke_tokens(const std::string& username, const std::optional<std::string>& new_password_hash) {
    return write([&](Connection& c) {
        const auto id = user_id(c, username);
        if (!id) return false;
        auto s = c.prepare(
            "UPDATE users SET token_generation = token_generation + 1, "
            "password_hash = coalesce(?, password_hash) WHERE id = ?");
        s.bind(1, new_password_hash).bind(2, *id);
        s.step();
        record_change(c, origin_, Entity::user, Change::Kind::updated, *id, username);
        return true;
    });
}

bool SqlStore::delete_user(const std::string& username) {
    return write([&](Connection& c) {
        const auto id = user_id(c, username);
        if (!id) return false;
        auto s = c.prepare("DELETE FROM users WHERE id = ?");
        s.bind(1, *id);
        s.step();
        record_change(c, origin_, Entity::user, Change::Kind::deleted, *id, username);
        return true;
    });
}

std::vector<User> SqlStore::list_users() {
    auto lease = read();
    auto s = lease->prepare(std::string(k_user_columns) + "ORDER BY id");
    std::vector<User> users;
    while (s.step()) users.push_back(read_user(s));
    return users;
}

std::optional<User> SqlStore::find_user_by_id(std::int64_t id) {
    auto lease = read();
    return select_user(*lease, id);
}

std::optional<User> SqlStore::update_user(std::int64_t id, const std::function<void(User&)>& edit) {
    return write([&](Connection& c) -> std::optional<User> {
        auto user = select_user(c, id);
        if (!user) return std::nullopt;
        const bool was_disabled = user->disabled;
        User edited = *user;
        edit(edited);
        edited.id = id;
        edited.username = user->username;
        edited.password_hash = user->password_hash;
        edited.token_generation = user->token_generation + (edited.disabled && !was_disabled ? 1 : 0);
        auto s = c.prepare("UPDATE users SET role = ?, disabled = ?, token_generation = ? WHERE id = ?");
        s.bind(1, std::string_view(to_string(edited.role))).bind(2, std::int64_t{edited.disabled ? 1 : 0});
        s.bind(3, edited.token_generation).bind(4, id);
        s.step();
        require_an_admin(c);  // throws: the transaction rolls back
        record_change(c, origin_, Entity::user, Change::Kind::updated, id, edited.username);
        return edited;
    });
}

std::optional<User> SqlStore::delete_user_by_id(std::int64_t id) {
    return write([&](Connection& c) -> std::optional<User> {
        auto user = select_user(c, id);
        if (!user) return std::nullopt;
        auto s = c.prepare("DELETE FROM users WHERE id = ?");
        s.bind(1, id);
        s.step();
        require_an_admin(c);
        record_change(c, origin_, Entity::user, Change::Kind::deleted, id, user->username);
        return user;
    });
}

std::vector<Room> SqlStore::list_rooms() {
    auto lease = read();
    auto s = lease->prepare("SELECT id, name, description FROM rooms ORDER BY id");
    std::vector<Room> rooms;
    while (s.step()) rooms.push_back(read_room(s));
    return rooms;
}

std::optional<Room> SqlStore::find_room(std::int64_t id) {
    auto lease = read();
    return select_room(*lease, id);
}

Room SqlStore::create_room(const Room& room) {
    return write([&](Connection& c) {
        auto s = c.prepare("INSERT INTO rooms (name, description) VALUES (?, ?) RETURNING id");
        s.bind(1, room.name).bind(2, room.description);
        s.step();
        Room created{s.int64(0), room.name, room.description};
        record_change(c, origin_, Entity::room, Change::Kind::created, created.id, std::nullopt);
        return created;
    });
}

std::optional<Room> SqlStore::update_room(std::int64_t id, const std::function<void(Room&)>& edit) {
    return write([&](Connection& c) -> std::optional<Room> {
        auto room = select_room(c, id);
        if (!room) return std::nullopt;
        edit(*room);
        room->id = id;
        auto s = c.prepare("UPDATE rooms SET name = ?, description = ? WHERE id = ?");
        s.bind(1, room->name).bind(2, room->description).bind(3, id);
        s.step();
        record_change(c, origin_, Entity::room, Change::Kind::updated, id, std::nullopt);
        return room;
    });
}

bool SqlStore::delete_room(std::int64_t id) {
    return write([&](Connection& c) {
        if (!select_room(c, id)) return false;
        delete_empty_room(c, id);
        record_change(c, origin_, Entity::room, Change::Kind::deleted, id, std::nullopt);
        return true;
    });
}

std::vector<Device> SqlStore::list_devices(std::optional<std::int64_t> room_id) {
    auto lease = read();
    constexpr const char* columns = "SELECT " GW_DEVICE_COLUMNS " FROM devices ";
    auto s = lease->prepare(std::string(columns) + (room_id ? "WHERE room_id = ? ORDER BY id" : "ORDER BY id"));
    if (room_id) s.bind(1, *room_id);
    std::vector<Device> devices;
    while (s.step()) devices.push_back(read_device(s));
    return devices;
}

std::vector<Device> SqlStore::list_devices_after(std::int64_t after_id, std::size_t limit) {
    auto lease = read();
    auto s = lease->prepare("SELECT " GW_DEVICE_COLUMNS " FROM devices WHERE id > ? ORDER BY id LIMIT ?");
    s.bind(1, after_id).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
    std::vector<Device> devices;
    devices.reserve(std::min<std::size_t>(limit, 4096));
    while (s.step()) devices.push_back(read_device(s));
    return devices;
}

std::size_t SqlStore::count_devices() {
    auto lease = read();
    auto s = lease->prepare("SELECT count(*) FROM devices");
    s.step();
    return static_cast<std::size_t>(s.int64(0));
}

std::optional<Device> SqlStore::find_device(std::int64_t id) {
    auto lease = read();
    return select_device(*lease, id);
}

Device SqlStore::create_device(const Device& device) {
    return write([&](Connection& c) {
        require_room(c, device.room_id);
        require_parent(c, 0, device.parent_id);
        auto s = c.prepare(GW_INSERT_DEVICE);
        bind_device_columns(s, device);
        s.step();
        Device created = device;
        created.id = s.int64(0);
        record_change(c, origin_, Entity::device, Change::Kind::created, created.id, created.ip);
        return created;
    });
}

std::optional<Device> SqlStore::update_device(std::int64_t id, const std::function<void(Device&)>& edit) {
    return write([&](Connection& c) -> std::optional<Device> {
        auto device = select_device(c, id);
        if (!device) return std::nullopt;
        const auto room_before = device->room_id;
        const auto parent_before = device->parent_id;
        edit(*device);
        device->id = id;
        if (device->room_id != room_before) require_room(c, device->room_id);
        if (device->parent_id != parent_before) require_parent(c, id, device->parent_id);
        auto s = c.prepare(GW_UPDATE_DEVICE);
        bind_device_columns(s, *device);
        s.bind(k_update_device_id_parameter, id);
        s.step();
        record_change(c, origin_, Entity::device, Change::Kind::updated, id, device->ip);
        return device;
    });
}

std::vector<Device> SqlStore::create_devices(const std::vector<BulkDevice>& rows) {
    return write([&](Connection& c) {
        // Rooms by name: an existing one (the oldest of that name), else a new one.
        std::unordered_map<std::string, std::int64_t> rooms;
        for (const auto& row : rows) {
            if (!row.room_name || rooms.contains(*row.room_name)) continue;
            auto find = c.prepare("SELECT id FROM rooms WHERE name = ? ORDER BY id LIMIT 1");
            find.bind(1, *row.room_name);
            if (find.step()) {
                rooms[*row.room_name] = find.int64(0);
                continue;
            }
            auto insert = c.prepare("INSERT INTO rooms (name) VALUES (?) RETURNING id");
            insert.bind(1, *row.room_name);
            insert.step();
            rooms[*row.room_name] = insert.int64(0);
            record_change(c, origin_, Entity::room, Change::Kind::created, rooms[*row.room_name], std::nullopt);
        }
        std::vector<Device> created;
        created.reserve(rows.size());
        std::unordered_map<std::string, std::size_t> by_ip;  // the rows' ips
        for (const auto& row : rows) {
            Device d = row.device;
            if (row.room_name) d.room_id = rooms.at(*row.room_name);
            if (row.parent_ip) d.parent_id.reset();  // set below, once every row has its id
            if (!row.room_name) require_room(c, d.room_id);
            if (!row.parent_ip) require_parent(c, 0, d.parent_id);
            auto s = c.prepare(GW_INSERT_DEVICE);
            bind_device_columns(s, d);
            s.step();
            d.id = s.int64(0);
            by_ip[d.ip] = created.size();
            created.push_back(std::move(d));
        }
        // Parents by IP: another row or a stored device; rows in a circle are refused.
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (!rows[i].parent_ip) continue;
            std::int64_t parent = 0;
            if (const auto row = by_ip.find(*rows[i].parent_ip); row != by_ip.end()) {
                parent = created[row->second].id;
            } else {
                auto find = c.prepare("SELECT id FROM devices WHERE ip = ?");
                find.bind(1, *rows[i].parent_ip);
                if (!find.step()) throw NotFound(Entity::device);
                parent = find.int64(0);
            }
            require_parent(c, created[i].id, parent);
            auto s = c.prepare("UPDATE devices SET parent_id = ? WHERE id = ?");
            s.bind(1, parent).bind(2, created[i].id);
            s.step();
            created[i].parent_id = parent;
        }
        for (const auto& d : created) record_change(c, origin_, Entity::device, Change::Kind::created, d.id, d.ip);
        return created;
    });
}

std::optional<Device> SqlStore::delete_device(std::int64_t id) {
    return write([&](Connection& c) -> std::optional<Device> {
        auto device = select_device(c, id);
        if (!device) return std::nullopt;
        auto s = c.prepare("DELETE FROM devices WHERE id = ?");
        s.bind(1, id);
        s.step();
        record_change(c, origin_, Entity::device, Change::Kind::deleted, id, device->ip);
        return device;
    });
}

const char* to_string(Role role) { return role == Role::admin ? "admin" : "viewer"; }

}  // namespace gatewatch::store
