#pragma once
// The store on PostgreSQL (the SQL of sql_store.hpp), for several nodes that
// share one database (`database = postgresql://…`).
//
// Blocking libpq connections from a pool, one per concurrent caller: the
// Store interface is synchronous and is called from worker threads (the
// request handlers' pool, the change feed's timer, the command line), never
// from an event loop that a wait would stall, so a pool of blocking sessions
// costs nothing that an asynchronous driver on PQsocket would save; the one
// connection that must wait on the server without a thread, the LISTEN
// session, is the fan-out's own (issue 13's later steps).
//
// Writes: READ COMMITTED transactions that begin by locking the one row of
// `store_lock`, so store writes from every node run one at a time (they are
// rare: configuration, accounts), the rules checked inside them hold, and
// the change feed's seq grows in commit order (sql_store.hpp). Plain SELECTs
// never wait for that lock. Migrations run in the constructor, once for
// nodes that start together (pg.hpp).
#include "store/pg.hpp"
#include "store/sql_store.hpp"

#include <atomic>
#include <string>

namespace gatewatch::store {

class PgStore final : public SqlStore {
public:
    // Throws StoreError when the database cannot be reached or is newer than this build.
    explicit PgStore(std::string url);
    ~PgStore() override;

    static int schema_version();

    std::optional<std::vector<Change>> changes_after(std::uint64_t seq, std::size_t limit) override;

    // The token signing secret of every node without a configured one: made
    // (32 random bytes, as hex) by the first node that asks, read by the others.
    std::string shared_secret();

    // Several nodes: a write the change feed records also sends NOTIFY
    // gw_config (delivered with its commit), so the other nodes read it at
    // once. Off (the default) for databases without NOTIFY.
    void notify_changes(bool on) { notify_changes_ = on; }
    // Whether the database takes NOTIFY (sends one): where it does not, a
    // NOTIFY inside a write would make every write fail.
    bool accepts_notify();

private:
    void run_write(const std::function<void(sql::Connection&)>& work) override;
    sql::ConnectionPool::Lease read() override { return pool_.lease(); }

    std::string url_;
    sql::ConnectionPool pool_;
    std::atomic<bool> notify_changes_{false};
};

}  // namespace gatewatch::store
