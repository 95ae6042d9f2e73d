// The SQL store's configuration as code (sql_store.hpp): the whole
// configuration read from one snapshot, and written in one transaction.
#include "store/sql_store_parts.hpp"

#include <unordered_map>
#include <unordered_set>

namespace gatewatch::store {
using sql::Connection;
using sql::Statement;
using namespace detail;

namespace {

ConfigSnapshot select_all(Connection& c) {
    ConfigSnapshot out;
    auto rooms = c.prepare("SELECT id, name, description FROM rooms ORDER BY id");
    while (rooms.step()) out.rooms.push_back(read_room(rooms));
    auto devices = c.prepare(
        "SELECT " GW_DEVICE_COLUMNS " FROM devices ORDER BY id");
    while (devices.step()) out.devices.push_back(read_device(devices));
    auto notifiers = c.prepare(
        "SELECT id, name, type, url, format, recipients, secret, events, room_id, enabled FROM notifiers ORDER BY id");
    while (notifiers.step()) out.notifiers.push_back(read_notifier(notifiers));
    auto windows = c.prepare(
        "SELECT id, name, start_ms, end_ms, room_id, device_ids FROM maintenance_windows ORDER BY start_ms, id");
    while (windows.step()) {
        MaintenanceWindow w{windows.int64(0), windows.text(1), windows.int64(2), windows.int64(3),
                            windows.optional_int64(4), {}};
        for (const auto& id : split(windows.text(5), ',')) w.device_ids.push_back(std::stoll(id));
        out.maintenance.push_back(std::move(w));
    }
    return out;
}

// The id of a row named either by the write's index into what it created or by its own id.
std::optional<std::int64_t> resolve(const std::optional<std::size_t>& created_index,
                                    const std::vector<std::int64_t>& created, const std::optional<std::int64_t>& id) {
    if (created_index) return created.at(*created_index);
    return id;
}

// Throws DependencyCycle when the parents of the stored devices go round in a
// circle. One pass over every device's parent: O(devices), however the write
// changed them, instead of a recursive query per changed device.
void require_no_cycle(Connection& c) {
    std::unordered_map<std::int64_t, std::int64_t> parent;
    auto s = c.prepare("SELECT id, parent_id FROM devices WHERE parent_id IS NOT NULL");
    while (s.step()) parent.emplace(s.int64(0), s.int64(1));
    std::unordered_map<std::int64_t, int> state;  // 1: on the walk now, 2: known to end
    for (const auto& [start, ignored] : parent) {
        std::vector<std::int64_t> walk;
        std::int64_t at = start;
        for (;;) {
            auto& seen = state[at];
            if (seen == 2) break;
            if (seen == 1) throw DependencyCycle();
            seen = 1;
            walk.push_back(at);
            const auto up = parent.find(at);
            if (up == parent.end()) break;
            at = up->second;
        }
        for (const auto id : walk) state[id] = 2;
    }
}

void write_window(Connection& c, const ConfigWrite::WindowRow& row, const std::vector<std::int64_t>& new_rooms,
                  const std::vector<std::int64_t>& new_devices, std::optional<std::int64_t> update_id) {
    const auto room = resolve(row.new_room, new_rooms, row.window.room_id);
    require_room(c, room);
    std::vector<std::int64_t> ids = row.window.device_ids;
    for (const auto id : ids)
        if (!select_device(c, id)) throw NotFound(Entity::device);
    for (const auto index : row.new_devices) ids.push_back(new_devices.at(index));
    std::vector<std::string> texts;
    texts.reserve(ids.size());
    for (const auto id : ids) texts.push_back(std::to_string(id));
    auto s = update_id ? c.prepare(
                             "UPDATE maintenance_windows SET name = ?, start_ms = ?, end_ms = ?, room_id = ?,"
                             " device_ids = ? WHERE id = ?")
                       : c.prepare(
                             "INSERT INTO maintenance_windows (name, start_ms, end_ms, room_id, device_ids)"
                             " VALUES (?, ?, ?, ?, ?)");
    s.bind(1, row.window.name).bind(2, row.window.start_ms).bind(3, row.window.end_ms).bind(4, room);
    s.bind(5, join(texts, ','));
    if (update_id) s.bind(6, *update_id);
    s.step();
}

void delete_by_id(Connection& c, const char* sql, const std::vector<std::int64_t>& ids) {
    for (const auto id : ids) {
        auto s = c.prepare(sql);
        s.bind(1, id);
        s.step();
    }
}

}  // namespace

ConfigSnapshot SqlStore::read_config() {
    auto lease = read();
    sql::Transaction tx(*lease, Connection::Mode::read);  // the four lists from one snapshot
    auto out = select_all(*lease);
    tx.commit();
    return out;
}

void SqlStore::write_config(const std::function<std::optional<ConfigWrite>(const ConfigSnapshot&)>& plan) {
    write([&](Connection& c) {
        const auto planned = plan(select_all(c));
        if (!planned || planned->empty()) return false;
        const ConfigWrite& w = *planned;

        std::vector<std::int64_t> new_rooms;
        new_rooms.reserve(w.create_rooms.size());
        for (const auto& room : w.create_rooms) {
            auto s = c.prepare("INSERT INTO rooms (name, description) VALUES (?, ?) RETURNING id");
            s.bind(1, room.name).bind(2, room.description);
            s.step();
            new_rooms.push_back(s.int64(0));
        }
        for (const auto& room : w.update_rooms) {
            auto s = c.prepare("UPDATE rooms SET name = ?, description = ? WHERE id = ?");
            s.bind(1, room.name).bind(2, room.description).bind(3, room.id);
            s.step();
        }

        // Devices: created without the parents that are created too, which
        // get their ids once every row is in.
        std::vector<std::int64_t> new_devices;
        new_devices.reserve(w.create_devices.size());
        for (const auto& row : w.create_devices) {
            Device d = row.device;
            d.room_id = resolve(row.new_room, new_rooms, d.room_id);
            if (row.new_parent) d.parent_id.reset();
            auto s = c.prepare(GW_INSERT_DEVICE);
            bind_device_columns(s, d);
            s.step();
            new_devices.push_back(s.int64(0));
        }
        for (std::size_t i = 0; i < w.create_devices.size(); ++i) {
            if (!w.create_devices[i].new_parent) continue;
            auto s = c.prepare("UPDATE devices SET parent_id = ? WHERE id = ?");
            s.bind(1, new_devices.at(*w.create_devices[i].new_parent)).bind(2, new_devices[i]);
            s.step();
        }
        for (const auto& row : w.update_devices) {
            Device d = row.device;
            d.room_id = resolve(row.new_room, new_rooms, d.room_id);
            d.parent_id = resolve(row.new_parent, new_devices, d.parent_id);
            auto s = c.prepare(GW_UPDATE_DEVICE);
            bind_device_columns(s, d);
            s.bind(k_update_device_id_parameter, d.id);
            s.step();
            if (c.changes() == 0) throw NotFound(Entity::device);
        }

        for (const auto& row : w.create_notifiers) {
            Notifier n = row.notifier;
            n.room_id = resolve(row.new_room, new_rooms, n.room_id);
            auto s = c.prepare(
                "INSERT INTO notifiers (name, type, url, format, recipients, secret, events, room_id, enabled)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
            bind_notifier_columns(s, n);
            s.step();
        }
        for (const auto& row : w.update_notifiers) {
            Notifier n = row.notifier;
            n.room_id = resolve(row.new_room, new_rooms, n.room_id);
            auto s = c.prepare(
                "UPDATE notifiers SET name = ?, type = ?, url = ?, format = ?, recipients = ?, secret = ?,"
                " events = ?, room_id = ?, enabled = ? WHERE id = ?");
            bind_notifier_columns(s, n);
            s.bind(10, n.id);
            s.step();
        }
        for (const auto& row : w.create_maintenance) write_window(c, row, new_rooms, new_devices, std::nullopt);
        for (const auto& row : w.update_maintenance) write_window(c, row, new_rooms, new_devices, row.window.id);

        delete_by_id(c, "DELETE FROM maintenance_windows WHERE id = ?", w.delete_maintenance);
        delete_by_id(c, "DELETE FROM notifiers WHERE id = ?", w.delete_notifiers);
        delete_by_id(c, "DELETE FROM devices WHERE id = ?", w.delete_devices);
        for (const auto id : w.delete_rooms) delete_empty_room(c, id);
        if (!w.create_devices.empty() || !w.update_devices.empty()) require_no_cycle(c);
        record_change(c, origin_, Entity::configuration, Change::Kind::updated, 0, std::nullopt);
        return true;
    });
}

}  // namespace gatewatch::store
