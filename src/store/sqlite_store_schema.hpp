#pragma once
// The main database's schema in SQLite, as the migrations that build it
// (sqlite_store.cpp runs them at open; pg_store_schema.hpp is PostgreSQL's). Internal: included by sqlite_store.cpp only.
#include <array>

namespace gatewatch::store::detail {

// Each entry migrates from version i to i + 1; PRAGMA user_version records
// where a database stands. Never edit a released entry: append a new one.
constexpr std::array k_migrations = {
    R"sql(
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT    NOT NULL,
        role          TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
        created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE rooms (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT NOT NULL,
        description TEXT
    );
    CREATE TABLE devices (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT    NOT NULL,
        ip         TEXT    NOT NULL UNIQUE,
        room_id    INTEGER REFERENCES rooms (id) ON DELETE RESTRICT,
        monitored  INTEGER NOT NULL DEFAULT 1 CHECK (monitored IN (0, 1)),
        check_type TEXT    NOT NULL DEFAULT 'icmp' CHECK (check_type IN ('icmp', 'tcp')),
        check_port INTEGER CHECK (check_port BETWEEN 1 AND 65535)
    );
    CREATE INDEX devices_by_room ON devices (room_id);
    )sql",
    // Tokens carry the generation they were issued in: a password change or
    // "log out everywhere" moves it on, and every older token is refused.
    R"sql(
    ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
    )sql",
    // The change feed: one row per committed write, in the write's transaction.
    R"sql(
    CREATE TABLE changes (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        origin    INTEGER NOT NULL,
        entity    TEXT    NOT NULL CHECK (entity IN ('user', 'room', 'device')),
        kind      TEXT    NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        entity_id INTEGER NOT NULL,
        key       TEXT
    );
    )sql",
    // Dependencies: the device a device is reached through.
    R"sql(
    ALTER TABLE devices ADD COLUMN parent_id INTEGER REFERENCES devices (id) ON DELETE SET NULL;
    CREATE INDEX devices_by_parent ON devices (parent_id);
    )sql",
    // Notifications: where status changes go, and when they are muted. Lists
    // are kept as text (recipients one per line, events and device ids
    // comma-separated): read whole, never queried into.
    R"sql(
    CREATE TABLE notifiers (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT    NOT NULL,
        type       TEXT    NOT NULL CHECK (type IN ('webhook', 'email')),
        url        TEXT    NOT NULL DEFAULT '',
        format     TEXT    NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack', 'ntfy')),
        recipients TEXT    NOT NULL DEFAULT '',
        secret     TEXT    NOT NULL DEFAULT '',
        events     TEXT    NOT NULL DEFAULT 'down,up',
        room_id    INTEGER REFERENCES rooms (id) ON DELETE CASCADE,
        enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
    );
    CREATE TABLE maintenance_windows (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT    NOT NULL,
        start_ms   INTEGER NOT NULL,
        end_ms     INTEGER NOT NULL,
        room_id    INTEGER REFERENCES rooms (id) ON DELETE CASCADE,
        device_ids TEXT    NOT NULL DEFAULT ''
    );
    )sql",
    // Accounts administration: disabled accounts, and API tokens (hashes only).
    R"sql(
    ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
    CREATE TABLE api_tokens (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        name         TEXT    NOT NULL,
        role         TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
        hash         TEXT    NOT NULL UNIQUE,
        created_ms   INTEGER NOT NULL,
        expires_ms   INTEGER,
        last_used_ms INTEGER
    );
    )sql",
    // Config as code: one change-feed entry for a whole configuration written
    // at once (`gatewatch apply`). SQLite cannot widen a CHECK in place, so
    // the feed's table is rebuilt with its rows and its sequence (a feed
    // reader must never see a seq again, even when every row was trimmed).
    R"sql(
    CREATE TABLE changes_new (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        origin    INTEGER NOT NULL,
        entity    TEXT    NOT NULL CHECK (entity IN ('user', 'room', 'device', 'configuration')),
        kind      TEXT    NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        entity_id INTEGER NOT NULL,
        key       TEXT
    );
    INSERT INTO changes_new (seq, origin, entity, kind, entity_id, key)
        SELECT seq, origin, entity, kind, entity_id, key FROM changes;
    DELETE FROM sqlite_sequence WHERE name = 'changes_new';
    INSERT INTO sqlite_sequence (name, seq) SELECT 'changes_new', seq FROM sqlite_sequence WHERE name = 'changes';
    DROP TABLE changes;
    ALTER TABLE changes_new RENAME TO changes;
    )sql",
    // The SQL shared with PostgreSQL compares usernames as lower(username)
    // (sql_store.cpp): indexed, as the NOCASE column was.
    R"sql(
    CREATE INDEX users_by_folded_name ON users (lower(username));
    )sql",
    // Several nodes: where a device is probed from, and how many places
    // must agree it is down (stored here too, so a configuration moves
    // between the backends unchanged). NULL: any one node.
    R"sql(
    ALTER TABLE devices ADD COLUMN locations TEXT;
    ALTER TABLE devices ADD COLUMN quorum INTEGER NOT NULL DEFAULT 1 CHECK (quorum >= 1);
    )sql",
    // The feed also tells of notifiers and maintenance windows (other nodes'
    // dispatchers read them again): rebuilt for its CHECK, as above.
    R"sql(
    CREATE TABLE changes_new (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        origin    INTEGER NOT NULL,
        entity    TEXT    NOT NULL CHECK (entity IN ('user', 'room', 'device', 'configuration', 'notifiers')),
        kind      TEXT    NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        entity_id INTEGER NOT NULL,
        key       TEXT
    );
    INSERT INTO changes_new (seq, origin, entity, kind, entity_id, key)
        SELECT seq, origin, entity, kind, entity_id, key FROM changes;
    DELETE FROM sqlite_sequence WHERE name = 'changes_new';
    INSERT INTO sqlite_sequence (name, seq) SELECT 'changes_new', seq FROM sqlite_sequence WHERE name = 'changes';
    DROP TABLE changes;
    ALTER TABLE changes_new RENAME TO changes;
    )sql",
};

}  // namespace gatewatch::store::detail
