#include "store/sqlite_history.hpp"

#include "store/sqlite.hpp"

#include <array>

namespace gatewatch::store {
using sqlite::Connection;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

// As in the main store: append, never edit a released entry.
constexpr std::array k_migrations = {
    R"sql(
    CREATE TABLE series (
        level     INTEGER NOT NULL,
        start     INTEGER NOT NULL,
        device_id INTEGER NOT NULL,
        data      BLOB    NOT NULL,
        PRIMARY KEY (level, start, device_id)
    ) WITHOUT ROWID;
    CREATE TABLE status_events (
        id              INTEGER PRIMARY KEY,
        device_id       INTEGER NOT NULL,
        at_ms           INTEGER NOT NULL,
        status          TEXT    NOT NULL,
        previous        TEXT    NOT NULL,
        unreachable_via INTEGER,
        muted           INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX status_events_by_device ON status_events (device_id, at_ms);
    CREATE TABLE series_open (
        level     INTEGER NOT NULL,
        start     INTEGER NOT NULL,
        device_id INTEGER NOT NULL,
        data      BLOB    NOT NULL,
        PRIMARY KEY (level, start, device_id)
    ) WITHOUT ROWID;
    )sql",
    // The notifications' outbox. AUTOINCREMENT: an id is never reused, even
    // after retention removed the newest rows, so receivers can deduplicate.
    R"sql(
    CREATE TABLE deliveries (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        notifier_id INTEGER NOT NULL,
        device_id   INTEGER,
        payload     TEXT    NOT NULL,
        created_ms  INTEGER NOT NULL,
        next_at_ms  INTEGER NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        status      TEXT    NOT NULL DEFAULT 'pending',
        last_error  TEXT    NOT NULL DEFAULT ''
    );
    CREATE INDEX deliveries_due ON deliveries (next_at_ms) WHERE status = 'pending';
    CREATE INDEX deliveries_by_notifier ON deliveries (notifier_id, id);
    )sql",
};


