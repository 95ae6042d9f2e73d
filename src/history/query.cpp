#include "history/query.hpp"

#include "history/series.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <variant>

namespace gatewatch::history {

namespace {

constexpr std::int64_t k_hour = 3600;
constexpr std::int64_t k_day = 86400;
constexpr std::int64_t k_most_points = 10'000;

// Steps a chart reads well at; beyond a day, whole days.
constexpr std::array<std::int64_t, 18> k_nice_steps = {1,    2,    5,    10,    15,    30,    60,    120,   300,
                                                       600,  900,  1800, 3600,  7200,  10800, 21600, 43200, 86400};

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
std::int64_t floor_to(std::int64_t t, std::int64_t step) { return t - ((t % step) + step) % step; }

// The rounds or buckets that fall into each step.
using Group = std::variant<std::vector<Round>, std::vector<Bucket>>;

struct Collector {
    std::int64_t step;
    std::int64_t from;
    std::int64_t to;
    std::map<std::int64_t, Group> groups;
    std::int64_t covered = 0;  // the end of the newest record seen

    void add(const Round& r) {
        if (r.at < from || r.at >= to) return;
        auto [it, fresh] = groups.try_emplace(floor_to(r.at, step), std::vector<Round>{});
        if (auto* rounds = std::get_if<std::vector<Round>>(&it->second))
            rounds->push_back(r);
        else  // a step that buckets began (the tail after the last bucket)
            std::get<std::vector<Bucket>>(it->second).push_back(summarise(r.at, std::vector<Round>{r}));
        covered = std::max(covered, r.at + 1);
    }
    void add(const Bucket& b, std::int64_t size) {
        if (b.at + size <= from || b.at >= to) return;
        auto [it, fresh] = groups.try_emplace(floor_to(std::max(b.at, from), step), std::vector<Bucket>{});
        if (auto* buckets = std::get_if<std::vector<Bucket>>(&it->second)) buckets->push_back(b);
        covered = std::max(covered, b.at + size);
    }
};

void collect(store::HistoryStore& store, std::int64_t device_id, std::string_view location, Level level,
             std::int64_t from, std::int64_t to, std::int64_t now, Collector& out) {
    const LevelSpec l = spec(level);
    // Only where the level can hold anything: `from=0001-01-01` must not
    // mean a seek for every day since then.
    from = std::max(from, now - l.keep_s - 2 * l.chunk_s);
    to = std::min(to, now + l.chunk_s);
    if (from >= to) return;
    for (const auto& chunk : store.chunks(device_id, location, static_cast<int>(level), chunk_starts(level, from, to))) {
        if (level == Level::round) {
            for (const Round& r : decode_rounds(chunk.start, chunk.data)) out.add(r);
        } else {
            for (const Bucket& b : decode_buckets(level, chunk.start, chunk.data)) out.add(b, l.bucket_s);
        }
    }
}

Point to_point(std::int64_t at, const Group& group) {
    const Bucket b = std::visit([&](const auto& parts) { return summarise(at, parts); }, group);
    Point p;
    p.at = at;
    if (b.ok > 0) {
        p.rtt_ms = rtt_ms(b.rtt);
        p.rtt_ms_max = rtt_ms(b.rtt_max);
    }
    p.loss = loss_fraction(b.loss);
    p.up = b.rounds > 0 ? static_cast<double>(b.ok) / b.rounds : 0.0;
    return p;
}

}  // namespace

std::int64_t choose_step(std::int64_t from, std::int64_t to, std::optional<std::int64_t> asked, std::int64_t now) {
    const std::int64_t age = now - from;
    const std::int64_t kept = age <= spec(Level::round).keep_s    ? 1
                              : age <= spec(Level::minute).keep_s ? spec(Level::minute).bucket_s
                                                                  : spec(Level::hour).bucket_s;
    const std::int64_t range = std::max<std::int64_t>(1, to - from);
    std::int64_t want = asked ? std::max<std::int64_t>(1, *asked) : ceil_div(range, 500);
    want = std::max({want, kept, ceil_div(range, k_most_points)});
    for (const std::int64_t nice : k_nice_steps)
        if (nice >= want) return nice;
    return ceil_div(want, k_day) * k_day;
}

Points history(store::HistoryStore& store, std::int64_t device_id, std::int64_t from, std::int64_t to,
               std::optional<std::int64_t> asked, std::int64_t now, std::string_view location) {
    Points out;
    out.step_s = choose_step(from, to, asked, now);
    Collector c{out.step_s, from, to, {}, 0};
    const Level level = out.step_s < 60 ? Level::round : out.step_s < k_hour ? Level::minute : Level::hour;
    collect(store, device_id, location, level, from, to, now, c);
    // Where the level is not filled yet, the one below it (kept long enough for the tail).
    if (level != Level::round) {
        const Level finer = level == Level::hour ? Level::minute : Level::round;
        const std::int64_t tail = std::max({c.covered, from, now - spec(finer).keep_s});
        if (tail < to) collect(store, device_id, location, finer, tail, to, now, c);
    }
    for (const auto& [at, group] : c.groups) out.points.push_back(to_point(at, group));
    return out;
}

std::optional<double> uptime(const std::optional<store::StatusEvent>& before,
                             const std::vector<store::StatusEvent>& changes, std::int64_t from_ms,
                             std::int64_t to_ms) {
    std::string status = before ? before->status : "unknown";
    std::int64_t t = from_ms;
    std::int64_t connected = 0;
    std::int64_t known = 0;
    const auto close = [&](std::int64_t until) {
        const std::int64_t span = std::max<std::int64_t>(0, until - t);
        if (status == "connected") connected += span;
        if (status != "unknown") known += span;
        t = std::max(t, until);
    };
    for (const auto& change : changes) {
        close(std::clamp(change.at_ms, from_ms, to_ms));
        status = change.status;
    }
    close(to_ms);
    if (known == 0) return std::nullopt;
    return static_cast<double>(connected) / static_cast<double>(known);
}

}  // namespace gatewatch::history
