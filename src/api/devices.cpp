// /devices/ and /devices/{device_id}
#include "api/handlers.hpp"
#include "api/validation.hpp"

#include <boost/json.hpp>

namespace gatewatch::api::devices {
namespace json = boost::json;

namespace {
constexpr std::size_t k_max_name = 100;

Response device_not_found() { return error_response(404, "Device not found"); }

// check: {"type": "icmp"} or {"type": "tcp", "port": 1-65535}; null means icmp.
std::optional<store::Check> read_check(const JsonBody& body, ValidationErrors& errors) {
    const json::value* raw = body.raw("check");
    if (raw == nullptr) return std::nullopt;
    if (raw->is_null()) return store::Check{};
    if (!raw->is_object()) {
        errors.add({"body", "check"}, "model_attributes_type",
                   "Input should be a valid dictionary or object to extract fields from");
        return std::nullopt;
    }
    const json::object& check = raw->as_object();
    const json::value* type = check.if_contains("type");
    if (type == nullptr) {
        errors.add({"body", "check", "type"}, "missing", "Field required");
        return std::nullopt;
    }
    if (type->is_string() && type->as_string() == "icmp") return store::Check{};
    if (!type->is_string() || type->as_string() != "tcp") {
        errors.add({"body", "check", "type"}, "literal_error", "Input should be 'icmp' or 'tcp'");
        return std::nullopt;
    }
    const json::value* port = check.if_contains("port");
    if (port == nullptr) {
        errors.add({"body", "check", "port"}, "missing", "Field required");
        return std::nullopt;
    }
    const auto number = read_integer(*port, {"body", "check", "port"}, errors);
    if (!number) return std::nullopt;
    if (*number < 1) {
        errors.add({"body", "check", "port"}, "greater_than_equal", "Input should be greater than or equal to 1");
        return std::nullopt;
    }
    if (*number > 65535) {
        errors.add({"body", "check", "port"}, "less_than_equal", "Input should be less than or equal to 65535");
        return std::nullopt;
    }
    return store::Check{store::Check::Type::tcp, static_cast<std::uint16_t>(*number)};
}

std::optional<std::string> read_ip(JsonBody& body, bool required, ValidationErrors& errors) {
    const auto text = body.text("ip", required, 1, 64);
    if (!text) return std::nullopt;
    auto canonical = canonical_ip(*text);
    if (!canonical) errors.add({"body", "ip"}, "ip_any_address", "value is not a valid IPv4 or IPv6 address");
    return canonical;
}

// room_id: absent -> untouched, null -> no room, else an integer.
std::optional<std::optional<std::int64_t>> read_room_id(JsonBody& body) {
    if (!body.has("room_id")) return std::nullopt;
    if (body.is_null("room_id")) return std::optional<std::int64_t>();
    if (auto id = body.integer("room_id", false)) return std::optional<std::int64_t>(*id);
    return std::nullopt;
}

// parent_id: absent -> untouched, null -> none, else an integer.
std::optional<std::optional<std::int64_t>> read_parent_id(JsonBody& body) {
    if (!body.has("parent_id")) return std::nullopt;
    if (body.is_null("parent_id")) return std::optional<std::int64_t>();
    if (auto id = body.integer("parent_id", false)) return std::optional<std::int64_t>(*id);
    return std::nullopt;
}

// Runs a store write and maps its typed failures to the contract's answers.
template <typename Write>
Response write_device(Write&& write) {
    try {
        return write();
    } catch (const store::UniqueViolation&) {
        return error_response(409, "IP address already in use");
    } catch (const store::NotFound& e) {
        return error_response(404, e.entity == store::Entity::device ? "Parent device not found" : "Room not found");
    } catch (const store::DependencyCycle&) {
        ValidationErrors errors;
        errors.add({"body", "parent_id"}, "value_error",
                   "Value error, a device cannot depend on itself or on a device behind it");
        return errors.response();
    }
}

}  // namespace

Response list(const AppContext& app, const Call& call) {
    std::optional<std::int64_t> room_id;
    for (const auto& [key, value] : call.query) {
        if (key != "room_id") continue;
        ValidationErrors errors;
        room_id = read_positive_id(value, {"query", "room_id"}, errors);
        if (!errors.empty()) return errors.response();
    }
    auto render = [&] {
        json::array devices;
        for (const auto& device : app.store.list_devices(room_id)) devices.push_back(to_json(device));
        return json::serialize(devices);
    };
    Response r;
    r.body = room_id ? render() : *app.cache.body(ReadCache::Body::devices, render);
    return r;
}

Response create(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, errors);
    store::Device device;
    const auto name = body.text("name", true, 1, k_max_name);
    const auto ip = read_ip(body, true, errors);
    const auto room_id = read_room_id(body);
    const auto monitored = body.boolean("monitored", false);
    const auto check = read_check(body, errors);
    const auto parent_id = read_parent_id(body);
    if (!errors.empty()) return errors.response();
    device.name = *name;
    device.parent_id = parent_id.value_or(std::nullopt);
    device.ip = *ip;
    device.room_id = room_id.value_or(std::nullopt);
    device.monitored = monitored.value_or(true);
    device.check = check.value_or(store::Check{});
    return write_device([&] { return json_response(201, to_json(app.services.devices.create(device))); });
}

Response get(const AppContext& app, const Call& call) {
    const auto device = app.store.find_device(call.ids[0]);
    return device ? json_response(200, to_json(*device)) : device_not_found();
}

Response update(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, errors);
    service::DevicePatch patch;
    patch.name = body.text("name", false, 1, k_max_name);
    patch.ip = read_ip(body, false, errors);
    patch.room_id = read_room_id(body);
    patch.monitored = body.boolean("monitored", false);
    patch.check = read_check(body, errors);
    patch.parent_id = read_parent_id(body);
    if (!errors.empty()) return errors.response();
    return write_device([&] {
        const auto device = app.services.devices.update(call.ids[0], patch);
        return device ? json_response(200, to_json(*device)) : device_not_found();
    });
}

Response remove(const AppContext& app, const Call& call) {
    return app.services.devices.remove(call.ids[0]) ? no_content() : device_not_found();
}

}  // namespace gatewatch::api::devices
