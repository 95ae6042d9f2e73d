#pragma once
// Walks a device's ancestors (parent, parent's parent, ...).
//
// unreachable_via: which device a failing device is unreachable through: the
// topmost of its ancestors that is disconnected, the root cause when a
// gateway and the switch behind it both fail. None when no ancestor is
// disconnected.
// nearest_ancestor: the nearest ancestor for which `accept` holds (the
// engine's ancestor check, monitor.cpp step 4).
// Both follow at most `max_depth` links and stop at a cycle back to the
// device, so a cycle (the store refuses them, but another process's write
// may be read half-way) cannot loop. Pure; no locks.
#include "monitor/status.hpp"

#include <cstdint>
#include <functional>
#include <optional>

namespace gatewatch::monitor {

using ParentOf = std::function<std::optional<std::int64_t>(std::int64_t device_id)>;
using StatusOf = std::function<Status(std::int64_t device_id)>;

std::optional<std::int64_t> unreachable_via(std::int64_t device_id, const ParentOf& parent_of,
                                            const StatusOf& status_of, int max_depth = 64);

std::optional<std::int64_t> nearest_ancestor(std::int64_t device_id, const ParentOf& parent_of,
                                             const std::function<bool(std::int64_t)>& accept, int max_depth = 64);

}  // namespace gatewatch::monitor
