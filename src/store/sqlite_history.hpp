#pragma once
// The history in its own SQLite file (history.db beside gatewatch.db), WAL,
// with the SQL of sql_history.hpp. Its own file: history writes never hold
// the accounts' and devices' write lock, and the main database stays small
// to back up. Writes share one connection behind a mutex (one writer: the
// recorder; retention takes it one period at a time); reads take their own
// connection from a small pool.
#include "store/sql_history.hpp"
#include "store/sqlite.hpp"

#include <filesystem>
#include <memory>
#include <mutex>

namespace gatewatch::store {

class SqliteHistory final : public SqlHistory {
public:
    explicit SqliteHistory(std::filesystem::path file);
    ~SqliteHistory() override;

private:
    void run_write(const std::function<void(sql::Connection&)>& work) override;
    sql::ConnectionPool::Lease read() override { return readers_.lease(); }

    std::filesystem::path file_;
    std::mutex writer_mutex_;
    std::unique_ptr<sqlite::Connection> writer_;
    sql::ConnectionPool readers_;
};

}  // namespace gatewatch::store
