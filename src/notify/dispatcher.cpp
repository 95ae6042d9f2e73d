#include "notify/dispatcher.hpp"

#include "util/overloaded.hpp"
#include "wire/representation.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace gatewatch::notify {
namespace json = boost::json;

namespace {
json::value number_or_null(const std::optional<double>& v, double scale) {
    if (!v) return nullptr;
    const double rounded = std::round(*v * scale) / scale;
    if (rounded == std::floor(rounded) && std::abs(rounded) < 1e15) return static_cast<std::int64_t>(rounded);
    return rounded;
}
}  // namespace

std::string payload_of(const Notice& n, const store::Device& device) {
    const std::string at = wire::format_time_ms(n.at_ms);
    return json::serialize(json::object{
        {"event", n.kind == Notice::Kind::down ? "device.down" : "device.up"},
        {"at", at},
        {"device", wire::to_json(device)},
        {"status", monitor::to_string(n.status)},
        {"previous", monitor::to_string(n.previous)},
        {"rtt_ms", number_or_null(n.rtt_ms, 1000)},
        {"loss", number_or_null(n.loss, 1000)},
        {"since", at},
        {"unreachable_children", n.unreachable_children},
    });
}

std::string test_payload(std::int64_t now_ms) {
    return json::serialize(json::object{
        {"event", "test"},
        {"at", wire::format_time_ms(now_ms)},
        {"device", nullptr},
        {"status", nullptr},
        {"previous", nullptr},
        {"rtt_ms", nullptr},
        {"loss", nullptr},
        {"since", nullptr},
        {"unreachable_children", 0},
    });
}

Dispatcher::Dispatcher(store::Store& store, store::HistoryStore& outbox, Clock now_ms,
                       std::function<void()> wake_sender)
    : store_(store), outbox_(outbox), now_ms_(std::move(now_ms)), wake_sender_(std::move(wake_sender)) {}

void Dispatcher::load_configuration() {
    notifiers_ = store_.list_notifiers();
    decider_.set_maintenance(store_.list_maintenance());
}

void Dispatcher::load_devices() {
    auto devices = store_.list_devices(std::nullopt);
    devices_.clear();
    for (const auto& d : devices) devices_[d.id] = d;
    decider_.set_devices(devices);
}

history::Companion::Seen Dispatcher::observe(const events::Event& event) {
    if (!loaded_) {
        load_configuration();
        load_devices();
        for (const auto id : outbox_.devices_notified_down()) decider_.mark_notified_down(id);
        loaded_ = true;
    }
    std::visit(util::Overloaded{
                   [&](const events::DeviceAdded& e) { devices_[e.device.id] = e.device; },
                   [&](const events::DeviceUpdated& e) { devices_[e.device.id] = e.device; },
                   [&](const events::DeviceRemoved& e) { devices_.erase(e.device.id); },
                   [&](const events::NotifiersChanged&) { load_configuration(); },
                   [&](const events::Reload&) {
                       load_configuration();
                       load_devices();
                   },
                   [&](const events::Assignment& e) {
                       // Several nodes: devices handed over from another node
                       // may have had their down sent there; their up is ours.
                       if (e.devices == assigned_ || !e.devices) return;
                       for (const auto id : outbox_.devices_notified_down())
                           if (e.devices->contains(id) && (!assigned_ || !assigned_->contains(id)))
                               decider_.mark_notified_down(id);
                       assigned_ = e.devices;
                   },
                   [](const auto&) {},
               },
               event);
    Seen seen;
    seen.muted = decider_.apply(event, now_ms_());
    for (const auto& notice : decider_.take()) {
        auto deliveries = deliveries_for(notice);
        seen.deliveries.insert(seen.deliveries.end(), std::make_move_iterator(deliveries.begin()),
                               std::make_move_iterator(deliveries.end()));
    }
    return seen;
}

std::vector<store::Delivery> Dispatcher::deliveries_for(const Notice& notice) {
    const auto device = devices_.find(notice.device_id);
    if (device == devices_.end()) return {};
    const char* kind = notice.kind == Notice::Kind::down ? "down" : "up";
    std::vector<store::Delivery> out;
    std::string payload;
    const std::int64_t now = now_ms_();
    for (const auto& n : notifiers_) {
        if (!n.enabled) continue;
        if (std::find(n.events.begin(), n.events.end(), kind) == n.events.end()) continue;
        if (n.room_id && n.room_id != device->second.room_id) continue;
        if (payload.empty()) payload = payload_of(notice, device->second);
        store::Delivery d;
        d.notifier_id = n.id;
        d.device_id = notice.device_id;
        d.payload = payload;
        d.created_ms = now;
        d.next_at_ms = now;
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace gatewatch::notify
