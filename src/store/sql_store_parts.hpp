#pragma once
// What the parts of the SQL store share (sql_store.cpp: accounts, rooms,
// devices, the change feed; sql_store_notify.cpp: notifiers and maintenance
// windows; sql_store_tokens.cpp: API tokens; sql_store_config.cpp: a whole
// configuration at once). Internal: included by those files only.
#include "store/sql.hpp"
#include "store/sql_store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatewatch::store {

namespace detail {
Role parse_role(const std::string& text);
std::optional<Device> select_device(sql::Connection& c, std::int64_t id);
// NotFound{room} unless the room exists (or none is named).
void require_room(sql::Connection& c, const std::optional<std::int64_t>& room_id);
// Deletes a room; RoomNotEmpty while a device is in it (checked first: the
// foreign key's own refusal would read as a missing room).
void delete_empty_room(sql::Connection& c, std::int64_t id);
Room read_room(const sql::Statement& s);
// A device's columns, in the order read_device() reads them.
#define GW_DEVICE_COLUMNS "id, name, ip, room_id, monitored, check_type, check_port, parent_id, locations, quorum"
// The statements bind_device_columns() binds, the update's id last (parameter 10).
#define GW_INSERT_DEVICE                                                                                   \
    "INSERT INTO devices (name, ip, room_id, monitored, check_type, check_port, parent_id, locations, quorum)" \
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
#define GW_UPDATE_DEVICE                                                                                  \
    "UPDATE devices SET name = ?, ip = ?, room_id = ?, monitored = ?, check_type = ?, check_port = ?, "     \
    "parent_id = ?, locations = ?, quorum = ? WHERE id = ?"
constexpr int k_update_device_id_parameter = 10;
Device read_device(const sql::Statement& s);
// Binds name, ip, room_id, monitored, check_type, check_port, parent_id,
// locations, quorum to parameters 1 to 9.
void bind_device_columns(sql::Statement& s, const Device& d);
// The columns id, name, type, url, format, recipients, secret, events, room_id, enabled.
Notifier read_notifier(const sql::Statement& s);
// Binds name, type, url, format, recipients, secret, events, room_id, enabled to parameters 1 to 9.
void bind_notifier_columns(sql::Statement& s, const Notifier& n);
// Lists kept as text (the schemas): joined with, split at `separator`.
std::string join(const std::vector<std::string>& parts, char separator);
std::vector<std::string> split(const std::string& text, char separator);
// Appends to the change feed, inside the caller's write transaction.
void record_change(sql::Connection& c, std::uint64_t origin, Entity entity, Change::Kind kind, std::int64_t id,
                   std::optional<std::string_view> key);
}  // namespace detail

}  // namespace gatewatch::store
