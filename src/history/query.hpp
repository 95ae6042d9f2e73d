#pragma once
// Reading the history back: points for a chart and uptime figures.
//
// history(): the step is the one asked for (default: about 500 points over
// the range), rounded up to a "nice" step that the resolution kept at the
// range's start allows (any for the last 48 h, whole minutes to 14 days,
// whole hours beyond). Points come from the coarsest level that is as fine
// as the step, and, where that level has not been filled yet (the current
// hour of hour buckets, the current minute), from the level below it.
// uptime(): the fraction of the recorded time in [from, to) that the device
// was connected, from its status changes; time spent `unknown` (before the
// first round, while gatewatch was stopped) is not recorded time.
// Pure functions of the store's contents and `now`; thread-safe.
#include "store/history_store.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace gatewatch::history {

struct Point {
    std::int64_t at = 0;  // the step's start, seconds since the epoch
    std::optional<double> rtt_ms;
    std::optional<double> rtt_ms_max;
    double loss = 0;  // fraction of probes lost
    double up = 0;    // fraction of rounds that succeeded
};

struct Points {
    std::int64_t step_s = 0;
    std::vector<Point> points;
};

// The step history() uses for a range [from, to) asked at `now`.
std::int64_t choose_step(std::int64_t from, std::int64_t to, std::optional<std::int64_t> asked, std::int64_t now);

// `location`: "" for the device's own history, or a location's view of it.
Points history(store::HistoryStore& store, std::int64_t device_id, std::int64_t from, std::int64_t to,
               std::optional<std::int64_t> step, std::int64_t now, std::string_view location = {});

// `before`: the device's last status change before `from_ms`, if any;
// `changes`: its changes in [from_ms, to_ms], oldest first.
std::optional<double> uptime(const std::optional<store::StatusEvent>& before,
                             const std::vector<store::StatusEvent>& changes, std::int64_t from_ms,
                             std::int64_t to_ms);

}  // namespace gatewatch::history
