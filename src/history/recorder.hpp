#pragma once
// Turns rounds and status changes into stored history.
//
// Each round is appended, encoded, to its device's open 10-minute chunk;
// when a minute ends its rounds become a minute bucket, when an hour ends
// its minute buckets an hour bucket (history/series.hpp). Nothing is written
// per round: flush() writes every chunk that changed since the last flush,
// and the status changes, in one transaction. Retention (retain()) removes
// what is older than each level keeps, so the database stops growing.
// After a restart, a device's open chunks are read back before its first
// new round is appended to them.
//
// Several nodes: a recorder keeps the device's own history (location "") or
// one location's view of it; a node records the devices whose rounds it
// publishes and hands the others over (keep_only): their chunks are written
// at once, still open, so that the node that takes them over reads them.
// A round whose status differs from the last one recorded records the
// change too (a device taken over, whose status carried on without one; a
// location's view, which has rounds only).
//
// Single-threaded: one thread (history/history_thread.hpp, or a benchmark
// with its own clock) calls everything. `now` is the clock that closes the
// minutes and hours of devices that stopped reporting and drives retention.
// Memory: about 600 bytes a device.
#include "events/events.hpp"
#include "history/series.hpp"
#include "store/history_store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gatewatch::history {

class Recorder {
public:
    using Clock = std::function<std::int64_t()>;  // seconds since the epoch
    // `location`: "" for the devices' own history, or the location whose view this records.
    Recorder(store::HistoryStore& store, Clock now, std::string location = {});

    // The events the recorder cares about: rounds, status changes (recorded
    // `muted` when a maintenance window covers them), removed devices (whose
    // state in memory goes; their stored history ages out).
    void apply(const events::Event& event, bool muted = false);
    // Several nodes: the devices whose rounds come here now. The others' open
    // chunks are written at once (not complete: another node goes on with
    // them) and their state in memory goes. Throws store errors (then they
    // are written with the next flush).
    void keep_only(const std::unordered_set<std::int64_t>& devices);
    // Notifications to store with the next status changes, in the same transaction.
    void add_deliveries(std::vector<store::Delivery> deliveries);

    void record_round(std::int64_t device_id, std::int64_t at, bool ok, std::optional<double> rtt_ms,
                      std::optional<double> loss);
    void record_status(std::int64_t device_id, std::int64_t at_ms, monitor::Status from, monitor::Status to,
                       std::optional<std::int64_t> unreachable_via = std::nullopt, bool muted = false);
    void forget(std::int64_t device_id);

    // Closes the minutes and hours that `now` has left behind and writes
    // every changed chunk and pending status change. Throws store errors; what
    // was not written stays pending for the next call.
    void flush();
    // Writes the pending status changes and deliveries alone (cheap: called within a second of one).
    void flush_events();
    [[nodiscard]] bool has_pending_events() const { return !events_.empty() || !deliveries_.empty(); }
    // Removes chunks and status changes older than each level keeps.
    void retain();
    // At a clean stop: each device with a known status is recorded `unknown`
    // from `at_ms` (default now: the time gatewatch is down is not counted as
    // up or down), then flush().
    void stop(std::optional<std::int64_t> at_ms = std::nullopt);

private:
    struct Series {
        bool loaded = false;
        std::optional<RoundWriter> rounds;
        bool rounds_dirty = false;
        std::int64_t minute_at = -1;  // the minute whose rounds are in minute_rounds
        std::vector<Round> minute_rounds;
        std::optional<BucketWriter> minutes;  // the hour of minute buckets being filled
        bool minutes_dirty = false;
        std::optional<BucketWriter> hours;  // the day of hour buckets being filled
        bool hours_dirty = false;
        monitor::Status status = monitor::Status::unknown;
        std::int64_t last_at = INT64_MIN;  // rounds never go back in time (a wall clock set back)
    };

    void load(std::int64_t device_id, Series& s, std::int64_t at);
    void close_minute(std::int64_t device_id, Series& s);
    void close_hour(std::int64_t device_id, Series& s);
    void set_aside(std::int64_t device_id, Level level, std::int64_t start, const std::string& bytes,
                   bool complete = true);
    void set_aside_all(std::int64_t device_id, const Series& s, bool complete);
    std::string stored(std::int64_t device_id, Level level, std::int64_t start);

    store::HistoryStore& store_;
    Clock now_;
    const std::string location_;
    const std::int64_t started_;  // the clock when this recorder began
    std::int64_t frontier_[3] = {INT64_MIN, INT64_MIN, INT64_MIN};  // per level: the newest chunk start moved to
    std::unordered_map<std::int64_t, Series> series_;
    // Chunks a device moved on from before their last write, by (device,
    // level, start): the newest bytes of each, read back if the device returns.
    struct ChunkKey {
        std::int64_t device_id;
        int level;
        std::int64_t start;
        bool operator==(const ChunkKey&) const = default;
    };
    struct ChunkKeyHash {
        std::size_t operator()(const ChunkKey& k) const noexcept {
            return std::hash<std::int64_t>()(k.device_id * 1'000'003 + k.start * 3 + k.level);
        }
    };
    struct SetAside {
        std::string bytes;
        bool complete = true;  // false: handed over to another node in mid-period
    };
    std::unordered_map<ChunkKey, SetAside, ChunkKeyHash> closed_;
    std::vector<store::StatusEvent> events_;
    std::vector<store::Delivery> deliveries_;
};

}  // namespace gatewatch::history
