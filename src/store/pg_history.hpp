#pragma once
// The history on PostgreSQL (the SQL of sql_history.hpp), in the same
// database as the store: every node writes the status changes and chunks of
// the devices it probes, and reads any device's. Connections from a pool
// (pg_store.hpp says why blocking ones); writes are plain READ COMMITTED
// transactions: nodes write disjoint devices' rows.
#include "store/pg.hpp"
#include "store/sql_history.hpp"

#include <string>

namespace gatewatch::store {

class PgHistory final : public SqlHistory {
public:
    explicit PgHistory(std::string url);  // throws StoreError as PgStore's does
    ~PgHistory() override;

    // Claims what is due (FOR UPDATE SKIP LOCKED): with several nodes each
    // delivery is handed to one sender.
    std::vector<Delivery> due_deliveries(std::int64_t now_ms, std::size_t per_notifier, std::size_t limit) override;

private:
    void run_write(const std::function<void(sql::Connection&)>& work) override;
    sql::ConnectionPool::Lease read() override { return pool_.lease(); }

    std::string url_;
    sql::ConnectionPool pool_;
};

}  // namespace gatewatch::store
