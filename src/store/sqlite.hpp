#pragma once
// A thin RAII layer over the SQLite C API: a connection that caches its
// prepared statements, a statement with typed binds and columns, and a
// transaction that rolls back unless committed.
// SQLite's constraint errors become the store's typed errors here, once.
// Not thread-safe: one Connection is used by one thread at a time.
#include "store/store.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace gatewatch::store::sqlite {

// Resets itself when it goes out of scope: a cached SELECT left mid-rows
// would otherwise keep its connection's read snapshot (and stale data) alive.
class Statement {
public:
    explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
    ~Statement();
    Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, std::nullopt_t);
    Statement& bind_blob(int index, std::string_view bytes);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, std::nullopt);
    }
    bool step();  // true while a row is available; throws on error
    [[nodiscard]] std::int64_t int64(int column) const;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::string blob(int column) const;
    [[nodiscard]] bool is_null(int column) const;
    [[nodiscard]] std::optional<std::string> optional_text(int column) const;
    [[nodiscard]] std::optional<std::int64_t> optional_int64(int column) const;

private:
    friend class Connection;
    sqlite3_stmt* stmt_;
};

class Connection {
public:
    explicit Connection(const std::filesystem::path& file);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Returns the cached, reset statement for `sql`; valid until the next prepare of the same sql.
    Statement prepare(std::string_view sql);
    void exec(const char* sql);
    [[nodiscard]] std::int64_t last_insert_rowid() const;
    [[nodiscard]] int changes() const;

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

class Transaction {
public:
    // immediate: take the write lock now (for writes), so the transaction never
    // has to upgrade a read lock and fail with SQLITE_BUSY half-way.
    Transaction(Connection& connection, bool immediate);
    ~Transaction();
    void commit();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    Connection& connection_;
    bool open_ = true;
};

// Brings a database to the last of `migrations` (entry i migrates from
// version i to i + 1; PRAGMA user_version records where it stands), in one
// transaction. A database newer than this build throws StoreError naming `what`.
void migrate(Connection& connection, std::span<const char* const> migrations, std::string_view what);

// Read connections to one file, lent one at a time to any thread; grows to
// the peak of concurrent readers and keeps them.
class ConnectionPool {
public:
    explicit ConnectionPool(std::filesystem::path file) : file_(std::move(file)) {}

    class Lease {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(pool), connection_(std::move(c)) {}
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& operator*() { return *connection_; }

    private:
        ConnectionPool& pool_;
        std::unique_ptr<Connection> connection_;
    };

    Lease lease();

private:
    std::filesystem::path file_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace gatewatch::store::sqlite
