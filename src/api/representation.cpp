// The JSON shapes of the contract's `user`, `room` and `device`.
#include "api/handlers.hpp"

#include <boost/json.hpp>

namespace gatewatch::api {
namespace json = boost::json;

json::value to_json(const store::User& user) {
    return json::object{{"id", user.id}, {"username", user.username}, {"role", store::to_string(user.role)}};
}

json::value to_json(const store::Room& room) {
    json::object o{{"id", room.id}, {"name", room.name}};
    o["description"] = room.description ? json::value(*room.description) : json::value(nullptr);
    return o;
}

json::value to_json(const store::Device& device) {
    json::object check{{"type", device.check.type == store::Check::Type::tcp ? "tcp" : "icmp"}};
    if (device.check.type == store::Check::Type::tcp) check["port"] = device.check.port;
    json::object o{{"id", device.id}, {"name", device.name}, {"ip", device.ip}};
    o["room_id"] = device.room_id ? json::value(*device.room_id) : json::value(nullptr);
    o["monitored"] = device.monitored;
    o["check"] = std::move(check);
    o["parent_id"] = device.parent_id ? json::value(*device.parent_id) : json::value(nullptr);
    return o;
}

}  // namespace gatewatch::api
