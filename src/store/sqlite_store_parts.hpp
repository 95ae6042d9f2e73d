#pragma once
// What the parts of the SQLite store share (sqlite_store.cpp: accounts, rooms,
// devices, the change feed and the schema; sqlite_store_notify.cpp: notifiers
// and maintenance windows; sqlite_store_tokens.cpp: API tokens;
// sqlite_store_config.cpp: a whole configuration at once). Internal:
// included by those files only.
#include "store/sqlite.hpp"
#include "store/sqlite_store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatewatch::store {

namespace detail {
Role parse_role(const std::string& text);
std::optional<Device> select_device(sqlite::Connection& c, std::int64_t id);
// NotFound{room} unless the room exists (or none is named).
void require_room(sqlite::Connection& c, const std::optional<std::int64_t>& room_id);
// Deletes a room; RoomNotEmpty while a device is in it (checked first: the
// foreign key's own refusal would read as a missing room).
void delete_empty_room(sqlite::Connection& c, std::int64_t id);
Room read_room(const sqlite::Statement& s);
// The columns id, name, ip, room_id, monitored, check_type, check_port, parent_id.
Device read_device(const sqlite::Statement& s);
// Binds name, ip, room_id, monitored, check_type, check_port, parent_id to parameters 1 to 7.
void bind_device_columns(sqlite::Statement& s, const Device& d);
// The columns id, name, type, url, format, recipients, secret, events, room_id, enabled.
Notifier read_notifier(const sqlite::Statement& s);
// Binds name, type, url, format, recipients, secret, events, room_id, enabled to parameters 1 to 9.
void bind_notifier_columns(sqlite::Statement& s, const Notifier& n);
// Lists kept as text (sqlite_store_schema.hpp): joined with, split at `separator`.
std::string join(const std::vector<std::string>& parts, char separator);
std::vector<std::string> split(const std::string& text, char separator);
// Appends to the change feed, inside the caller's write transaction.
void record_change(sqlite::Connection& c, std::uint64_t origin, Entity entity, Change::Kind kind, std::int64_t id,
                   std::optional<std::string_view> key);
}  // namespace detail

template <typename Work>
auto SqliteStore::write(Work&& work) {
    std::lock_guard lock(writer_mutex_);
    sqlite::Transaction tx(*writer_, true);
    auto result = work(*writer_);
    tx.commit();
    return result;
}


}  // namespace gatewatch::store
