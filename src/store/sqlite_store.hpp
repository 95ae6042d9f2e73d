#pragma once
// The embedded store: one SQLite file in WAL mode (the SQL of sql_store.hpp).
//
// Readers take a connection from a pool, so many reads run at once; writes
// share one writer connection behind a mutex (SQLite admits one writer at a
// time anyway) and open with BEGIN IMMEDIATE. Other processes (the admin
// command line) may write to the same file at the same time: they wait on
// SQLite's busy timeout. Migrations run in the constructor.
#include "store/sql_store.hpp"
#include "store/sqlite.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

namespace gatewatch::store {

class SqliteStore final : public SqlStore {
public:
    explicit SqliteStore(std::filesystem::path file);
    ~SqliteStore() override;

    // The schema version this build migrates to.
    static int schema_version();

    std::optional<std::vector<Change>> changes_after(std::uint64_t seq, std::size_t limit) override;

private:
    void run_write(const std::function<void(sql::Connection&)>& work) override;
    sql::ConnectionPool::Lease read() override { return readers_.lease(); }

    std::filesystem::path file_;
    std::mutex writer_mutex_;
    std::unique_ptr<sqlite::Connection> writer_;
    // The change feed's reader. It never writes, so its PRAGMA data_version
    // moves with every commit by any other connection, ours and other
    // processes' alike: while it stands still, changes_after() reads nothing.
    std::mutex feed_mutex_;
    std::unique_ptr<sqlite::Connection> feed_reader_;
    std::optional<std::uint64_t> feed_version_;
    std::uint64_t feed_seen_ = 0;
    sql::ConnectionPool readers_;
};

}  // namespace gatewatch::store
