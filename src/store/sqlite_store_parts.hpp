#pragma once
// What the parts of the SQLite store share (sqlite_store.cpp: accounts, rooms,
// devices, the change feed and the schema; sqlite_store_notify.cpp: notifiers
// and maintenance windows; sqlite_store_tokens.cpp: API tokens). Internal:
// included by those files only.
#include "store/sqlite.hpp"
#include "store/sqlite_store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace gatewatch::store {

namespace detail {
Role parse_role(const std::string& text);
std::optional<Device> select_device(sqlite::Connection& c, std::int64_t id);
// NotFound{room} unless the room exists (or none is named).
void require_room(sqlite::Connection& c, const std::optional<std::int64_t>& room_id);
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
