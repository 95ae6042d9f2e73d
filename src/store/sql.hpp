#pragma once
// What the stores need of an SQL database, whichever it is: a connection that
// prepares statements (cached), a statement with typed binds and columns, a
// transaction that rolls back unless committed, and a pool of connections.
// SQLite (sqlite.hpp) and PostgreSQL (pg.hpp) implement it, so the stores'
// logic (sql_store.cpp, sql_history.cpp) is written once, in the SQL both
// speak: `?` parameters (`?N` to name one by position), `RETURNING`,
// `ON CONFLICT`, window functions. What differs (schemas, locking, the change
// feed's shortcut) stays in each backend's own files.
// Constraint errors become the store's typed errors (store.hpp) in the
// drivers, once. Not thread-safe: one Connection is used by one thread at a time.
#include "store/store.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatewatch::store::sql {

// A prepared statement as a driver keeps it; used through Statement.
class Cursor {
public:
    virtual ~Cursor() = default;
    virtual void bind_int64(int index, std::int64_t value) = 0;
    virtual void bind_text(int index, std::string_view value) = 0;
    virtual void bind_blob(int index, std::string_view bytes) = 0;
    virtual void bind_null(int index) = 0;
    virtual bool step() = 0;  // runs it on the first call; true while a row is available
    [[nodiscard]] virtual std::int64_t int64(int column) const = 0;
    [[nodiscard]] virtual std::string text(int column) const = 0;
    [[nodiscard]] virtual std::string blob(int column) const = 0;
    [[nodiscard]] virtual bool is_null(int column) const = 0;
    virtual void reset() = 0;  // forgets binds and rows, ready to run again
};

// Resets its cursor when it goes out of scope: a cached SELECT left mid-rows
// would otherwise keep its connection's read snapshot (and stale data) alive.
class Statement {
public:
    explicit Statement(Cursor* cursor) : cursor_(cursor) {}
    ~Statement() {
        if (cursor_ != nullptr) cursor_->reset();
    }
    Statement(Statement&& other) noexcept : cursor_(std::exchange(other.cursor_, nullptr)) {}
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;

    Statement& bind(int index, std::int64_t value) {
        cursor_->bind_int64(index, value);
        return *this;
    }
    Statement& bind(int index, std::string_view value) {
        cursor_->bind_text(index, value);
        return *this;
    }
    Statement& bind(int index, std::nullopt_t) {
        cursor_->bind_null(index);
        return *this;
    }
    Statement& bind_blob(int index, std::string_view bytes) {
        cursor_->bind_blob(index, bytes);
        return *this;
    }
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, std::nullopt);
    }
    bool step() { return cursor_->step(); }  // throws on error
    [[nodiscard]] std::int64_t int64(int column) const { return cursor_->int64(column); }
    [[nodiscard]] std::string text(int column) const { return cursor_->text(column); }
    [[nodiscard]] std::string blob(int column) const { return cursor_->blob(column); }
    [[nodiscard]] bool is_null(int column) const { return cursor_->is_null(column); }
    [[nodiscard]] std::optional<std::string> optional_text(int column) const {
        if (is_null(column)) return std::nullopt;
        return text(column);
    }
    [[nodiscard]] std::optional<std::int64_t> optional_int64(int column) const {
        if (is_null(column)) return std::nullopt;
        return int64(column);
    }

private:
    Cursor* cursor_;
};

class Connection {
public:
    virtual ~Connection() = default;
    // The cached, reset statement for `sql`; valid until the next prepare of the same sql.
    virtual Statement prepare(std::string_view sql) = 0;
    virtual void exec(const char* sql) = 0;  // one or more statements, no parameters
    // Rows changed by the last INSERT, UPDATE or DELETE run on this connection.
    [[nodiscard]] virtual std::int64_t changes() const = 0;

    // Transactions (through Transaction). A write transaction may take the
    // database's write lock at once (SQLite: BEGIN IMMEDIATE), so that it never
    // has to upgrade a read lock half-way; a read transaction is one snapshot.
    enum class Mode { read, write };
    virtual void begin(Mode mode) = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;

    // Set when a write appended to the change feed (the store's
    // record_change): a backend may then wake the other readers.
    bool recorded_change = false;
};

class Transaction {
public:
    Transaction(Connection& connection, Connection::Mode mode) : connection_(connection) { connection_.begin(mode); }
    ~Transaction() {
        if (!open_) return;
        try {
            connection_.rollback();
        } catch (...) {  // the transaction may already be gone after an I/O error
        }
    }
    void commit() {
        open_ = false;  // a failed COMMIT leaves nothing to roll back
        connection_.commit();
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    Connection& connection_;
    bool open_ = true;
};

// Connections lent one at a time to any thread; grows to the peak of
// concurrent users and keeps them. `healthy` is asked of an idle connection
// before it is lent again (a PostgreSQL session the server ended is dropped).
class ConnectionPool {
public:
    using Open = std::function<std::unique_ptr<Connection>()>;
    using Healthy = std::function<bool(Connection&)>;
    explicit ConnectionPool(Open open, Healthy healthy = {}) : open_(std::move(open)), healthy_(std::move(healthy)) {}

    class Lease {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(pool), connection_(std::move(c)) {}
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& operator*() { return *connection_; }
        Connection* operator->() { return connection_.get(); }

    private:
        ConnectionPool& pool_;
        std::unique_ptr<Connection> connection_;
    };

    Lease lease();

private:
    Open open_;
    Healthy healthy_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace gatewatch::store::sql
