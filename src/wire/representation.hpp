#pragma once
// The contract's JSON shapes of a user, a room and a device, and its time
// format: shared by the API's answers and the notifications' bodies, so the
// device in a webhook is the device of GET /devices/{id}. Pure functions.
#include "store/store.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <string>

namespace gatewatch::wire {

boost::json::value to_json(const store::User& user);
boost::json::value to_json(const store::Room& room);
boost::json::value to_json(const store::Device& device);

// RFC 3339 UTC with milliseconds, e.g. 2026-11-25T04:00:00.123Z
std::string format_time(std::chrono::system_clock::time_point t);
std::string format_time_ms(std::int64_t ms_since_epoch);

}  // namespace gatewatch::wire
