#pragma once
// The store: users, rooms and devices, behind one interface, and the feed of
// what changed.
//
// Storage only: the rules (who becomes admin, how a partial update merges)
// live in the service layer (src/service/), which hands them in as
// callbacks that run inside the write's transaction. SQLite (sqlite_store.hpp)
// implements it now and PostgreSQL can later; the contract tests
// (tests/unit/test_store_contract.cpp) run against every implementation.
// Every method is one transaction and is safe to call from any thread at once.
//
// The change feed: every committed write also appends a Change, in the same
// transaction, tagged with the writing store's origin(). A process learns
// what another one (the admin command line) wrote by reading changes_after().
//
// Failures are typed: a handler maps each one to its HTTP answer in one place.
//   UniqueViolation   a username or a device IP that is taken
//   NotFound          a referenced row (a device's room) does not exist
//   RoomNotEmpty      deleting a room that still holds devices
//   DependencyCycle   a parent that is the device itself or one of its descendants
//   LastAdmin         a write that would leave no enabled admin
// Notifiers and maintenance windows have no change-feed entry of their own:
// the service publishes NotifiersChanged after each write. The one way the
// command line writes them, write_config (`gatewatch apply`), records one
// `configuration` entry, on which other processes reload everything.
//   StoreError        anything else (I/O, corruption, busy past the timeout)
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gatewatch::store {

enum class Role { admin, viewer };
const char* to_string(Role role);

struct User {
    std::int64_t id = 0;
    std::string username;
    std::string password_hash;
    Role role = Role::viewer;
    std::int64_t token_generation = 0;  // tokens of another generation are refused
    bool disabled = false;              // refused at login and with every token
    std::string created;                // RFC 3339, UTC
};

// A long-lived token for automation: only its hash is stored.
struct ApiToken {
    std::int64_t id = 0;
    std::string name;
    Role role = Role::viewer;
    std::string hash;  // hex SHA-256 of the token
    std::int64_t created_ms = 0;
    std::optional<std::int64_t> expires_ms;
    std::optional<std::int64_t> last_used_ms;
};

struct Room {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> description;
};

struct Check {
    enum class Type { icmp, tcp };
    Type type = Type::icmp;
    std::uint16_t port = 0;  // set for tcp only
    bool operator==(const Check&) const = default;
};

struct Device {
    std::int64_t id = 0;
    std::string name;
    std::string ip;  // canonical text form
    std::optional<std::int64_t> room_id;
    bool monitored = true;
    Check check;
    std::optional<std::int64_t> parent_id;  // the device this one is reached through
    // Several nodes: the locations whose nodes probe it (one node in each);
    // none: any one node. Disconnected when `quorum` of them say so.
    std::optional<std::vector<std::string>> locations;
    int quorum = 1;
};

// Where status changes are sent (notify/). `secret` signs webhook bodies.
struct Notifier {
    std::int64_t id = 0;
    std::string name;
    std::string type = "webhook";  // "webhook" or "email"
    std::string url;               // webhook only
    std::string format = "json";   // webhook only: "json", "slack" or "ntfy"
    std::vector<std::string> to;   // email only: the recipients
    std::string secret;            // empty: unsigned
    std::vector<std::string> events{"down", "up"};
    std::optional<std::int64_t> room_id;  // only that room's devices; none: every device
    bool enabled = true;
};

// A time during which status changes of the devices it covers are recorded
// muted and not sent. Covers `device_ids` and the devices of `room_id`; with
// neither, every device. Ids of devices deleted since match nothing.
struct MaintenanceWindow {
    std::int64_t id = 0;
    std::string name;
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::optional<std::int64_t> room_id;
    std::vector<std::int64_t> device_ids;
};

struct NewUser {
    std::string username;
    std::string password_hash;
};

// `configuration`: a change-feed entry for a whole configuration written at
// once (config as code): anything may have changed, read everything again.
// `notifiers`: a notifier or a maintenance window (what the dispatcher reads).
enum class Entity { user, room, device, configuration, notifiers };

// One committed write, as the change feed records it.
struct Change {
    enum class Kind { created, updated, deleted };
    std::uint64_t seq = 0;     // increases with every write
    std::uint64_t origin = 0;  // the writing store's origin()
    Entity entity = Entity::user;
    Kind kind = Kind::created;
    std::int64_t id = 0;
    std::string key;  // the username of a user, the ip of a device (kept after a delete)
};

// Everything that configuration as code manages, read in one transaction.
struct ConfigSnapshot {
    std::vector<Room> rooms;
    std::vector<Device> devices;
    std::vector<Notifier> notifiers;
    std::vector<MaintenanceWindow> maintenance;
};

// A whole configuration change, written in one transaction. Existing rows are
// named by id; a row created by the same write by its index in the matching
// `create_*` list (`new_room`, `new_parent`, `new_devices`), which wins over
// the id field beside it. Updates replace every stored field of the row.
struct ConfigWrite {
    struct DeviceRow {
        Device device;
        std::optional<std::size_t> new_room;
        std::optional<std::size_t> new_parent;
    };
    struct NotifierRow {
        Notifier notifier;
        std::optional<std::size_t> new_room;
    };
    struct WindowRow {
        MaintenanceWindow window;
        std::optional<std::size_t> new_room;
        std::vector<std::size_t> new_devices;  // added to window.device_ids
    };
    std::vector<Room> create_rooms, update_rooms;
    std::vector<DeviceRow> create_devices, update_devices;
    std::vector<NotifierRow> create_notifiers, update_notifiers;
    std::vector<WindowRow> create_maintenance, update_maintenance;
    // Deleted after the creates and updates, windows and notifiers first, rooms last.
    std::vector<std::int64_t> delete_maintenance, delete_notifiers, delete_devices, delete_rooms;
    [[nodiscard]] bool empty() const {
        return create_rooms.empty() && update_rooms.empty() && create_devices.empty() && update_devices.empty() &&
               create_notifiers.empty() && update_notifiers.empty() && create_maintenance.empty() &&
               update_maintenance.empty() && delete_maintenance.empty() && delete_notifiers.empty() &&
               delete_devices.empty() && delete_rooms.empty();
    }
};

struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct UniqueViolation : StoreError {
    explicit UniqueViolation(std::string field_name)
        : StoreError("unique violation on " + field_name), field(std::move(field_name)) {}
    std::string field;  // "username" or "ip"
};
struct NotFound : StoreError {
    explicit NotFound(Entity e) : StoreError("referenced row not found"), entity(e) {}
    Entity entity;
};
struct RoomNotEmpty : StoreError {
    RoomNotEmpty() : StoreError("room still holds devices") {}
};
struct LastAdmin : StoreError {
    LastAdmin() : StoreError("the last admin cannot be demoted, disabled or deleted") {}
};
struct DependencyCycle : StoreError {
    DependencyCycle() : StoreError("a device cannot depend on itself or on a device behind it") {}
};

class Store {
public:
    virtual ~Store() = default;

    // This store's mark on the changes it writes: random, one per instance.
    [[nodiscard]] virtual std::uint64_t origin() const = 0;
    // The changes after `seq`, oldest first, at most `limit`; nullopt when the
    // log no longer reaches back to `seq` (it keeps the recent ones only):
    // then read everything again. Cheap when nothing changed.
    virtual std::optional<std::vector<Change>> changes_after(std::uint64_t seq, std::size_t limit) = 0;
    virtual std::uint64_t last_change() = 0;  // the newest seq, 0 when none

    // Users. Usernames compare without regard to ASCII case.
    virtual std::optional<User> find_user(const std::string& username) = 0;
    // `role_for(first)` is told whether no account exists yet (in the same
    // transaction as the insert) and chooses the new account's role.
    virtual User create_user(const NewUser& user, const std::function<Role(bool first)>& role_for) = 0;
    // Replaces the hash alone (a rehash after login; tokens stay valid), and
    // only if it is still `expected_hash`: a password changed meanwhile, or a
    // name deleted and registered again, is never overwritten. False: not set.
    virtual bool set_password_hash(const std::string& username, const std::string& expected_hash,
                                   const std::string& password_hash) = 0;
    // Moves the account's token generation on (every token issued so far is
    // refused) and, when given, sets a new password hash in the same write:
    // a password change and "log out everywhere". False: no such user.
    virtual bool revoke_tokens(const std::string& username, const std::optional<std::string>& new_password_hash) = 0;
    virtual bool delete_user(const std::string& username) = 0;
    virtual std::vector<User> list_users() = 0;
    virtual std::optional<User> find_user_by_id(std::int64_t id) = 0;
    // Runs `edit` on the account inside the write (its id, name and hash
    // stay); throws LastAdmin when no enabled admin would be left. Disabling
    // moves the token generation on. nullopt: no such account.
    virtual std::optional<User> update_user(std::int64_t id, const std::function<void(User&)>& edit) = 0;
    // The deleted account; throws LastAdmin for the last enabled admin.
    virtual std::optional<User> delete_user_by_id(std::int64_t id) = 0;

    // API tokens (a change-feed entry of entity `user`, id 0, so that other
    // processes drop what they cached).
    virtual ApiToken create_api_token(const ApiToken& token) = 0;  // token.id is ignored
    virtual std::vector<ApiToken> list_api_tokens() = 0;
    virtual std::optional<ApiToken> find_api_token(const std::string& hash) = 0;
    virtual std::optional<ApiToken> find_api_token_by_id(std::int64_t id) = 0;
    virtual bool delete_api_token(std::int64_t id) = 0;
    virtual void touch_api_token(std::int64_t id, std::int64_t used_ms) = 0;  // sets last_used

    // Rooms.
    virtual std::vector<Room> list_rooms() = 0;
    virtual std::optional<Room> find_room(std::int64_t id) = 0;
    virtual Room create_room(const Room& room) = 0;  // room.id is ignored
    // Runs `edit` on the stored room inside the write; nullopt: no such room.
    virtual std::optional<Room> update_room(std::int64_t id, const std::function<void(Room&)>& edit) = 0;
    virtual bool delete_room(std::int64_t id) = 0;  // false: no such room; throws RoomNotEmpty

    // Devices. A room_id that names no room throws NotFound{Entity::room}, a
    // parent_id that names no device NotFound{Entity::device}, a parent that
    // is the device or behind it DependencyCycle. Deleting a device leaves
    // the devices behind it without a parent.
    virtual std::vector<Device> list_devices(std::optional<std::int64_t> room_id) = 0;
    // A page of every device: those with an id above `after_id`, by id, at
    // most `limit`. Each page is a read of its own (not one snapshot).
    virtual std::vector<Device> list_devices_after(std::int64_t after_id, std::size_t limit) = 0;
    // How many devices there are (a read of its own, like each page).
    virtual std::size_t count_devices() = 0;
    virtual std::optional<Device> find_device(std::int64_t id) = 0;
    virtual Device create_device(const Device& device) = 0;  // device.id is ignored
    // Runs `edit` on the stored device inside the write (its id stays); the
    // result must keep the room and ip rules above. nullopt: no such device.
    virtual std::optional<Device> update_device(std::int64_t id, const std::function<void(Device&)>& edit) = 0;
    // The deleted device, or nullopt when there was none.
    virtual std::optional<Device> delete_device(std::int64_t id) = 0;
    // Many devices in one transaction, all or none. A row may name its room
    // by name (created when no room has it) and its parent by IP (a stored
    // device or another row); `device.room_id`/`parent_id` are used otherwise.
    // Throws as create_device does (NotFound for a parent IP that names
    // nothing, DependencyCycle for rows that depend on each other in a circle).
    struct BulkDevice {
        Device device;
        std::optional<std::string> room_name;
        std::optional<std::string> parent_ip;
    };
    virtual std::vector<Device> create_devices(const std::vector<BulkDevice>& rows) = 0;

    // Notifiers. A room_id that names no room throws NotFound{Entity::room};
    // deleting a room deletes the notifiers and maintenance windows limited to it.
    virtual std::vector<Notifier> list_notifiers() = 0;
    virtual std::optional<Notifier> find_notifier(std::int64_t id) = 0;
    virtual Notifier create_notifier(const Notifier& notifier) = 0;  // notifier.id is ignored
    virtual std::optional<Notifier> update_notifier(std::int64_t id, const std::function<void(Notifier&)>& edit) = 0;
    virtual bool delete_notifier(std::int64_t id) = 0;

    // Maintenance windows: a room_id or device id that names nothing throws NotFound.
    virtual std::vector<MaintenanceWindow> list_maintenance() = 0;
    virtual MaintenanceWindow create_maintenance(const MaintenanceWindow& window) = 0;  // window.id is ignored
    virtual bool delete_maintenance(std::int64_t id) = 0;

    // Configuration as code. read_config: rooms, devices, notifiers and
    // windows from one snapshot. write_config runs `plan` on the stored
    // configuration inside one write transaction and writes what it returns
    // (nothing when nullopt, or when `plan` throws: its exception passes
    // through), all or nothing, with one change-feed entry of entity
    // `configuration`. Throws as the single writes do (UniqueViolation,
    // NotFound, RoomNotEmpty, DependencyCycle for parents in a circle).
    virtual ConfigSnapshot read_config() = 0;
    virtual void write_config(const std::function<std::optional<ConfigWrite>(const ConfigSnapshot&)>& plan) = 0;
};

}  // namespace gatewatch::store
