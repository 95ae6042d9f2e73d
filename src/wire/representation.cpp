#include "wire/representation.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>

namespace gatewatch::wire {
namespace json = boost::json;

json::value to_json(const store::User& user) {
    json::object o{{"id", user.id}, {"username", user.username}, {"role", store::to_string(user.role)},
                   {"disabled", user.disabled}};
    o["created"] = user.created.empty() ? json::value(nullptr) : json::value(user.created);
    return o;
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
    if (device.locations)
        o["locations"] = json::array(device.locations->begin(), device.locations->end());
    else
        o["locations"] = nullptr;
    o["quorum"] = device.quorum;
    return o;
}

std::string format_time(std::chrono::system_clock::time_point t) {
    return format_time_ms(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

std::string format_time_ms(std::int64_t ms) {
    const auto seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    const int millis = static_cast<int>(ms - static_cast<std::int64_t>(seconds) * 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char out[96];
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return out;
}

}  // namespace gatewatch::wire
