#include "monitor/dependencies.hpp"

namespace gatewatch::monitor {

std::optional<std::int64_t> unreachable_via(std::int64_t device_id, const ParentOf& parent_of,
                                            const StatusOf& status_of, int max_depth) {
    std::optional<std::int64_t> via;
    std::optional<std::int64_t> ancestor = parent_of(device_id);
    for (int depth = 0; ancestor && depth < max_depth; ++depth) {
        if (*ancestor == device_id) break;  // a cycle back to the device
        if (status_of(*ancestor) == Status::disconnected) via = ancestor;
        ancestor = parent_of(*ancestor);
    }
    return via;
}

std::optional<std::int64_t> nearest_ancestor(std::int64_t device_id, const ParentOf& parent_of,
                                             const std::function<bool(std::int64_t)>& accept, int max_depth) {
    std::optional<std::int64_t> ancestor = parent_of(device_id);
    for (int depth = 0; ancestor && depth < max_depth; ++depth) {
        if (*ancestor == device_id) break;  // a cycle back to the device
        if (accept(*ancestor)) return ancestor;
        ancestor = parent_of(*ancestor);
    }
    return std::nullopt;
}

}  // namespace gatewatch::monitor
