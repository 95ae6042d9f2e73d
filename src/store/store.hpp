#pragma once
// The store: users, rooms and devices, behind one interface.
//
// Handlers talk only to `Store`; SQLite (sqlite_store.hpp) implements it now
// and PostgreSQL can later without touching them. Every method is one
// transaction and is safe to call from any thread at once.
// Failures are typed: a handler maps each one to its HTTP answer in one place.
//   UniqueViolation   a username or a device IP that is taken
//   NotFound          a referenced row (a device's room) does not exist
//   RoomNotEmpty      deleting a room that still holds devices
//   StoreError        anything else (I/O, corruption, busy past the timeout)
#include <cstdint>
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
    std::int64_t tokens_valid_from = 0;  // seconds since the epoch: tokens issued before are refused
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
};

struct NewUser {
    std::string username;
    std::string password_hash;
    std::optional<Role> role;  // none: admin when it is the first account, else viewer
};

struct RoomPatch {
    std::optional<std::string> name;
    std::optional<std::optional<std::string>> description;  // set to null with {nullopt}
};

struct DevicePatch {
    std::optional<std::string> name;
    std::optional<std::string> ip;
    std::optional<std::optional<std::int64_t>> room_id;
    std::optional<bool> monitored;
    std::optional<Check> check;
};

enum class Entity { user, room, device };

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

class Store {
public:
    virtual ~Store() = default;

    // A number that changes whenever committed data changes, whether this
    // process or another one wrote it; equal numbers mean nothing changed in
    // between. Lets callers keep what they read until it does.
    virtual std::uint64_t data_version() = 0;

    // Users. Usernames compare without regard to ASCII case.
    virtual std::optional<User> find_user(const std::string& username) = 0;
    virtual User create_user(const NewUser& user) = 0;
    // Replaces the hash alone (a rehash after login): tokens stay valid.
    virtual bool set_password_hash(const std::string& username, const std::string& password_hash) = 0;
    // Refuses the account's tokens issued before `tokens_valid_from` (it only
    // moves forward) and, when given, sets a new password hash in the same
    // write: a password change and "log out everywhere". False: no such user.
    virtual bool revoke_tokens(const std::string& username, std::int64_t tokens_valid_from,
                               const std::optional<std::string>& new_password_hash) = 0;
    virtual bool delete_user(const std::string& username) = 0;
    virtual std::vector<User> list_users() = 0;

    // Rooms.
    virtual std::vector<Room> list_rooms() = 0;
    virtual std::optional<Room> find_room(std::int64_t id) = 0;
    virtual Room create_room(const Room& room) = 0;  // room.id is ignored
    virtual std::optional<Room> update_room(std::int64_t id, const RoomPatch& patch) = 0;
    virtual bool delete_room(std::int64_t id) = 0;  // false: no such room; throws RoomNotEmpty

    // Devices. A room_id that names no room throws NotFound{Entity::room}.
    virtual std::vector<Device> list_devices(std::optional<std::int64_t> room_id) = 0;
    virtual std::optional<Device> find_device(std::int64_t id) = 0;
    virtual Device create_device(const Device& device) = 0;  // device.id is ignored
    virtual std::optional<Device> update_device(std::int64_t id, const DevicePatch& patch) = 0;
    virtual bool delete_device(std::int64_t id) = 0;
};

}  // namespace gatewatch::store
