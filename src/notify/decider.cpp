#include "notify/decider.hpp"

#include "util/overloaded.hpp"

#include <algorithm>
#include <utility>

namespace gatewatch::notify {
using monitor::Status;

namespace {
constexpr int k_max_depth = 64;  // as monitor/dependencies.hpp: a cycle read half-way cannot loop

bool contains(const std::vector<std::int64_t>& ids, std::int64_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::int64_t millis_of(events::WallClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

void Decider::set_devices(const std::vector<store::Device>& devices) {
    std::unordered_map<std::int64_t, Device> before;
    before.swap(devices_);
    children_.clear();
    for (const auto& d : devices) {
        auto it = before.find(d.id);
        if (it != before.end()) devices_[d.id] = it->second;  // keeps status and what was sent
        upsert(d);
    }
    for (auto it = pending_.begin(); it != pending_.end();)
        it = devices_.contains(it->first) ? std::next(it) : pending_.erase(it);
    for (auto it = ups_.begin(); it != ups_.end();) it = devices_.contains(it->first) ? std::next(it) : ups_.erase(it);
}

void Decider::set_maintenance(std::vector<store::MaintenanceWindow> windows) { windows_ = std::move(windows); }

void Decider::upsert(const store::Device& d) {
    Device& state = devices_[d.id];
    if (state.parent != d.parent_id) {
        if (state.parent) std::erase(children_[*state.parent], d.id);
        if (d.parent_id) children_[*d.parent_id].push_back(d.id);
    } else if (d.parent_id && !contains(children_[*d.parent_id], d.id)) {
        children_[*d.parent_id].push_back(d.id);  // set_devices rebuilds the children
    }
    state.parent = d.parent_id;
    state.room = d.room_id;
    state.monitored = d.monitored;
    if (!d.monitored)  // no round will come from it
        for (auto& [_, p] : pending_) {
            p.descendants.erase(d.id);
            p.ancestors.erase(d.id);
        }
}

void Decider::remove(std::int64_t id) {
    const auto it = devices_.find(id);
    if (it == devices_.end()) return;
    if (it->second.parent) std::erase(children_[*it->second.parent], id);
    devices_.erase(it);
    // The store leaves its children without a parent (no event says so).
    if (const auto kids = children_.find(id); kids != children_.end()) {
        for (const auto child : kids->second)
            if (const auto c = devices_.find(child); c != devices_.end()) c->second.parent.reset();
        children_.erase(kids);
    }
    pending_.erase(id);
    ups_.erase(id);
    for (auto& [_, p] : pending_) {
        p.descendants.erase(id);
        p.ancestors.erase(id);
    }
}

bool Decider::apply(const events::Event& event, std::int64_t now_ms) {
    bool muted = false;
    std::visit(util::Overloaded{
                   [&](const events::DeviceAdded& e) { upsert(e.device); },
                   [&](const events::DeviceUpdated& e) { upsert(e.device); },
                   [&](const events::DeviceRemoved& e) { remove(e.device.id); },
                   [&](const events::RoundFinished& e) { on_round(e, now_ms); },
                   [&](const events::StatusChanged& e) { muted = on_status(e, now_ms); },
                   [](const auto&) {},
               },
               event);
    // Past the longest wait a decision is taken as things stand.
    std::vector<std::int64_t> overdue;
    for (const auto& [id, p] : pending_)
        if (now_ms >= p.decided_by_ms) overdue.push_back(id);
    std::ranges::sort(overdue);
    for (const auto id : overdue) decide(id);
    return muted;
}

std::vector<Notice> Decider::take() { return std::exchange(decided_, {}); }

bool Decider::in_maintenance(std::int64_t device_id, std::int64_t at_ms) const {
    const auto it = devices_.find(device_id);
    const std::int64_t room = it != devices_.end() && it->second.room ? *it->second.room : 0;  // ids start at 1
    return std::ranges::any_of(windows_, [&](const store::MaintenanceWindow& w) {
        if (at_ms < w.start_ms || at_ms >= w.end_ms) return false;
        if (!w.room_id && w.device_ids.empty()) return true;  // everything
        return (w.room_id && *w.room_id == room) || contains(w.device_ids, device_id);
    });
}

void Decider::on_round(const events::RoundFinished& e, std::int64_t now_ms) {
    const auto it = devices_.find(e.device_id);
    if (it == devices_.end()) return;
    Device& d = it->second;
    d.status = e.status;
    d.rtt_ms = e.rtt_ms;
    d.loss = e.loss;
    // Folded into an ancestor's notice, and still down now that no ancestor
    // is: its own outage, told now (as if it had just gone down).
    if (d.suppressed && e.status == Status::disconnected && !e.unreachable_via && !pending_.contains(e.device_id)) {
        d.suppressed = false;
        const std::int64_t at_ms = millis_of(e.at);
        if (!in_maintenance(e.device_id, at_ms))
            start_pending(e.device_id, at_ms, Status::connected, now_ms, true);
    }
    if (const auto up = ups_.find(e.device_id); up != ups_.end()) {
        up->second.rtt_ms = e.rtt_ms;
        up->second.loss = e.loss;
        decided_.push_back(up->second);
        ups_.erase(up);
    }
    if (const auto own = pending_.find(e.device_id); own != pending_.end() && !own->second.own_round) {
        own->second.own_round = true;
        own->second.notice.rtt_ms = e.rtt_ms;
        own->second.notice.loss = e.loss;
    }
    std::vector<std::int64_t> ready;
    for (auto& [id, p] : pending_) {
        p.descendants.erase(e.device_id);
        // An ancestor has decided when it answered or went down; failed rounds
        // below its threshold leave it in doubt.
        if (e.status == Status::disconnected || (e.ok && e.status == Status::connected))
            p.ancestors.erase(e.device_id);
        if (p.own_round && p.descendants.empty() && p.ancestors.empty()) ready.push_back(id);
    }
    // Ancestors first: a device decided after its ancestor sees it down.
    std::ranges::sort(ready, [&](std::int64_t a, std::int64_t b) {
        return ancestors(a).size() < ancestors(b).size();
    });
    for (const auto id : ready) decide(id);
}

bool Decider::on_status(const events::StatusChanged& e, std::int64_t now_ms) {
    const auto it = devices_.find(e.device_id);
    if (it == devices_.end()) return false;
    Device& d = it->second;
    d.status = e.to;
    const std::int64_t at_ms = millis_of(e.at);
    const bool muted = in_maintenance(e.device_id, at_ms);
    if (e.to == Status::unknown) {  // a new address, or no longer probed: nothing pending stands
        pending_.erase(e.device_id);
        ups_.erase(e.device_id);
        return muted;
    }
    if (e.to == Status::disconnected) {
        // The first status after unknown is not an event; a device whose down
        // was sent (before a restart or an address change) is still down.
        if (e.from == Status::unknown || muted) return muted;
        if (e.unreachable_via) {  // counted by the ancestor's notice
            d.suppressed = true;
            return muted;
        }
        start_pending(e.device_id, at_ms, e.from, now_ms, false);
        return muted;
    }
    // Back up.
    d.suppressed = false;
    if (pending_.erase(e.device_id) > 0) return muted;  // its down was never decided: neither is sent
    if (d.notified_down) {  // also from unknown: the down sent before a restart gets its up
        d.notified_down = false;
        if (!muted) ups_[e.device_id] = Notice{Notice::Kind::up, e.device_id, at_ms, e.to, Status::disconnected,
                                                d.rtt_ms, d.loss, 0};
    }
    return muted;
}

void Decider::start_pending(std::int64_t device_id, std::int64_t at_ms, Status previous, std::int64_t now_ms,
                            bool own_round_seen) {
    const Device& d = devices_.at(device_id);
    Pending p;
    p.notice = Notice{Notice::Kind::down, device_id, at_ms, Status::disconnected, previous, d.rtt_ms, d.loss, 0};
    p.decided_by_ms = now_ms + longest_wait_.count();
    p.own_round = own_round_seen;
    for (const auto id : descendants(device_id))
        if (devices_.at(id).monitored) p.descendants.insert(id);
    for (const auto id : ancestors(device_id)) {
        const Device& a = devices_.at(id);
        if (a.monitored && a.status != Status::disconnected) p.ancestors.insert(id);
    }
    pending_[device_id] = std::move(p);  // decided at the earliest with its own round, next
}

void Decider::mark_notified_down(std::int64_t device_id) {
    if (const auto it = devices_.find(device_id); it != devices_.end()) it->second.notified_down = true;
}

void Decider::decide(std::int64_t device_id) {
    const auto it = pending_.find(device_id);
    if (it == pending_.end()) return;
    Notice notice = it->second.notice;
    pending_.erase(it);
    Device& d = devices_.at(device_id);
    if (ancestor_down(device_id)) {  // the ancestor's notice counts it
        d.suppressed = true;
        return;
    }
    for (const auto id : descendants(device_id))
        if (devices_.at(id).status == Status::disconnected) ++notice.unreachable_children;
    d.notified_down = true;
    decided_.push_back(notice);
}

std::vector<std::int64_t> Decider::ancestors(std::int64_t id) const {
    std::vector<std::int64_t> out;
    auto it = devices_.find(id);
    for (int depth = 0; depth < k_max_depth && it != devices_.end() && it->second.parent; ++depth) {
        const auto parent = *it->second.parent;
        if (parent == id || contains(out, parent)) break;
        it = devices_.find(parent);
        if (it == devices_.end()) break;  // a parent deleted meanwhile
        out.push_back(parent);
    }
    return out;
}

std::vector<std::int64_t> Decider::descendants(std::int64_t id) const {
    std::vector<std::int64_t> out;
    std::unordered_set<std::int64_t> seen{id};
    std::vector<std::int64_t> frontier{id};
    for (int depth = 0; depth < k_max_depth && !frontier.empty(); ++depth) {
        std::vector<std::int64_t> next;
        for (const auto parent : frontier) {
            const auto it = children_.find(parent);
            if (it == children_.end()) continue;
            for (const auto child : it->second)
                if (devices_.contains(child) && seen.insert(child).second) {
                    out.push_back(child);
                    next.push_back(child);
                }
        }
        frontier = std::move(next);
    }
    return out;
}

bool Decider::ancestor_down(std::int64_t id) const {
    return std::ranges::any_of(ancestors(id), [&](std::int64_t a) {
        const auto it = devices_.find(a);
        return it != devices_.end() && it->second.status == Status::disconnected;
    });
}

}  // namespace gatewatch::notify
