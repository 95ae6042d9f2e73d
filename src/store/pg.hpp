#pragma once
// The PostgreSQL driver of the stores' SQL interface (sql.hpp), on libpq:
// a blocking connection (the stores are called from worker threads, one
// statement at a time; see pg_store.hpp for why not the event loop) that
// prepares each statement once per session, translating the stores' `?` and
// `?N` parameters to `$N`. Text results: booleans read as 0/1 and bytea as
// its bytes, as SQLite returns them. Errors: unique_violation becomes
// UniqueViolation naming the column (constraints are named TABLE_COLUMN_key),
// foreign_key_violation NotFound; a session the server ended makes the
// connection broken(): the pools drop it and the next use opens a new one.
// Not thread-safe: one Connection is used by one thread at a time.
#include "store/sql.hpp"

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

struct pg_conn;

namespace gatewatch::store::pg {

class Connection final : public sql::Connection {
public:
    // `url`: a libpq connection string or postgresql:// URL. Throws
    // StoreError when the server cannot be reached.
    explicit Connection(const std::string& url);
    ~Connection() override;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sql::Statement prepare(std::string_view sql) override;
    void exec(const char* sql) override;
    [[nodiscard]] std::int64_t changes() const override { return changes_; }
    // read: one REPEATABLE READ, READ ONLY snapshot; write: READ COMMITTED
    // (the stores serialize their writes with a lock row where they must).
    void begin(Mode mode) override;
    void commit() override;
    void rollback() override;

    // The session is gone (the server ended it, or the network): throw it away.
    [[nodiscard]] bool broken() const;
    // Reads what the server sent an idle session (nothing, or its goodbye
    // when it ended the session) and says whether it still stands: a pool
    // asks before lending it, so a restarted server costs no failed request.
    [[nodiscard]] bool usable();
    pg_conn* native() { return conn_; }
    void set_changes(std::int64_t n) { changes_ = n; }

private:
    pg_conn* conn_ = nullptr;
    std::int64_t changes_ = 0;
    std::unordered_map<std::string, std::unique_ptr<sql::Cursor>> statements_;
};

// `$N` for the stores' `?` (numbered in order) and `?N`; text in quotes is kept.
std::string translate_parameters(std::string_view sql);

// Brings `component`'s tables to the last of `migrations` (entry i migrates
// from version i to i + 1; the table gatewatch_schema records where each
// component stands), in one transaction under an advisory lock, so that
// nodes starting together migrate once. A database newer than this build
// throws StoreError.
void migrate(Connection& connection, std::span<const char* const> migrations, std::string_view component);

// Connections to one database: a broken one is not lent again.
sql::ConnectionPool pool(const std::string& url);

// True for a postgresql:// or postgres:// URL (the `database` setting).
bool is_url(std::string_view database);

}  // namespace gatewatch::store::pg
