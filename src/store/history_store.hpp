#pragma once
// Where the history lives: encoded chunks of rounds and buckets
// (history/series.hpp) and the status changes, behind one interface that any
// SQL backend can keep. SQLite (sqlite_history.hpp) implements it now, in a
// file of its own, so that history writes never hold the accounts' and
// devices' write lock and the main database stays small to back up.
//
// Several nodes: besides the device's own history (location ""), a device
// that lists locations has one per location, as that location's prober saw
// it (its rounds, and its status changes there); kept apart from the
// device's own, with the same retention.
//
// A deleted device's history is not removed at once: it ages out with
// retention like any other (ids are never reused).
// write() is one transaction: a batch of chunks (each replaces the stored
// chunk of the same key) and status events. A chunk still being filled is
// rewritten at every flush; one that is complete is written once more, and
// a backend may keep the two apart (SQLite does, so that rows that grow do
// not leave the pages of finished ones half empty). Every method is safe from any
// thread at once; reads never wait for a write (WAL).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatewatch::store {

struct SeriesChunk {
    std::int64_t device_id = 0;
    int level = 0;          // history::Level
    std::int64_t start = 0;  // seconds since the epoch
    std::string data;       // history/series.hpp encoding
    bool complete = false;  // its period is over: it will not be written again
    std::string location{};  // "": the device's own history
};

struct StatusEvent {
    std::int64_t device_id = 0;
    std::int64_t at_ms = 0;  // milliseconds since the epoch
    std::string status;      // "connected", "disconnected", "unknown"
    std::string previous;
    std::optional<std::int64_t> unreachable_via;
    bool muted = false;
    std::string location{};  // "": the device's own status
};

// One notification to one notifier: the transactional outbox (notify/).
// Written in the same transaction as the status changes it follows, sent by
// the sender, retried until it is delivered or gives up.
struct Delivery {
    std::int64_t id = 0;  // assigned by the store, never reused: receivers may deduplicate by it
    std::int64_t notifier_id = 0;
    std::optional<std::int64_t> device_id;  // none for a test message
    std::string payload;                    // the webhook `json` body without "delivery_id" (a JSON object)
    std::int64_t created_ms = 0;
    std::int64_t next_at_ms = 0;  // when it is due (again)
    int attempts = 0;
    std::string status = "pending";  // "pending", "delivered", "failed"
    std::string last_error;
};

class HistoryStore {
public:
    virtual ~HistoryStore() = default;

    // One transaction: chunks, status events and the deliveries they caused.
    virtual void write(const std::vector<SeriesChunk>& chunks, const std::vector<StatusEvent>& events,
                       const std::vector<Delivery>& deliveries) = 0;
    void write(const std::vector<SeriesChunk>& chunks, const std::vector<StatusEvent>& events) {
        write(chunks, events, {});
    }

    // The stored chunks of one device (as seen from `location`; "": its own)
    // and level among `starts` (ascending: the caller knows where chunks
    // begin), oldest first.
    virtual std::vector<SeriesChunk> chunks(std::int64_t device_id, std::string_view location, int level,
                                            const std::vector<std::int64_t>& starts) = 0;

    // One device's status events (at `location`; "": its own) in [from_ms,
    // to_ms], newest first, at most `limit`.
    virtual std::vector<StatusEvent> events(std::int64_t device_id, std::string_view location, std::int64_t from_ms,
                                            std::int64_t to_ms, std::size_t limit) = 0;
    // The newest event (at `location`) of each listed device before `at_ms`
    // (none for a device without one).
    virtual std::vector<StatusEvent> last_events_before(const std::vector<std::int64_t>& device_ids,
                                                        std::string_view location, std::int64_t at_ms) = 0;
    // Every device's own events in [from_ms, to_ms], oldest first per device.
    virtual std::vector<StatusEvent> events_between(std::int64_t from_ms, std::int64_t to_ms) = 0;

    // Retention (every location's): removes the chunks of `level` that start
    // before `before`, and status events before `events_before_ms`. Returns
    // the rows removed.
    virtual std::size_t trim(int level, std::int64_t before) = 0;
    virtual std::size_t trim_events(std::int64_t before_ms) = 0;

    // The outbox. Pending deliveries due at `now_ms`, oldest first: at most
    // `per_notifier` of each notifier (one that never answers cannot crowd
    // the others out) and `limit` in all.
    virtual std::vector<Delivery> due_deliveries(std::int64_t now_ms, std::size_t per_notifier, std::size_t limit) = 0;
    // The devices whose newest notice in the outbox is a device.down (their up is owed).
    virtual std::vector<std::int64_t> devices_notified_down() = 0;
    // When the next pending delivery is due; none when nothing is pending.
    virtual std::optional<std::int64_t> next_delivery_at() = 0;
    // Records an attempt's outcome: status, attempts, next_at_ms and last_error.
    virtual void update_delivery(const Delivery& delivery) = 0;
    // One notifier's deliveries, newest first.
    virtual std::vector<Delivery> deliveries(std::int64_t notifier_id, std::size_t limit) = 0;
    // Removes delivered and failed deliveries created before `before_ms`.
    virtual std::size_t trim_deliveries(std::int64_t before_ms) = 0;
};

}  // namespace gatewatch::store
