#pragma once
// The history in its own SQLite file (history.db beside gatewatch.db), WAL.
//
// Chunks: one table keyed (device, level, start) WITHOUT ROWID, so one
// device's 30 days are one range of the primary key. Status events: a rowid
// table indexed by (device, time). Writes share one connection behind a
// mutex (one writer: the recorder); reads take their own connection from a
// small pool. Retention walks the devices one by one: no second index on
// time, which would cost more space than the chunks it helps remove.
#include "store/history_store.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace gatewatch::store {
namespace sqlite {
class Connection;
}

class SqliteHistory final : public HistoryStore {
public:
    explicit SqliteHistory(std::filesystem::path file);
    ~SqliteHistory() override;

    void write(const std::vector<SeriesChunk>& chunks, const std::vector<StatusEvent>& events) override;
    std::vector<SeriesChunk> chunks(std::int64_t device_id, int level, std::int64_t from, std::int64_t to) override;
    std::optional<SeriesChunk> latest_chunk(std::int64_t device_id, int level, std::int64_t at) override;
    std::vector<StatusEvent> events(std::int64_t device_id, std::int64_t from_ms, std::int64_t to_ms,
                                    std::size_t limit) override;
    std::vector<StatusEvent> last_events_before(const std::vector<std::int64_t>& device_ids,
                                                std::int64_t at_ms) override;
    std::vector<StatusEvent> events_between(std::int64_t from_ms, std::int64_t to_ms) override;
    std::size_t trim(int level, std::int64_t before) override;
    std::size_t trim_events(std::int64_t before_ms) override;
    void forget_device(std::int64_t device_id) override;

private:
    class Lease;
    Lease read();

    std::filesystem::path file_;
    std::mutex writer_mutex_;
    std::unique_ptr<sqlite::Connection> writer_;
    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<sqlite::Connection>> idle_;
};

}  // namespace gatewatch::store
