#pragma once
// One session that LISTENs for the nodes' notifications (pg_cluster.hpp:
// `gw_status` after statuses are written, `gw_config` after a store write
// that the change feed records). A connection of its own, never pooled: a
// pooled session would carry its LISTEN to whoever borrows it next.
//
// The owner waits for socket() to be readable on its own event loop and
// then calls take(); libpq reads nothing by itself, so an idle listener
// costs nothing. Not thread-safe. Throws StoreError when the server cannot
// be reached, refuses LISTEN (a PostgreSQL-protocol database without it,
// e.g. CockroachDB), or ended the session.
#include "store/pg.hpp"

#include <set>
#include <string>
#include <vector>

namespace gatewatch::store {

class PgListener {
public:
    PgListener(const std::string& url, const std::vector<std::string>& channels);

    [[nodiscard]] int socket();
    // What arrived since the last call: the channels notified, each once.
    std::set<std::string> take();

private:
    pg::Connection connection_;
};

}  // namespace gatewatch::store
