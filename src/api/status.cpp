// GET /device_status/ and GET /devices/{device_id}/status
#include "api/handlers.hpp"
#include "api/validation.hpp"
#include "api/status_hub.hpp"

#include <boost/json.hpp>


namespace gatewatch::api::status {
namespace json = boost::json;

namespace {
// ?detail=true asks for the detail objects.
std::optional<bool> wants_detail(const Call& call, ValidationErrors& errors) {
    bool detail = false;
    for (const auto& [key, value] : call.query) {
        if (key != "detail") continue;
        const auto parsed = parse_query_bool(value);
        if (!parsed) {
            errors.add({"query", "detail"}, "bool_parsing",
                       "Input should be a valid boolean, unable to interpret input");
            return std::nullopt;
        }
        detail = *parsed;
    }
    return detail;
}
}  // namespace

Response all(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    const auto detail = wants_detail(call, errors);
    if (!detail) return errors.response();
    Response r;
    r.body = *detail ? *app.hub.detail_json() : *app.hub.status_json();
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
                                                {"last_probe", nullptr}, {"unreachable_via", nullptr}});
    }
    return json_response(200, to_json(*state));
}

Response socket_without_upgrade(const AppContext&, const Call&) {
    Response r = error_response(426, "Upgrade Required: /ws/status/ is a WebSocket");
    r.headers.emplace_back("Upgrade", "websocket");
    return r;
}

}  // namespace gatewatch::api::status
