#include "api/status_hub.hpp"

#include "util/overloaded.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace gatewatch::api {
using monitor::Status;

namespace {
boost::json::value optional_time(const std::optional<WallClock::time_point>& t) {
    return t ? boost::json::value(format_time(*t)) : boost::json::value(nullptr);
}
boost::json::value optional_number(const std::optional<double>& v) {
    if (!v) return nullptr;
    const double rounded = std::round(*v * 1000.0) / 1000.0;
    if (rounded == std::trunc(rounded)) return static_cast<std::int64_t>(rounded);
    return rounded;
}
}  // namespace

boost::json::object to_json(const DeviceState& state) {
    boost::json::object locations;
    for (const auto& [name, view] : state.locations)
        locations[name] = {{"status", to_string(view.status)},
                           {"rtt_ms", optional_number(view.rtt_ms)},
                           {"loss", optional_number(view.loss)},
                           {"node", view.node ? boost::json::value(*view.node) : nullptr}};
    return {{"device_id", state.device_id},
            {"ip", state.ip},
            {"status", to_string(state.status)},
            {"rtt_ms", optional_number(state.rtt_ms)},
            {"loss", optional_number(state.loss)},
            {"since", optional_time(state.since)},
            {"last_probe", optional_time(state.last_probe)},
            {"unreachable_via", state.unreachable_via ? boost::json::value(*state.unreachable_via) : nullptr},
            {"locations", std::move(locations)}};
}

namespace {
constexpr std::size_t k_removals_kept = 10'000;  // a client further behind gets a snapshot

using util::Overloaded;

// What a delta carries changed: the values as rendered (RTT to a microsecond,
// loss to a thousandth), so noise below that sends nothing.
bool delta_fields_differ(const DeviceState& a, const DeviceState& b) {
    const auto rounded = [](const std::optional<double>& v) {
        return v ? std::optional<double>(std::round(*v * 1000.0)) : std::nullopt;
    };
    return a.status != b.status || a.since != b.since || rounded(a.rtt_ms) != rounded(b.rtt_ms) ||
           rounded(a.loss) != rounded(b.loss) || a.unreachable_via != b.unreachable_via;
}

boost::json::object detail_of(const DeviceState& state) {
    auto detail = to_json(state);
    detail.erase("ip");         // it is the key
    detail.erase("locations");  // asked for one device at a time
    return detail;
}
}  // namespace

void StatusHub::set_node(std::string name, std::string location, bool several_nodes) {
    std::lock_guard lock(mutex_);
    node_name_ = std::move(name);
    node_location_ = std::move(location);
    several_nodes_ = several_nodes;
}

void StatusHub::locate_locked(std::int64_t device_id, const std::optional<std::vector<std::string>>& locations) {
    auto it = devices_.find(device_id);
    if (!several_nodes_ || !locations || it == devices_.end()) {
        if (listed_.erase(device_id) != 0 && it != devices_.end()) it->second.locations.clear();
        return;
    }
    auto& listed = listed_[device_id];
    if (listed == *locations) return;
    listed = *locations;
    it->second.locations.clear();
    for (const auto& name : listed) it->second.locations.emplace(name, LocationView{});
}

void StatusHub::view(const events::RoundFinished& round, const std::string& location, const std::string& node,
                     bool only) {
    const auto device_id = round.device_id;
    const auto& ip = round.ip;
    std::lock_guard lock(mutex_);
    auto it = devices_.find(device_id);
    if (it == devices_.end() || it->second.ip != ip) return;
    auto& views = it->second.locations;
    if (only) {
        if (listed_locked(device_id)) return;  // its listed locations' views are shown instead
        if (views.size() != 1 || views.begin()->first != location) views.clear();
    } else if (!views.contains(location)) {
        return;  // not one of its locations (any more)
    }
    // In place: a round of every device passes here, and a node's name may be
    // longer than a string keeps without allocating.
    auto& view = views[location];
    view.status = round.status;
    view.rtt_ms = round.rtt_ms;
    view.loss = round.loss;
    if (view.node != node) view.node = node;
}

