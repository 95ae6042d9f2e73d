// GET /device_status/ and GET /devices/{device_id}/status
#include "api/handlers.hpp"
#include "monitor/status_hub.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace gatewatch::api::status {
namespace json = boost::json;

namespace {
json::value optional_time(const std::optional<monitor::WallClock::time_point>& t) {
    return t ? json::value(monitor::format_time(*t)) : json::value(nullptr);
}
// Rounded to a microsecond (or a thousandth of loss); whole numbers print as
// integers, so a reader sees 0 and 0.031 rather than 0E0 and 3.0999E-2.
json::value optional_number(const std::optional<double>& v) {
    if (!v) return nullptr;
    const double rounded = std::round(*v * 1000.0) / 1000.0;
    if (rounded == std::trunc(rounded)) return static_cast<std::int64_t>(rounded);
    return rounded;
}
}  // namespace

Response all(const AppContext& app, const Call&) {
    Response r;
    r.body = *app.hub.status_json();
    return r;
}

Response one(const AppContext& app, const Call& call) {
    const auto state = app.hub.device(call.ids[0]);
    if (!state) {
        // Not (yet) monitored: a device that exists is unknown, as the contract says.
        const auto device = app.store.find_device(call.ids[0]);
        if (!device) return error_response(404, "Device not found");
        return json_response(200, json::object{{"device_id", device->id}, {"ip", device->ip}, {"status", "unknown"},
                                                {"rtt_ms", nullptr}, {"loss", nullptr}, {"since", nullptr},
                                                {"last_probe", nullptr}});
    }
    return json_response(200, json::object{{"device_id", state->device_id},
                                            {"ip", state->ip},
                                            {"status", monitor::to_string(state->status)},
                                            {"rtt_ms", optional_number(state->rtt_ms)},
                                            {"loss", optional_number(state->loss)},
                                            {"since", optional_time(state->since)},
                                            {"last_probe", optional_time(state->last_probe)}});
}

Response socket_without_upgrade(const AppContext&, const Call&) {
    Response r = error_response(426, "Upgrade Required: /ws/status/ is a WebSocket");
    r.headers.emplace_back("Upgrade", "websocket");
    return r;
}

}  // namespace gatewatch::api::status
