#include "store/sql_history.hpp"

namespace gatewatch::store {
using sql::Connection;
using sql::Statement;
using sql::Transaction;

namespace {

StatusEvent read_event(const Statement& s, const std::string& location = {}) {
    StatusEvent e;
    e.location = location;
    e.device_id = s.int64(0);
    e.at_ms = s.int64(1);
    e.status = s.text(2);
    e.previous = s.text(3);
    e.unreachable_via = s.optional_int64(4);
    e.muted = s.int64(5) != 0;
    return e;
}

constexpr const char* k_delivery_columns =
    "SELECT id, notifier_id, device_id, payload, created_ms, next_at_ms, attempts, status, last_error "
    "FROM deliveries ";

constexpr const char* k_event_columns = "device_id, at_ms, status, previous, unreachable_via, muted";

// The columns of read_event() and the table: a location's events, or the device's own.
std::string event_columns(const std::string& location) {
    return location.empty() ? std::string(k_event_columns) + " FROM status_events"
                            : std::string("device_id, at_ms, status, previous, unreachable_via, 0 FROM location_events");
}

}  // namespace

Delivery SqlHistory::read_delivery(const Statement& s) {
    Delivery d;
    d.id = s.int64(0);
    d.notifier_id = s.int64(1);
    d.device_id = s.optional_int64(2);
    d.payload = s.text(3);
    d.created_ms = s.int64(4);
    d.next_at_ms = s.int64(5);
    d.attempts = static_cast<int>(s.int64(6));
    d.status = s.text(7);
    d.last_error = s.text(8);
    return d;
}

void SqlHistory::write(const std::vector<SeriesChunk>& chunks, const std::vector<StatusEvent>& events,
                       const std::vector<Delivery>& deliveries) {
    if (chunks.empty() && events.empty() && deliveries.empty()) return;
    run_write([&](Connection& c) {
        for (const auto& chunk : chunks) {
            if (!chunk.location.empty()) {  // a location's view: one table, open or complete
                auto s = c.prepare(
                    "INSERT INTO location_series (level, start, device_id, location, data) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (level, start, device_id, location) DO UPDATE SET data = excluded.data");
                s.bind(1, std::int64_t{chunk.level}).bind(2, chunk.start).bind(3, chunk.device_id);
                s.bind(4, chunk.location).bind_blob(5, chunk.data);
                s.step();
                continue;
            }
            const char* table_upsert =
                chunk.complete ? "INSERT INTO series (level, start, device_id, data) VALUES (?, ?, ?, ?)"
                                 " ON CONFLICT (level, start, device_id) DO UPDATE SET data = excluded.data"
                               : "INSERT INTO series_open (level, start, device_id, data) VALUES (?, ?, ?, ?)"
                                 " ON CONFLICT (level, start, device_id) DO UPDATE SET data = excluded.data";
            auto s = c.prepare(table_upsert);
            s.bind(1, std::int64_t{chunk.level}).bind(2, chunk.start).bind(3, chunk.device_id).bind_blob(4, chunk.data);
            s.step();
            if (!chunk.complete) continue;
            auto gone = c.prepare("DELETE FROM series_open WHERE level = ? AND start = ? AND device_id = ?");
            gone.bind(1, std::int64_t{chunk.level}).bind(2, chunk.start).bind(3, chunk.device_id);
            gone.step();
        }
        for (const auto& e : events) {
            if (!e.location.empty()) {
                auto s = c.prepare(
                    "INSERT INTO location_events (device_id, location, at_ms, status, previous, unreachable_via)"
                    " VALUES (?, ?, ?, ?, ?, ?)");
                s.bind(1, e.device_id).bind(2, e.location).bind(3, e.at_ms).bind(4, e.status).bind(5, e.previous);
                s.bind(6, e.unreachable_via);
                s.step();
                continue;
            }
            auto s = c.prepare(
                "INSERT INTO status_events (device_id, at_ms, status, previous, unreachable_via, muted)"
                " VALUES (?, ?, ?, ?, ?, ?)");
            s.bind(1, e.device_id).bind(2, e.at_ms).bind(3, e.status).bind(4, e.previous).bind(5, e.unreachable_via);
            s.bind(6, std::int64_t{e.muted ? 1 : 0});
            s.step();
        }
        for (const auto& d : deliveries) {
            auto s = c.prepare(
                "INSERT INTO deliveries (notifier_id, device_id, payload, created_ms, next_at_ms)"
                " VALUES (?, ?, ?, ?, ?)");
            s.bind(1, d.notifier_id).bind(2, d.device_id).bind(3, d.payload).bind(4, d.created_ms);
            s.bind(5, d.next_at_ms);
            s.step();
        }
    });
}

std::vector<SeriesChunk> SqlHistory::chunks(std::int64_t device_id, std::string_view location, int level,
                                            const std::vector<std::int64_t>& starts) {
    auto lease = read();
    Transaction tx(*lease, Connection::Mode::read);  // one snapshot for every chunk
    std::vector<SeriesChunk> out;
    const std::string place(location);
    for (const auto start : starts) {
        if (!place.empty()) {
            auto s = lease->prepare(
                "SELECT data FROM location_series WHERE level = ? AND start = ? AND device_id = ? AND location = ?");
            s.bind(1, std::int64_t{level}).bind(2, start).bind(3, device_id).bind(4, place);
            if (s.step()) out.push_back({device_id, level, start, s.blob(0), false, place});
            continue;
        }
        auto done = lease->prepare("SELECT data FROM series WHERE level = ? AND start = ? AND device_id = ?");
        done.bind(1, std::int64_t{level}).bind(2, start).bind(3, device_id);
        if (done.step()) {
            out.push_back({device_id, level, start, done.blob(0), true});
            continue;
        }
        auto open = lease->prepare("SELECT data FROM series_open WHERE level = ? AND start = ? AND device_id = ?");
        open.bind(1, std::int64_t{level}).bind(2, start).bind(3, device_id);
        if (open.step()) out.push_back({device_id, level, start, open.blob(0), false});
    }
    tx.commit();
    return out;
}

std::vector<StatusEvent> SqlHistory::events(std::int64_t device_id, std::string_view location, std::int64_t from_ms,
                                            std::int64_t to_ms, std::size_t limit) {
    auto lease = read();
    const std::string place(location);
    auto s = lease->prepare(std::string("SELECT ") + event_columns(place) + " WHERE device_id = ? AND at_ms >= ? AND at_ms <= ?" +
                            (place.empty() ? "" : " AND location = ?") + " ORDER BY at_ms DESC, id DESC LIMIT ?");
    s.bind(1, device_id).bind(2, from_ms).bind(3, to_ms);
    int next = 4;
    if (!place.empty()) s.bind(next++, place);
    s.bind(next, static_cast<std::int64_t>(limit));
    std::vector<StatusEvent> out;
    while (s.step()) out.push_back(read_event(s, place));
    return out;
}

std::vector<StatusEvent> SqlHistory::last_events_before(const std::vector<std::int64_t>& device_ids,
                                                        std::string_view location, std::int64_t at_ms) {
    auto lease = read();
    Transaction tx(*lease, Connection::Mode::read);  // one snapshot for every device
    const std::string place(location);
    std::vector<StatusEvent> out;
    for (const auto id : device_ids) {
        auto s = lease->prepare(std::string("SELECT ") + event_columns(place) + " WHERE device_id = ? AND at_ms < ?" +
                                (place.empty() ? "" : " AND location = ?") + " ORDER BY at_ms DESC, id DESC LIMIT 1");
        s.bind(1, id).bind(2, at_ms);
        if (!place.empty()) s.bind(3, place);
        if (s.step()) out.push_back(read_event(s, place));
    }
    tx.commit();
    return out;
}

std::vector<StatusEvent> SqlHistory::events_between(std::int64_t from_ms, std::int64_t to_ms) {
    auto lease = read();
    auto s = lease->prepare(std::string("SELECT ") + k_event_columns +
                              " FROM status_events WHERE at_ms >= ? AND at_ms <= ? ORDER BY device_id, at_ms, id");
    s.bind(1, from_ms).bind(2, to_ms);
    std::vector<StatusEvent> out;
    while (s.step()) out.push_back(read_event(s));
    return out;
}

std::size_t SqlHistory::trim(int level, std::int64_t before) {
    std::size_t removed = 0;
    for (bool more = true; more;) {
        // One period at a time: the recorder's flushes wait for one short transaction at most.
        run_write([&](Connection& c) {
            std::optional<std::int64_t> start;
            {
                auto oldest = c.prepare("SELECT start FROM series WHERE level = ? AND start < ? ORDER BY start LIMIT 1");
                oldest.bind(1, std::int64_t{level}).bind(2, before);
                if (oldest.step()) start = oldest.int64(0);
            }
            more = start.has_value();
            if (!more) return;
            c.prepare("DELETE FROM series WHERE level = ? AND start = ?").bind(1, std::int64_t{level}).bind(2, *start).step();
            removed += static_cast<std::size_t>(c.changes());
        });
    }
    // Chunks left open by a device that stopped before its period ended, and
    // the locations' views (few: only devices that list locations have them).
    run_write([&](Connection& c) {
        c.prepare("DELETE FROM series_open WHERE level = ? AND start < ?").bind(1, std::int64_t{level}).bind(2, before).step();
        removed += static_cast<std::size_t>(c.changes());
        c.prepare("DELETE FROM location_series WHERE level = ? AND start < ?")
            .bind(1, std::int64_t{level})
            .bind(2, before)
            .step();
        removed += static_cast<std::size_t>(c.changes());
    });
    return removed;
}

std::size_t SqlHistory::trim_events(std::int64_t before_ms) {
    std::size_t removed = 0;
    run_write([&](Connection& c) {
        // No index on time alone: the scan runs once an hour over small rows.
        c.prepare("DELETE FROM status_events WHERE at_ms < ?").bind(1, before_ms).step();
        removed = static_cast<std::size_t>(c.changes());
        c.prepare("DELETE FROM location_events WHERE at_ms < ?").bind(1, before_ms).step();
        removed += static_cast<std::size_t>(c.changes());
    });
    return removed;
}

std::vector<Delivery> SqlHistory::due_deliveries(std::int64_t now_ms, std::size_t per_notifier,
                                                    std::size_t limit) {
    auto lease = read();
    auto s = lease->prepare(std::string(k_delivery_columns) +
                              "WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
                              "(PARTITION BY notifier_id ORDER BY next_at_ms, id) AS n FROM deliveries "
                              "WHERE status = 'pending' AND next_at_ms <= ?) AS due WHERE n <= ?) "
                              "ORDER BY next_at_ms, id LIMIT ?");
    s.bind(1, now_ms).bind(2, static_cast<std::int64_t>(per_notifier)).bind(3, static_cast<std::int64_t>(limit));
    std::vector<Delivery> out;
    while (s.step()) out.push_back(read_delivery(s));
    return out;
}

std::vector<std::int64_t> SqlHistory::devices_notified_down() {
    auto lease = read();
    auto s = lease->prepare(std::string(
                                "SELECT device_id FROM deliveries WHERE id IN "
                                "(SELECT max(id) FROM deliveries WHERE device_id IS NOT NULL GROUP BY device_id) "
                                "AND ") +
                            payload_event_ + " = 'device.down'");
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
}

std::optional<std::int64_t> SqlHistory::next_delivery_at() {
    auto lease = read();
    auto s = lease->prepare("SELECT min(next_at_ms) FROM deliveries WHERE status = 'pending'");
    s.step();
    return s.optional_int64(0);
}

void SqlHistory::update_delivery(const Delivery& d) {
    run_write([&](Connection& c) {
        auto s = c.prepare("UPDATE deliveries SET status = ?, attempts = ?, next_at_ms = ?, last_error = ? WHERE id = ?");
        s.bind(1, d.status).bind(2, std::int64_t{d.attempts}).bind(3, d.next_at_ms).bind(4, d.last_error).bind(5, d.id);
        s.step();
    });
}

std::vector<Delivery> SqlHistory::deliveries(std::int64_t notifier_id, std::size_t limit) {
    auto lease = read();
    auto s = lease->prepare(std::string(k_delivery_columns) + "WHERE notifier_id = ? ORDER BY id DESC LIMIT ?");
    s.bind(1, notifier_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<Delivery> out;
    while (s.step()) out.push_back(read_delivery(s));
    return out;
}

std::size_t SqlHistory::trim_deliveries(std::int64_t before_ms) {
    std::size_t removed = 0;
    run_write([&](Connection& c) {
        c.prepare("DELETE FROM deliveries WHERE status != 'pending' AND created_ms < ?").bind(1, before_ms).step();
        removed = static_cast<std::size_t>(c.changes());
    });
    return removed;
}

}  // namespace gatewatch::store
