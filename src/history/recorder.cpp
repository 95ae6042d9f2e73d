#include "history/recorder.hpp"

#include "util/overloaded.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace gatewatch::history {

namespace {

std::int64_t seconds_of(events::WallClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
std::int64_t millis_of(events::WallClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
std::int64_t minute_of(std::int64_t t) { return t - ((t % 60) + 60) % 60; }

constexpr std::int64_t k_deliveries_kept_s = 30 * 86400;  // the log of sent (or given up) notifications
constexpr std::size_t k_most_pending = 1'000'000;  // chunks or status changes waiting for a failing store

}  // namespace

Recorder::Recorder(store::HistoryStore& store, Clock now, std::string location)
    : store_(store), now_(std::move(now)), location_(std::move(location)), started_(now_()) {}

void Recorder::apply(const events::Event& event, bool muted) {
    std::visit(util::Overloaded{
                   [&](const events::RoundFinished& e) {
                       const auto known = series_.find(e.device_id);
                       const auto last = known == series_.end() ? monitor::Status::unknown : known->second.status;
                       if (e.status != last) record_status(e.device_id, millis_of(e.at), last, e.status, e.unreachable_via);
                       record_round(e.device_id, seconds_of(e.at), e.ok, e.rtt_ms, e.loss);
                   },
                   [&](const events::StatusChanged& e) {
                       record_status(e.device_id, millis_of(e.at), e.from, e.to, e.unreachable_via, muted);
                   },
                   [&](const events::DeviceRemoved& e) { forget(e.device.id); },
                   [](const auto&) {},
               },
               event);
}

void Recorder::add_deliveries(std::vector<store::Delivery> deliveries) {
    deliveries_.insert(deliveries_.end(), std::make_move_iterator(deliveries.begin()),
                       std::make_move_iterator(deliveries.end()));
}

void Recorder::set_aside(std::int64_t device_id, Level level, std::int64_t start, const std::string& bytes,
                         bool complete) {
    closed_[{device_id, static_cast<int>(level), start}] = {bytes, complete};
}

void Recorder::set_aside_all(std::int64_t device_id, const Series& s, bool complete) {
    if (!s.loaded) return;
    if (!s.rounds->empty()) set_aside(device_id, Level::round, s.rounds->start(), s.rounds->bytes(), complete);
    if (!s.minutes->empty()) set_aside(device_id, Level::minute, s.minutes->start(), s.minutes->bytes(), complete);
    if (!s.hours->empty()) set_aside(device_id, Level::hour, s.hours->start(), s.hours->bytes(), complete);
}

// What is stored of a chunk the device moves on to: nothing, usually, but
// after a restart it may hold records that must not be overwritten.
std::string Recorder::stored(std::int64_t device_id, Level level, std::int64_t start) {
    if (const auto pending = closed_.find({device_id, static_cast<int>(level), start}); pending != closed_.end())
        return pending->second.bytes;
    // A period that began after this process did, and is the newest any
    // device has moved to, holds nothing yet: a chunk is completed only when
    // its device moves past it. This spares a seek per device and period. A
    // wall clock set back lands behind the frontier, and is read.
    auto& frontier = frontier_[static_cast<int>(level)];
    if (start >= started_ && start >= frontier) {
        frontier = start;
        return {};
    }
    auto found = store_.chunks(device_id, location_, static_cast<int>(level), {start});
    return found.empty() ? std::string() : std::move(found.front().data);
}

// After a start, the chunks this device was filling before it: the newest
// hour and minute chunks, and the rounds stored after the last minute bucket
// (a stop or a crash in mid-minute, or in mid-hour), summed again as if they
// had just arrived, so no minute or hour is lost or counted twice.
void Recorder::load(std::int64_t device_id, Series& s, std::int64_t at) {
    s.loaded = true;
    // The newest stored chunk of the last day or two (a restart after a
    // longer stop leaves what was open then to the minute buckets).
    const auto latest = [&](Level level, std::int64_t lookback) {
        const std::int64_t start = chunk_start(level, at);
        auto stored =
            store_.chunks(device_id, location_, static_cast<int>(level), chunk_starts(level, start - lookback, start + 1));
        return stored.empty() ? store::SeriesChunk{device_id, static_cast<int>(level), start, {}, false, location_}
                              : std::move(stored.back());
    };
    const auto hours = latest(Level::hour, 86400);
    s.hours.emplace(Level::hour, hours.start, hours.data);
    const auto minutes = latest(Level::minute, 86400);
    s.minutes.emplace(Level::minute, minutes.start, minutes.data);
    const auto last_minute = s.minutes->last_at();
    const std::int64_t summed_until = last_minute ? *last_minute + 60 : s.minutes->start();
    const auto stored = store_.chunks(device_id, location_, static_cast<int>(Level::round),
                                      chunk_starts(Level::round, summed_until, at + 1));
    for (const auto& chunk : stored) {
        for (const Round& r : decode_rounds(chunk.start, chunk.data)) {
            if (r.at < summed_until || r.at > at) continue;
            if (s.minute_at >= 0 && minute_of(r.at) != s.minute_at) close_minute(device_id, s);
            s.minute_at = minute_of(r.at);
            s.minute_rounds.push_back(r);
            s.last_at = std::max(s.last_at, r.at);
        }
    }
    if (!stored.empty() && stored.back().start == chunk_start(Level::round, at))
        s.rounds.emplace(stored.back().start, stored.back().data);
    else
        s.rounds.emplace(chunk_start(Level::round, at));
}

void Recorder::record_round(std::int64_t device_id, std::int64_t at, bool ok, std::optional<double> rtt_ms_value,
                            std::optional<double> loss) {
    Series& s = series_[device_id];
    if (!s.loaded) load(device_id, s, at);
    // A wall clock set back must not reopen chunks and minutes already
    // summed: the round counts at the device's latest time instead.
    at = std::max(at, s.last_at);
    s.last_at = at;

    if (s.minute_at >= 0 && minute_of(at) != s.minute_at) close_minute(device_id, s);

    Round round;
    round.at = at;
    round.ok = ok && rtt_ms_value.has_value();
    round.loss = loss_code(loss.value_or(ok ? 0.0 : 1.0));
    if (round.ok) round.rtt = rtt_code(*rtt_ms_value);

    const std::int64_t start = chunk_start(Level::round, at);
    if (s.rounds->start() != start) {
        if (!s.rounds->empty()) set_aside(device_id, Level::round, s.rounds->start(), s.rounds->bytes());
        s.rounds_dirty = false;
        s.rounds.emplace(start, stored(device_id, Level::round, start));
    }
    s.rounds->append(round);
    s.rounds_dirty = true;

    s.minute_at = minute_of(at);
    s.minute_rounds.push_back(round);
}

void Recorder::close_minute(std::int64_t device_id, Series& s) {
    if (s.minute_rounds.empty()) {
        s.minute_at = -1;
        return;
    }
    const Bucket bucket = summarise(s.minute_at, s.minute_rounds);
    s.minute_rounds.clear();
    s.minute_at = -1;
    const std::int64_t start = chunk_start(Level::minute, bucket.at);
    if (s.minutes->start() != start) {
        close_hour(device_id, s);
        if (s.minutes->start() != start) {
            if (!s.minutes->empty()) set_aside(device_id, Level::minute, s.minutes->start(), s.minutes->bytes());
            s.minutes_dirty = false;
            s.minutes.emplace(Level::minute, start, stored(device_id, Level::minute, start));
        }
    }
    s.minutes->append(bucket);
    s.minutes_dirty = true;
}

// The hour of minute buckets that s.minutes holds becomes one hour bucket.
void Recorder::close_hour(std::int64_t device_id, Series& s) {
    if (s.minutes->empty()) return;
    const auto buckets = decode_buckets(Level::minute, s.minutes->start(), s.minutes->bytes());
    if (!s.minutes->empty()) set_aside(device_id, Level::minute, s.minutes->start(), s.minutes->bytes());
    s.minutes_dirty = false;
    const Bucket hour = summarise(s.minutes->start(), buckets);
    const std::int64_t start = chunk_start(Level::hour, hour.at);
    if (s.hours->start() != start) {
        if (!s.hours->empty()) set_aside(device_id, Level::hour, s.hours->start(), s.hours->bytes());
        s.hours_dirty = false;
        s.hours.emplace(Level::hour, start, stored(device_id, Level::hour, start));
    }
    // After a restart the stored hour may already have been summed.
    if (s.hours->last_at().value_or(INT64_MIN) < hour.at) {
        s.hours->append(hour);
        s.hours_dirty = true;
    }
    const std::int64_t next = s.minutes->start() + spec(Level::minute).chunk_s;
    s.minutes.emplace(Level::minute, next, stored(device_id, Level::minute, next));
}

void Recorder::record_status(std::int64_t device_id, std::int64_t at_ms, monitor::Status from, monitor::Status to,
                             std::optional<std::int64_t> unreachable_via, bool muted) {
    series_[device_id].status = to;
    events_.push_back(
        {device_id, at_ms, monitor::to_string(to), monitor::to_string(from), unreachable_via, muted, location_});
}

// Its rounds so far are still written; what is stored ages out with retention.
void Recorder::forget(std::int64_t device_id) {
    const auto it = series_.find(device_id);
    if (it == series_.end()) return;
    set_aside_all(device_id, it->second, true);
    series_.erase(it);
}

void Recorder::keep_only(const std::unordered_set<std::int64_t>& devices) {
    std::vector<store::SeriesChunk> handed;
    for (auto it = series_.begin(); it != series_.end();) {
        if (devices.contains(it->first)) {
            ++it;
            continue;
        }
        const Series& s = it->second;
        const auto add = [&](Level level, const auto& writer) {
            if (writer && !writer->empty())
                handed.push_back({it->first, static_cast<int>(level), writer->start(), writer->bytes(), false, location_});
        };
        if (s.loaded) {
            add(Level::round, s.rounds);
            add(Level::minute, s.minutes);
            add(Level::hour, s.hours);
        }
        it = series_.erase(it);
    }
    // Chunks they finished since the last flush: written now too, before the next node reads them.
    for (auto it = closed_.begin(); it != closed_.end();) {
        if (devices.contains(it->first.device_id)) {
            ++it;
            continue;
        }
        handed.push_back({it->first.device_id, it->first.level, it->first.start, std::move(it->second.bytes),
                          it->second.complete, location_});
        it = closed_.erase(it);
    }
    if (handed.empty()) return;
    try {
        store_.write(handed, {});
    } catch (...) {
        for (auto& c : handed) set_aside(c.device_id, static_cast<Level>(c.level), c.start, c.data, c.complete);
        throw;
    }
}

void Recorder::flush() {
    const std::int64_t now = now_();
    std::vector<store::SeriesChunk> batch;
    for (auto& [id, s] : series_) {
        if (!s.loaded) continue;
        // A device that stopped reporting (removed from monitoring, or the
        // engine behind): its minute and hour still end on time.
        if (s.minute_at >= 0 && s.minute_at + 60 <= now) close_minute(id, s);
        if (!s.minutes->empty() && s.minutes->start() + spec(Level::minute).chunk_s <= minute_of(now) &&
            s.minute_at < 0)
            close_hour(id, s);
        // Chunks whose period is over are complete, even with nothing after them.
        if (!s.rounds->empty() && s.rounds->start() + spec(Level::round).chunk_s <= now) {
            set_aside(id, Level::round, s.rounds->start(), s.rounds->bytes());
            s.rounds_dirty = false;
            s.rounds.emplace(chunk_start(Level::round, now), stored(id, Level::round, chunk_start(Level::round, now)));
        }
        if (!s.hours->empty() && s.hours->start() + spec(Level::hour).chunk_s <= now &&
            s.minutes->start() >= s.hours->start() + spec(Level::hour).chunk_s) {
            set_aside(id, Level::hour, s.hours->start(), s.hours->bytes());
            s.hours_dirty = false;
            s.hours.emplace(Level::hour, chunk_start(Level::hour, now), stored(id, Level::hour, chunk_start(Level::hour, now)));
        }
        if (s.rounds_dirty)
            batch.push_back({id, static_cast<int>(Level::round), s.rounds->start(), s.rounds->bytes(), false, location_});
        if (s.minutes_dirty)
            batch.push_back(
                {id, static_cast<int>(Level::minute), s.minutes->start(), s.minutes->bytes(), false, location_});
        if (s.hours_dirty)
            batch.push_back({id, static_cast<int>(Level::hour), s.hours->start(), s.hours->bytes(), false, location_});
    }
    // Set aside before (or by the closes above): older than any open chunk of the same key.
    std::vector<store::SeriesChunk> set_aside_chunks;
    set_aside_chunks.reserve(closed_.size());
    for (const auto& [key, aside] : closed_)
        set_aside_chunks.push_back({key.device_id, key.level, key.start, aside.bytes, aside.complete, location_});
    batch.insert(batch.begin(), std::make_move_iterator(set_aside_chunks.begin()),
                 std::make_move_iterator(set_aside_chunks.end()));
    // In key order: chunks that close together are appended together, pages full (in hash
    // order they land at random inside the run and split pages half empty).
    std::stable_sort(batch.begin(), batch.end(), [](const store::SeriesChunk& a, const store::SeriesChunk& b) {
        return std::tie(a.level, a.start, a.device_id) < std::tie(b.level, b.start, b.device_id);
    });
    try {
        store_.write(batch, events_, deliveries_);  // on failure nothing is cleared: all of it is written again next time
    } catch (...) {
        // A store that keeps failing (a full disk) must not take the memory
        // with it: past a bound, what waits is given up.
        if (closed_.size() > k_most_pending || events_.size() > k_most_pending || deliveries_.size() > k_most_pending) {
            closed_.clear();
            events_.clear();
            deliveries_.clear();
        }
        throw;
    }
    closed_.clear();
    events_.clear();
    deliveries_.clear();
    for (auto& [id, s] : series_) s.rounds_dirty = s.minutes_dirty = s.hours_dirty = false;
}

void Recorder::flush_events() {
    if (events_.empty() && deliveries_.empty()) return;
    store_.write({}, events_, deliveries_);
    events_.clear();
    deliveries_.clear();
}

void Recorder::retain() {
    const std::int64_t now = now_();
    for (Level level : {Level::round, Level::minute, Level::hour}) {
        const LevelSpec l = spec(level);
        // A chunk goes once it ended `keep_s` ago: it started at or before now - keep - chunk.
        store_.trim(static_cast<int>(level), now - l.keep_s - l.chunk_s + 1);
    }
    store_.trim_events((now - spec(Level::hour).keep_s) * 1000);
    store_.trim_deliveries((now - k_deliveries_kept_s) * 1000);
}

void Recorder::stop(std::optional<std::int64_t> at_ms) {
    const std::int64_t stopped_ms = at_ms.value_or(now_() * 1000);
    for (auto& [id, s] : series_) {
        if (s.status == monitor::Status::unknown) continue;
        events_.push_back({id, stopped_ms, monitor::to_string(monitor::Status::unknown), monitor::to_string(s.status),
                           std::nullopt, false, location_});
        s.status = monitor::Status::unknown;
    }
    flush();
}

}  // namespace gatewatch::history
