// The PostgreSQL backend of the history (pg_history.hpp).
#include "store/pg_history.hpp"

#include <array>

namespace gatewatch::store {
namespace {

// The same tables as SQLite's history (sqlite_history.cpp). Append, never
// edit a released entry.
constexpr std::array k_migrations = {
    R"sql(
    CREATE TABLE series (
        level     INTEGER NOT NULL,
        start     BIGINT  NOT NULL,
        device_id BIGINT  NOT NULL,
        data      BYTEA   NOT NULL,
        PRIMARY KEY (level, start, device_id)
    );
    CREATE TABLE series_open (
        level     INTEGER NOT NULL,
        start     BIGINT  NOT NULL,
        device_id BIGINT  NOT NULL,
        data      BYTEA   NOT NULL,
        PRIMARY KEY (level, start, device_id)
    );
    CREATE TABLE status_events (
        id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        device_id       BIGINT  NOT NULL,
        at_ms           BIGINT  NOT NULL,
        status          TEXT    NOT NULL,
        previous        TEXT    NOT NULL,
        unreachable_via BIGINT,
        muted           INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX status_events_by_device ON status_events (device_id, at_ms);
    -- Identity: an id is never reused, so receivers can deduplicate.
    CREATE TABLE deliveries (
        id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        notifier_id BIGINT  NOT NULL,
        device_id   BIGINT,
        payload     TEXT    NOT NULL,
        created_ms  BIGINT  NOT NULL,
        next_at_ms  BIGINT  NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        status      TEXT    NOT NULL DEFAULT 'pending',
        last_error  TEXT    NOT NULL DEFAULT ''
    );
    CREATE INDEX deliveries_due ON deliveries (next_at_ms) WHERE status = 'pending';
    CREATE INDEX deliveries_by_notifier ON deliveries (notifier_id, id);
    )sql",
};

}  // namespace

PgHistory::PgHistory(std::string url)
    : SqlHistory("(payload::json ->> 'event')"), url_(std::move(url)), pool_(pg::pool(url_)) {
    auto lease = pool_.lease();
    pg::migrate(static_cast<pg::Connection&>(*lease), k_migrations, "history");
}

PgHistory::~PgHistory() = default;

void PgHistory::run_write(const std::function<void(sql::Connection&)>& work) {
    auto lease = pool_.lease();
    sql::Transaction tx(*lease, sql::Connection::Mode::write);
    work(*lease);
    tx.commit();
}

}  // namespace gatewatch::store