StatusEvent read_event(const Statement& s) {
    StatusEvent e;
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

Delivery read_delivery(const Statement& s) {
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

constexpr const char* k_event_columns = "device_id, at_ms, status, previous, unreachable_via, muted";

}  // namespace

SqliteHistory::SqliteHistory(std::filesystem::path file)
    : file_(std::move(file)), writer_(std::make_unique<Connection>(file_)), readers_(file_) {
    // History may lose its last flush to a power cut (never its consistency:
    // WAL); each flush then costs no fsync. Accounts and devices keep FULL.
    writer_->exec("PRAGMA synchronous=NORMAL");
    sqlite::migrate(*writer_, k_migrations, "history database");
}

SqliteHistory::~SqliteHistory() = default;

sqlite::ConnectionPool::Lease SqliteHistory::read() { return readers_.lease(); }

void SqliteHistory::write(const std::vector<SeriesChunk>& chunks, const std::vector<StatusEvent>& events,
                          const std::vector<Delivery>& deliveries) {
    if (chunks.empty() && events.empty() && deliveries.empty()) return;
    std::lock_guard lock(writer_mutex_);
    Transaction tx(*writer_, true);
    for (const auto& chunk : chunks) {
        if (chunk.complete) {
            auto s = writer_->prepare("INSERT OR REPLACE INTO series (level, start, device_id, data) VALUES (?, ?, ?, ?)");
            s.bind(1, std::int64_t{chunk.level}).bind(2, chunk.start).bind(3, chunk.device_id).bind_blob(4, chunk.data);
            s.step();
            auto gone = writer_->prepare("DELETE FROM series_open WHERE level = ? AND start = ? AND device_id = ?");
            gone.bind(1, std::int64_t{chunk.level}).bind(2, chunk.start).bind(3, chunk.device_id);
            gone.step();
        } else {
            auto s = writer_->prepare(
                "INSERT OR REPLACE INTO series_open (level, start, device_id, data) VALUES (?, ?, ?, ?)");
            s.bind(1, std::int64_t{chunk.level}).bind(2, chunk.start).bind(3, chunk.device_id).bind_blob(4, chunk.data);
            s.step();
        }
    }
    for (const auto& e : events) {
        auto s = writer_->prepare(
            "INSERT INTO status_events (device_id, at_ms, status, previous, unreachable_via, muted)"
            " VALUES (?, ?, ?, ?, ?, ?)");
        s.bind(1, e.device_id).bind(2, e.at_ms).bind(3, e.status).bind(4, e.previous).bind(5, e.unreachable_via);
        s.bind(6, std::int64_t{e.muted ? 1 : 0});
        s.step();
    }
    for (const auto& d : deliveries) {
        auto s = writer_->prepare(
            "INSERT INTO deliveries (notifier_id, device_id, payload, created_ms, next_at_ms) VALUES (?, ?, ?, ?, ?)");
        s.bind(1, d.notifier_id).bind(2, d.device_id).bind(3, d.payload).bind(4, d.created_ms).bind(5, d.next_at_ms);
        s.step();
    }
    tx.commit();
}

std::vector<SeriesChunk> SqliteHistory::chunks(std::int64_t device_id, int level,
                                               const std::vector<std::int64_t>& starts) {
    auto lease = read();
    Transaction tx(*lease, false);  // one snapshot for every chunk
    std::vector<SeriesChunk> out;
    for (const auto start : starts) {
        auto done = (*lease).prepare("SELECT data FROM series WHERE level = ? AND start = ? AND device_id = ?");
        done.bind(1, std::int64_t{level}).bind(2, start).bind(3, device_id);
        if (done.step()) {
            out.push_back({device_id, level, start, done.blob(0), true});
            continue;
        }
        auto open = (*lease).prepare("SELECT data FROM series_open WHERE level = ? AND start = ? AND device_id = ?");
        open.bind(1, std::int64_t{level}).bind(2, start).bind(3, device_id);
        if (open.step()) out.push_back({device_id, level, start, open.blob(0), false});
    }
    tx.commit();
    return out;
}

std::vector<StatusEvent> SqliteHistory::events(std::int64_t device_id, std::int64_t from_ms, std::int64_t to_ms,
                                               std::size_t limit) {
    auto lease = read();
    auto s = (*lease).prepare(std::string("SELECT ") + k_event_columns +
                              " FROM status_events WHERE device_id = ? AND at_ms >= ? AND at_ms <= ?"
                              " ORDER BY at_ms DESC, id DESC LIMIT ?");
    s.bind(1, device_id).bind(2, from_ms).bind(3, to_ms).bind(4, static_cast<std::int64_t>(limit));
    std::vector<StatusEvent> out;
    while (s.step()) out.push_back(read_event(s));
    return out;
}

std::vector<StatusEvent> SqliteHistory::last_events_before(const std::vector<std::int64_t>& device_ids,
                                                           std::int64_t at_ms) {
    auto lease = read();
    Transaction tx(*lease, false);  // one snapshot for every device
    std::vector<StatusEvent> out;
    for (const auto id : device_ids) {
        auto s = (*lease).prepare(std::string("SELECT ") + k_event_columns +
                                  " FROM status_events WHERE device_id = ? AND at_ms < ?"
                                  " ORDER BY at_ms DESC, id DESC LIMIT 1");
        s.bind(1, id).bind(2, at_ms);
        if (s.step()) out.push_back(read_event(s));
    }
    tx.commit();
    return out;
}

std::vector<StatusEvent> SqliteHistory::events_between(std::int64_t from_ms, std::int64_t to_ms) {
    auto lease = read();
    auto s = (*lease).prepare(std::string("SELECT ") + k_event_columns +
                              " FROM status_events WHERE at_ms >= ? AND at_ms <= ? ORDER BY device_id, at_ms, id");
    s.bind(1, from_ms).bind(2, to_ms);
    std::vector<StatusEvent> out;
    while (s.step()) out.push_back(read_event(s));
    return out;
}

std::size_t SqliteHistory::trim(int level, std::int64_t before) {
    std::size_t removed = 0;
    for (;;) {
        // One period at a time: the recorder's flushes wait for one short transaction at most.
        std::lock_guard lock(writer_mutex_);
        std::optional<std::int64_t> start;
        {  // reset before the transaction begins
            auto oldest =
                writer_->prepare("SELECT start FROM series WHERE level = ? AND start < ? ORDER BY start LIMIT 1");
            oldest.bind(1, std::int64_t{level}).bind(2, before);
            if (oldest.step()) start = oldest.int64(0);
        }
        if (!start) break;
        Transaction tx(*writer_, true);
        writer_->prepare("DELETE FROM series WHERE level = ? AND start = ?")
            .bind(1, std::int64_t{level})
            .bind(2, *start)
            .step();
        removed += static_cast<std::size_t>(writer_->changes());
        tx.commit();
    }
    // Chunks left open by a device that stopped before its period ended.
    std::lock_guard lock(writer_mutex_);
    Transaction tx(*writer_, true);
    writer_->prepare("DELETE FROM series_open WHERE level = ? AND start < ?")
        .bind(1, std::int64_t{level})
        .bind(2, before)
        .step();
    removed += static_cast<std::size_t>(writer_->changes());
    tx.commit();
    return removed;
}

std::size_t SqliteHistory::trim_events(std::int64_t before_ms) {
    std::lock_guard lock(writer_mutex_);
    Transaction tx(*writer_, true);
    // No index on time alone: the scan runs once an hour over small rows.
    auto s = writer_->prepare("DELETE FROM status_events WHERE at_ms < ?");
    s.bind(1, before_ms);
    s.step();
    const auto removed = static_cast<std::size_t>(writer_->changes());
    tx.commit();
    return removed;
}

std::vector<Delivery> SqliteHistory::due_deliveries(std::int64_t now_ms, std::size_t per_notifier,
                                                    std::size_t limit) {
    auto lease = read();
    auto s = (*lease).prepare(std::string(k_delivery_columns) +
                              "WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
                              "(PARTITION BY notifier_id ORDER BY next_at_ms, id) AS n FROM deliveries "
                              "WHERE status = 'pending' AND next_at_ms <= ?) WHERE n <= ?) "
                              "ORDER BY next_at_ms, id LIMIT ?");
    s.bind(1, now_ms).bind(2, static_cast<std::int64_t>(per_notifier)).bind(3, static_cast<std::int64_t>(limit));
    std::vector<Delivery> out;
    while (s.step()) out.push_back(read_delivery(s));
    return out;
}

std::vector<std::int64_t> SqliteHistory::devices_notified_down() {
    auto lease = read();
    auto s = (*lease).prepare(
        "SELECT device_id FROM deliveries WHERE id IN "
        "(SELECT max(id) FROM deliveries WHERE device_id IS NOT NULL GROUP BY device_id) "
        "AND json_extract(payload, '$.event') = 'device.down'");
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
}

std::optional<std::int64_t> SqliteHistory::next_delivery_at() {
    auto lease = read();
    auto s = (*lease).prepare("SELECT min(next_at_ms) FROM deliveries WHERE status = 'pending'");
    s.step();
    return s.optional_int64(0);
}

void SqliteHistory::update_delivery(const Delivery& d) {
    std::lock_guard lock(writer_mutex_);
    auto s = writer_->prepare(
        "UPDATE deliveries SET status = ?, attempts = ?, next_at_ms = ?, last_error = ? WHERE id = ?");
    s.bind(1, d.status).bind(2, std::int64_t{d.attempts}).bind(3, d.next_at_ms).bind(4, d.last_error).bind(5, d.id);
    s.step();
}

std::vector<Delivery> SqliteHistory::deliveries(std::int64_t notifier_id, std::size_t limit) {
    auto lease = read();
    auto s = (*lease).prepare(std::string(k_delivery_columns) + "WHERE notifier_id = ? ORDER BY id DESC LIMIT ?");
    s.bind(1, notifier_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<Delivery> out;
    while (s.step()) out.push_back(read_delivery(s));
    return out;
}

std::size_t SqliteHistory::trim_deliveries(std::int64_t before_ms) {
    std::lock_guard lock(writer_mutex_);
    auto s = writer_->prepare("DELETE FROM deliveries WHERE status != 'pending' AND created_ms < ?");
    s.bind(1, before_ms);
    s.step();
    return static_cast<std::size_t>(writer_->changes());
}

}  // namespace gatewatch::store
