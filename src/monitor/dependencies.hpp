#pragma once
// Which device a failing device is unreachable through.
//
// The answer is the topmost of its ancestors (parent, parent's parent, ...)
// that is disconnected: the root cause, when a gateway and the switch behind
// it both fail. None when no ancestor is disconnected. Follows at most
// `max_depth` links, so a cycle (the store refuses them, but another
// process's write may be read half-way) cannot loop. Pure; no locks.
#include "monitor/status.hpp"

#include <cstdint>
#include <functional>
#include <optional>

namespace gatewatch::monitor {

using ParentOf = std::function<std::optional<std::int64_t>(std::int64_t device_id)>;
using StatusOf = std::function<Status(std::int64_t device_id)>;

std::optional<std::int64_t> unreachable_via(std::int64_t device_id, const ParentOf& parent_of,
                                            const StatusOf& status_of, int max_depth = 64);

}  // namespace gatewatch::monitor
