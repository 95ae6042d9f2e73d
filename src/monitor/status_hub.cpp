#include "monitor/status_hub.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <ctime>

namespace gatewatch::monitor {

std::string format_time(WallClock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char out[96];
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return out;
}

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
    return {{"device_id", state.device_id},
            {"ip", state.ip},
            {"status", to_string(state.status)},
            {"rtt_ms", optional_number(state.rtt_ms)},
            {"loss", optional_number(state.loss)},
            {"since", optional_time(state.since)},
            {"last_probe", optional_time(state.last_probe)}};
}

void StatusHub::changed_locked() {
    ++version_;
    rendered_.reset();
    rendered_detail_.reset();
}

void StatusHub::set_devices(const std::vector<MonitoredDevice>& devices) {
    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        std::unordered_map<std::int64_t, DeviceState> next;
        next.reserve(devices.size());
        for (const auto& d : devices) {
            auto it = devices_.find(d.device_id);
            if (it != devices_.end() && it->second.ip == d.ip) {
                next.emplace(d.device_id, std::move(it->second));
            } else {
                DeviceState fresh;
                fresh.device_id = d.device_id;
                fresh.ip = d.ip;
                next.emplace(d.device_id, std::move(fresh));
                changed = true;
            }
        }
        changed = changed || next.size() != devices_.size();
        devices_ = std::move(next);
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
        it->second = state;
        detail_moved_ = true;  // RTT, loss and last_probe moved
        if (changed) changed_locked();
    }
    if (changed && listener_) listener_();
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
    if (!rendered_detail_ || (detail_moved_ && now - rendered_detail_at_ >= std::chrono::seconds(1))) {
        boost::json::object o;
        o.reserve(devices_.size());
        for (const auto& [id, d] : devices_) {
            auto detail = to_json(d);
            detail.erase("ip");  // it is the key
            o[d.ip] = std::move(detail);
        }
        rendered_detail_ = std::make_shared<const std::string>(boost::json::serialize(o));
        rendered_detail_at_ = now;
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

}  // namespace gatewatch::monitor