void StatusHub::changed_locked() {
    ++version_;
    rendered_.reset();
    rendered_detail_.reset();
}

void StatusHub::join_locked(std::int64_t device_id, const std::string& ip, bool& changed) {
    auto it = devices_.find(device_id);
    if (it != devices_.end()) {
        if (it->second.ip == ip) return;
        leave_locked(device_id, changed);  // re-addressed: the old ip leaves, the new one starts unknown
    }
    DeviceState fresh;
    fresh.device_id = device_id;
    fresh.ip = ip;
    fresh.changed_seq = ++seq_;
    devices_.emplace(device_id, std::move(fresh));
    changed = true;
}

void StatusHub::leave_locked(std::int64_t device_id, bool& changed) {
    auto it = devices_.find(device_id);
    if (it == devices_.end()) return;
    removed_.emplace_back(++seq_, it->second.ip);
    if (removed_.size() > k_removals_kept) {
        removed_floor_ = removed_.front().first;
        removed_.pop_front();
    }
    devices_.erase(it);
    listed_.erase(device_id);
    changed = true;
}

void StatusHub::set_devices(const std::vector<MonitoredDevice>& devices) {
    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        std::unordered_map<std::int64_t, const MonitoredDevice*> wanted;
        wanted.reserve(devices.size());
        for (const auto& d : devices) wanted.emplace(d.device_id, &d);
        std::vector<std::int64_t> leaving;
        for (const auto& [id, state] : devices_)
            if (!wanted.contains(id)) leaving.push_back(id);
        for (const auto id : leaving) leave_locked(id, changed);
        for (const auto& d : devices) {
            join_locked(d.device_id, d.ip, changed);
            locate_locked(d.device_id, d.locations);
        }
        if (changed) changed_locked();
    }
    if (changed && listener_) listener_();
}

void StatusHub::record(const DeviceState& state) {
    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        auto it = devices_.find(state.device_id);
        if (it == devices_.end() || it->second.ip != state.ip) return;  // removed or re-addressed meanwhile
        changed = it->second.status != state.status;
        const bool moved = delta_fields_differ(it->second, state);
        const auto changed_seq = moved ? ++seq_ : it->second.changed_seq;
        auto views = std::move(it->second.locations);  // kept: view() maintains them
        it->second = state;
        it->second.changed_seq = changed_seq;
        it->second.locations = std::move(views);
        detail_moved_ = true;  // RTT, loss and last_probe moved
        if (changed) changed_locked();
    }
    if (changed && listener_) listener_();
}

namespace {
DeviceState state_of(const events::RoundFinished& e) {
    DeviceState state;
    state.device_id = e.device_id;
    state.ip = e.ip;
    state.status = e.status;
    state.rtt_ms = e.rtt_ms;
    state.loss = e.loss;
    state.since = e.since;
    state.last_probe = e.at;
    state.unreachable_via = e.unreachable_via;
    return state;
}

}  // namespace

void StatusHub::apply(const events::Event& event) {
    bool changed = false;
    std::visit(Overloaded{
                   [&](const events::DeviceAdded& e) {
                       std::lock_guard lock(mutex_);
                       if (e.device.monitored) join_locked(e.device.id, e.device.ip, changed);
                       locate_locked(e.device.id, e.device.locations);
                       if (changed) changed_locked();
                   },
                   [&](const events::DeviceUpdated& e) {
                       std::lock_guard lock(mutex_);
                       if (e.device.monitored)
                           join_locked(e.device.id, e.device.ip, changed);
                       else
                           leave_locked(e.device.id, changed);
                       locate_locked(e.device.id, e.device.locations);
                       if (changed) changed_locked();
                   },
                   [&](const events::DeviceRemoved& e) {
                       std::lock_guard lock(mutex_);
                       leave_locked(e.device.id, changed);
                       if (changed) changed_locked();
                   },
                   [&](const events::RoundFinished& e) {
                       record(state_of(e));  // tells the listener itself
                       view(e, node_location_, node_name_, true);
                   },
                   [&](const events::RoundRelayed& e) {
                       record(state_of(e.round));
                       view(e.round, e.location, e.node, true);
                   },
                   [&](const events::LocationRound& e) {
                       view(e.round, e.location, e.node, false);
                   },
                   [](const auto&) {},
               },
               event);
    if (changed && listener_) listener_();
}

