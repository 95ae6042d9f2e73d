// The SQL store's notifiers and maintenance windows (sql_store.hpp).
#include "store/sql_store_parts.hpp"

namespace gatewatch::store {
using sql::Connection;
using sql::Statement;
using namespace detail;

// Shared with the configuration's reads and writes (sql_store_parts.hpp).
namespace detail {

std::string join(const std::vector<std::string>& parts, char separator) {
    std::string out;
    for (const auto& part : parts) {
        if (!out.empty()) out += separator;
        out += part;
    }
    return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::size_t begin = 0;
    while (begin < text.size()) {
        auto end = text.find(separator, begin);
        if (end == std::string::npos) end = text.size();
        if (end > begin) parts.push_back(text.substr(begin, end - begin));
        begin = end + 1;
    }
    return parts;
}

constexpr const char* k_notifier_columns =
    "SELECT id, name, type, url, format, recipients, secret, events, room_id, enabled FROM notifiers ";

Notifier read_notifier(const Statement& s) {
    Notifier n;
    n.id = s.int64(0);
    n.name = s.text(1);
    n.type = s.text(2);
    n.url = s.text(3);
    n.format = s.text(4);
    n.to = split(s.text(5), '\n');
    n.secret = s.text(6);
    n.events = split(s.text(7), ',');
    n.room_id = s.optional_int64(8);
    n.enabled = s.int64(9) != 0;
    return n;
}

void bind_notifier_columns(Statement& s, const Notifier& n) {
    s.bind(1, n.name).bind(2, n.type).bind(3, n.url).bind(4, n.format).bind(5, join(n.to, '\n'));
    s.bind(6, n.secret).bind(7, join(n.events, ',')).bind(8, n.room_id).bind(9, std::int64_t{n.enabled ? 1 : 0});
}

std::optional<Notifier> select_notifier(Connection& c, std::int64_t id) {
    auto s = c.prepare(std::string(k_notifier_columns) + "WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_notifier(s);
}

}  // namespace detail

std::vector<Notifier> SqlStore::list_notifiers() {
    auto lease = read();
    auto s = lease->prepare(std::string(k_notifier_columns) + "ORDER BY id");
    std::vector<Notifier> out;
    while (s.step()) out.push_back(read_notifier(s));
    return out;
}

std::optional<Notifier> SqlStore::find_notifier(std::int64_t id) {
    auto lease = read();
    return select_notifier(*lease, id);
}

Notifier SqlStore::create_notifier(const Notifier& notifier) {
    return write([&](Connection& c) {
        require_room(c, notifier.room_id);
        auto s = c.prepare(
            "INSERT INTO notifiers (name, type, url, format, recipients, secret, events, room_id, enabled)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        bind_notifier_columns(s, notifier);
        s.step();
        Notifier created = notifier;
        created.id = s.int64(0);
        record_change(c, origin_, Entity::notifiers, Change::Kind::created, created.id, created.name);
        return created;
    });
}

std::optional<Notifier> SqlStore::update_notifier(std::int64_t id, const std::function<void(Notifier&)>& edit) {
    return write([&](Connection& c) -> std::optional<Notifier> {
        auto notifier = select_notifier(c, id);
        if (!notifier) return std::nullopt;
        const auto room_before = notifier->room_id;
        edit(*notifier);
        notifier->id = id;
        if (notifier->room_id != room_before) require_room(c, notifier->room_id);
        auto s = c.prepare(
            "UPDATE notifiers SET name = ?, type = ?, url = ?, format = ?, recipients = ?, secret = ?, events = ?,"
            " room_id = ?, enabled = ? WHERE id = ?");
        bind_notifier_columns(s, *notifier);
        s.bind(10, id);
        s.step();
        record_change(c, origin_, Entity::notifiers, Change::Kind::updated, id, notifier->name);
        return notifier;
    });
}

bool SqlStore::delete_notifier(std::int64_t id) {
    return write([&](Connection& c) {
        auto s = c.prepare("DELETE FROM notifiers WHERE id = ?");
        s.bind(1, id);
        s.step();
        if (c.changes() == 0) return false;
        record_change(c, origin_, Entity::notifiers, Change::Kind::deleted, id, std::nullopt);
        return true;
    });
}

std::vector<MaintenanceWindow> SqlStore::list_maintenance() {
    auto lease = read();
    auto s = lease->prepare(
        "SELECT id, name, start_ms, end_ms, room_id, device_ids FROM maintenance_windows ORDER BY start_ms, id");
    std::vector<MaintenanceWindow> out;
    while (s.step()) {
        MaintenanceWindow w{s.int64(0), s.text(1), s.int64(2), s.int64(3), s.optional_int64(4), {}};
        for (const auto& id : split(s.text(5), ',')) w.device_ids.push_back(std::stoll(id));
        out.push_back(std::move(w));
    }
    return out;
}

MaintenanceWindow SqlStore::create_maintenance(const MaintenanceWindow& window) {
    return write([&](Connection& c) {
        require_room(c, window.room_id);
        std::vector<std::string> ids;
        for (const auto id : window.device_ids) {
            if (!select_device(c, id)) throw NotFound(Entity::device);
            ids.push_back(std::to_string(id));
        }
        auto s = c.prepare(
            "INSERT INTO maintenance_windows (name, start_ms, end_ms, room_id, device_ids) VALUES (?, ?, ?, ?, ?)"
            " RETURNING id");
        s.bind(1, window.name).bind(2, window.start_ms).bind(3, window.end_ms).bind(4, window.room_id);
        s.bind(5, join(ids, ','));
        s.step();
        MaintenanceWindow created = window;
        created.id = s.int64(0);
        record_change(c, origin_, Entity::notifiers, Change::Kind::created, created.id, created.name);
        return created;
    });
}

bool SqlStore::delete_maintenance(std::int64_t id) {
    return write([&](Connection& c) {
        auto s = c.prepare("DELETE FROM maintenance_windows WHERE id = ?");
        s.bind(1, id);
        s.step();
        if (c.changes() == 0) return false;
        record_change(c, origin_, Entity::notifiers, Change::Kind::deleted, id, std::nullopt);
        return true;
    });
}

}  // namespace gatewatch::store
