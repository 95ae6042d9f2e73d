#pragma once
// The history in its own SQLite file (history.db beside gatewatch.db), WAL.
//
// Chunks: one table keyed (level, start, device) WITHOUT ROWID. Every
// device's chunk of one period sits together, so a flush rewrites a run of
// neighbouring pages (keyed by device first, each of 100,000 rows dirtied a
// page of its own: 400 MB of writes a minute, measured), the chunks that close
// together are appended together, and retention removes a range. Reading
// one device's 30 days is one seek per chunk (30 for hour buckets).
// Status events: a rowid table indexed by (device, time). The outbox of
// notifications lives here too, so that a status change and the deliveries
// it causes commit together; its pending rows are indexed by when they are due. Writes share one
// connection behind a mutex (one writer: the recorder; retention takes it
// one period at a time); reads take their own connection from a small pool.
#include "store/history_store.hpp"
#include "store/sqlite.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace gatewatch::store {

class SqliteHistory final : public HistoryStore {
public:
    explicit SqliteHistory(std::filesystem::path file);
    ~SqliteHistory() override;

    using HistoryStore::write;
    void write(const std::vector<SeriesChunk>& chunks, const std::vector<StatusEvent>& events,
               const std::vector<Delivery>& deliveries) override;
    std::vector<SeriesChunk> chunks(std::int64_t device_id, int level, const std::vector<std::int64_t>& starts) override;
    std::vector<StatusEvent> events(std::int64_t device_id, std::int64_t from_ms, std::int64_t to_ms,
                                    std::size_t limit) override;
    std::vector<StatusEvent> last_events_before(const std::vector<std::int64_t>& device_ids,
                                                std::int64_t at_ms) override;
    std::vector<StatusEvent> events_between(std::int64_t from_ms, std::int64_t to_ms) override;
    std::size_t trim(int level, std::int64_t before) override;
    std::size_t trim_events(std::int64_t before_ms) override;

    std::vector<Delivery> due_deliveries(std::int64_t now_ms, std::size_t per_notifier, std::size_t limit) override;
    std::vector<std::int64_t> devices_notified_down() override;
    std::optional<std::int64_t> next_delivery_at() override;
    void update_delivery(const Delivery& delivery) override;
    std::vector<Delivery> deliveries(std::int64_t notifier_id, std::size_t limit) override;
    std::size_t trim_deliveries(std::int64_t before_ms) override;

private:
    sqlite::ConnectionPool::Lease read();

    std::filesystem::path file_;
    std::mutex writer_mutex_;
    std::unique_ptr<sqlite::Connection> writer_;
    sqlite::ConnectionPool readers_;
};

}  // namespace gatewatch::store