std::uint64_t StatusHub::seq() const {
    std::lock_guard lock(mutex_);
    return seq_;
}

StatusHub::Delta StatusHub::delta_since(std::uint64_t after) {
    std::vector<DeviceState> changed;
    std::vector<std::string> removed;
    std::uint64_t upto = 0;
    {
        std::lock_guard lock(mutex_);
        if (after == 0 || after < removed_floor_ || after > seq_) {
            auto detail = detail_locked(std::chrono::steady_clock::now());
            upto = rendered_detail_seq_;
            if (last_delta_after_ == 0 && last_delta_.upto == upto && last_delta_.body) return last_delta_;
            auto body = std::make_shared<std::string>();
            body->reserve(detail->size() + 14);
            body->append("{\"snapshot\":").append(*detail).append("}");
            last_delta_ = {std::move(body), upto};
            last_delta_after_ = 0;
            return last_delta_;
        }
        if (last_delta_.body && last_delta_after_ == after && last_delta_.upto == seq_) return last_delta_;
        upto = seq_;
        for (const auto& [id, state] : devices_)
            if (state.changed_seq > after) changed.push_back(state);
        for (auto it = removed_.rbegin(); it != removed_.rend() && it->first > after; ++it) removed.push_back(it->second);
    }
    boost::json::object message;
    if (!changed.empty()) {
        boost::json::object o;
        o.reserve(changed.size());
        for (const auto& state : changed) o[state.ip] = detail_of(state);
        message["changed"] = std::move(o);
    }
    std::erase_if(removed, [&](const std::string& ip) {  // left and came back: it is in "changed"
        return std::any_of(changed.begin(), changed.end(), [&](const DeviceState& d) { return d.ip == ip; });
    });
    if (!removed.empty()) {
        boost::json::array a;
        for (auto& ip : removed) a.emplace_back(ip);
        message["removed"] = std::move(a);
    }
    Delta delta{std::make_shared<const std::string>(boost::json::serialize(message)), upto};
    std::lock_guard lock(mutex_);
    last_delta_ = delta;
    last_delta_after_ = after;
    return delta;
}

std::shared_ptr<const std::string> StatusHub::status_json() {
    std::lock_guard lock(mutex_);
    if (!rendered_) {
        boost::json::object o;
        o.reserve(devices_.size());
        for (const auto& [id, d] : devices_) o[d.ip] = to_string(d.status);
        rendered_ = std::make_shared<const std::string>(boost::json::serialize(o));
    }
    return rendered_;
}

std::shared_ptr<const std::string> StatusHub::detail_json(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    return detail_locked(now);
}

std::shared_ptr<const std::string> StatusHub::detail_locked(std::chrono::steady_clock::time_point now) {
    if (!rendered_detail_ || (detail_moved_ && now - rendered_detail_at_ >= std::chrono::seconds(1))) {
        boost::json::object o;
        o.reserve(devices_.size());
        for (const auto& [id, d] : devices_) o[d.ip] = detail_of(d);
        rendered_detail_ = std::make_shared<const std::string>(boost::json::serialize(o));
        rendered_detail_at_ = now;
        rendered_detail_seq_ = seq_;
        detail_moved_ = false;
    }
    return rendered_detail_;
}

std::uint64_t StatusHub::version() const {
    std::lock_guard lock(mutex_);
    return version_;
}

std::optional<DeviceState> StatusHub::device(std::int64_t device_id) const {
    std::lock_guard lock(mutex_);
    auto it = devices_.find(device_id);
    if (it == devices_.end()) return std::nullopt;
    return it->second;
}

std::size_t StatusHub::size() const {
    std::lock_guard lock(mutex_);
    return devices_.size();
}

}  // namespace gatewatch::api
