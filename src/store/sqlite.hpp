#pragma once
// The SQLite driver of the stores' SQL interface (sql.hpp): a connection to
// one file in WAL mode that caches its prepared statements. SQLite's
// constraint errors become the store's typed errors here, once.
// Not thread-safe: one Connection is used by one thread at a time.
#include "store/sql.hpp"

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;

namespace gatewatch::store::sqlite {

class Connection final : public sql::Connection {
public:
    explicit Connection(const std::filesystem::path& file);
    ~Connection() override;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sql::Statement prepare(std::string_view sql) override;
    void exec(const char* sql) override;
    [[nodiscard]] std::int64_t changes() const override;
    // write: BEGIN IMMEDIATE, the write lock at once.
    void begin(Mode mode) override;
    void commit() override;
    void rollback() override;

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<sql::Cursor>> statements_;
};

// Brings a database to the last of `migrations` (entry i migrates from
// version i to i + 1; PRAGMA user_version records where it stands), in one
// transaction. A database newer than this build throws StoreError naming `what`.
void migrate(Connection& connection, std::span<const char* const> migrations, std::string_view what);

// Read connections to one file.
sql::ConnectionPool pool(const std::filesystem::path& file);

}  // namespace gatewatch::store::sqlite
