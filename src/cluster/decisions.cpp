// The views and combined status of the devices that list locations (decisions.hpp).
#include "cluster/decisions.hpp"

#include "cluster/quorum.hpp"

#include <algorithm>

namespace gatewatch::cluster {

void Decisions::see(std::int64_t id, const std::string& location, const View& view) { views_[id][location] = view; }

bool Decisions::sees(std::int64_t id, const std::string& location) const {
    const auto it = views_.find(id);
    return it != views_.end() && it->second.contains(location);
}

void Decisions::seed(std::int64_t id, monitor::Status status, std::optional<WallClock::time_point> since,
                     bool unless_known) {
    if (unless_known && combined_.contains(id)) return;
    combined_[id] = {status, since};
}

void Decisions::keep_listed(std::int64_t id, const std::optional<std::vector<std::string>>& locations) {
    const auto it = views_.find(id);
    if (it == views_.end()) return;
    std::erase_if(it->second, [&](const auto& view) {
        return !locations || std::find(locations->begin(), locations->end(), view.first) == locations->end();
    });
}

void Decisions::forget(std::int64_t id) {
    views_.erase(id);
    combined_.erase(id);
}

Decisions::Outcome Decisions::decide(std::int64_t id, const Device& device, const std::string& here,
                                     const std::set<std::string, std::less<>>& live_locations,
                                     const events::RoundFinished* own, WallClock::time_point now) {
    const auto& seen = views_[id];
    std::vector<monitor::Status> statuses;
    statuses.reserve(device.locations.size());
    for (const auto& location : device.locations) {
        const auto v = seen.find(location);
        statuses.push_back(v != seen.end() && live_locations.contains(location) ? v->second.status
                                                                                 : monitor::Status::unknown);
    }
    auto& c = combined_[id];
    const auto status = combine(statuses, device.quorum);
    const bool changed = status != c.status || !c.since;
    Outcome out;
    if (!changed && own == nullptr) return out;
    const auto mine = seen.find(here);
    const View view = mine != seen.end() ? mine->second : View{};
    const auto via = status == monitor::Status::disconnected ? view.unreachable_via : std::nullopt;
    if (changed) {
        if (status != c.status) out.change = events::StatusChanged{id, device.ip, c.status, status, now, via};
        c = {status, now};
    }
    out.round = events::RoundFinished{id,        device.ip, status == monitor::Status::connected,
                                      status,    view.rtt_ms, view.loss,
                                      c.since,   own ? own->at : now,
                                      via};
    return out;
}

}  // namespace gatewatch::cluster
