// The PostgreSQL backend of the history (pg_history.hpp).
#include "store/pg_history.hpp"

#include <algorithm>
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
    R"sql(
    CREATE TABLE location_series (
        level     INTEGER NOT NULL,
        start     BIGINT  NOT NULL,
        device_id BIGINT  NOT NULL,
        location  TEXT    NOT NULL,
        data      BYTEA   NOT NULL,
        PRIMARY KEY (level, start, device_id, location)
    );
    CREATE TABLE location_events (
        id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        device_id       BIGINT  NOT NULL,
        location        TEXT    NOT NULL,
        at_ms           BIGINT  NOT NULL,
        status          TEXT    NOT NULL,
        previous        TEXT    NOT NULL,
        unreachable_via BIGINT
    );
    CREATE INDEX location_events_by_device ON location_events (device_id, location, at_ms);
    )sql",
};

}  // namespace

PgHistory::PgHistory(std::string url)
    : SqlHistory("(payload::json ->> 'event')"), url_(std::move(url)), pool_(pg::pool(url_)) {
    auto lease = pool_.lease();
    pg::migrate(static_cast<pg::Connection&>(*lease), k_migrations, "history");
}

PgHistory::~PgHistory() = default;

std::vector<Delivery> PgHistory::due_deliveries(std::int64_t now_ms, std::size_t per_notifier, std::size_t limit) {
    // Claimed, not only read: every node's sender asks, and each delivery
    // must go out once. SKIP LOCKED passes over rows another node is
    // claiming; a claimed row is due again only after k_claim_ms, by when
    // its sender has recorded the outcome (or died, and another node sends it).
    constexpr std::int64_t k_claim_ms = 120'000;
    std::vector<Delivery> out;
    run_write([&](sql::Connection& c) {
        auto s = c.prepare(
            "WITH fair AS (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY notifier_id"
            "   ORDER BY next_at_ms, id) AS n FROM deliveries WHERE status = 'pending' AND next_at_ms <= ?) AS due"
            "   WHERE n <= ?),"
            " claimed AS (SELECT id, next_at_ms FROM deliveries WHERE id IN (SELECT id FROM fair)"
            "   AND status = 'pending' AND next_at_ms <= ? ORDER BY next_at_ms, id LIMIT ? FOR UPDATE SKIP LOCKED)"
            " UPDATE deliveries d SET next_at_ms = ? FROM claimed WHERE d.id = claimed.id"
            " RETURNING d.id, d.notifier_id, d.device_id, d.payload, d.created_ms, claimed.next_at_ms, d.attempts,"
            " d.status, d.last_error");
        s.bind(1, now_ms)
            .bind(2, static_cast<std::int64_t>(per_notifier))
            .bind(3, now_ms)
            .bind(4, static_cast<std::int64_t>(limit))
            .bind(5, now_ms + k_claim_ms);
        while (s.step()) out.push_back(read_delivery(s));
    });
    std::sort(out.begin(), out.end(), [](const Delivery& a, const Delivery& b) {
        return a.next_at_ms != b.next_at_ms ? a.next_at_ms < b.next_at_ms : a.id < b.id;
    });
    return out;
}

void PgHistory::run_write(const std::function<void(sql::Connection&)>& work) {
    auto lease = pool_.lease();
    sql::Transaction tx(*lease, sql::Connection::Mode::write);
    work(*lease);
    tx.commit();
}

}  // namespace gatewatch::store
