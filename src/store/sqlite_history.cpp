// The SQLite backend of the history (sqlite_history.hpp).
#include "store/sqlite_history.hpp"

#include <array>

namespace gatewatch::store {
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
    // Several nodes: each location's view of a device that lists locations
    // (store/sql_history.hpp). Here too, so both backends keep one schema.
    R"sql(
    CREATE TABLE location_series (
        level     INTEGER NOT NULL,
        start     INTEGER NOT NULL,
        device_id INTEGER NOT NULL,
        location  TEXT    NOT NULL,
        data      BLOB    NOT NULL,
        PRIMARY KEY (level, start, device_id, location)
    ) WITHOUT ROWID;
    CREATE TABLE location_events (
        id              INTEGER PRIMARY KEY,
        device_id       INTEGER NOT NULL,
        location        TEXT    NOT NULL,
        at_ms           INTEGER NOT NULL,
        status          TEXT    NOT NULL,
        previous        TEXT    NOT NULL,
        unreachable_via INTEGER
    );
    CREATE INDEX location_events_by_device ON location_events (device_id, location, at_ms);
    )sql",
};

}  // namespace

SqliteHistory::SqliteHistory(std::filesystem::path file)
    : SqlHistory("json_extract(payload, '$.event')"),
      file_(std::move(file)),
      writer_(std::make_unique<sqlite::Connection>(file_)),
      readers_(sqlite::pool(file_)) {
    // History may lose its last flush to a power cut (never its consistency:
    // WAL); each flush then costs no fsync. Accounts and devices keep FULL.
    writer_->exec("PRAGMA synchronous=NORMAL");
    sqlite::migrate(*writer_, k_migrations, "history database");
}

SqliteHistory::~SqliteHistory() = default;

void SqliteHistory::run_write(const std::function<void(sql::Connection&)>& work) {
    std::lock_guard lock(writer_mutex_);
    sql::Transaction tx(*writer_, sql::Connection::Mode::write);
    work(*writer_);
    tx.commit();
}

}  // namespace gatewatch::store
