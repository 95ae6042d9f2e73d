#pragma once
// The history store (history_store.hpp) over any SQL database of sql.hpp,
// written once (sql_history.cpp) for both backends; a backend
// (SqliteHistory, PgHistory) opens the connections, runs the migrations and
// says how a write transaction runs.
//
// Chunks: one table keyed (level, start, device). Every device's chunk of
// one period sits together, so a flush rewrites a run of neighbouring pages
// (keyed by device first, each of 100,000 rows dirtied a page of its own:
// 400 MB of writes a minute, measured in SQLite), the chunks that close
// together are appended together, and retention removes a range. Reading one
// device's 30 days is one seek per chunk (30 for hour buckets). Chunks still
// being filled live in `series_open`, so rows that grow do not leave the
// pages of finished ones half empty. Status events: indexed by (device, time).
// A location's view of a device (several nodes) lives in `location_series`
// (open and complete chunks together: few devices list locations) and
// `location_events`, indexed by (device, location, time).
// The outbox of notifications lives here too, so that a status change and
// the deliveries it causes commit together; its pending rows are indexed by
// when they are due.
#include "store/history_store.hpp"
#include "store/sql.hpp"

#include <functional>

namespace gatewatch::store {

class SqlHistory : public HistoryStore {
public:
    using HistoryStore::write;
    void write(const std::vector<SeriesChunk>& chunks, const std::vector<StatusEvent>& events,
               const std::vector<Delivery>& deliveries) override;
    std::vector<SeriesChunk> chunks(std::int64_t device_id, std::string_view location, int level,
                                    const std::vector<std::int64_t>& starts) override;
    std::vector<StatusEvent> events(std::int64_t device_id, std::string_view location, std::int64_t from_ms,
                                    std::int64_t to_ms, std::size_t limit) override;
    std::vector<StatusEvent> last_events_before(const std::vector<std::int64_t>& device_ids,
                                                std::string_view location, std::int64_t at_ms) override;
    std::vector<StatusEvent> events_between(std::int64_t from_ms, std::int64_t to_ms) override;
    std::size_t trim(int level, std::int64_t before) override;
    std::size_t trim_events(std::int64_t before_ms) override;

    std::vector<Delivery> due_deliveries(std::int64_t now_ms, std::size_t per_notifier, std::size_t limit) override;
    std::vector<std::int64_t> devices_notified_down() override;
    std::optional<std::int64_t> next_delivery_at() override;
    void update_delivery(const Delivery& delivery) override;
    std::vector<Delivery> deliveries(std::int64_t notifier_id, std::size_t limit) override;
    std::size_t trim_deliveries(std::int64_t before_ms) override;

protected:
    // `payload_event`: the SQL expression of a delivery's payload's "event"
    // field (JSON functions are the one thing the dialects spell differently).
    explicit SqlHistory(const char* payload_event) : payload_event_(payload_event) {}

    // Runs `work` in one write transaction, committed when it returns.
    virtual void run_write(const std::function<void(sql::Connection&)>& work) = 0;
    // A connection for reads, outside any transaction.
    virtual sql::ConnectionPool::Lease read() = 0;
    // A delivery from a row of (id, notifier_id, device_id, payload, created_ms,
    // next_at_ms, attempts, status, last_error).
    static Delivery read_delivery(const sql::Statement& s);

private:
    const char* payload_event_;
};

}  // namespace gatewatch::store
