// Combining the locations' views of a device (quorum.hpp).
#include "cluster/quorum.hpp"

#include <algorithm>

namespace gatewatch::cluster {

std::optional<std::string> deciding_location(const std::vector<std::string>& locations,
                                             const std::set<std::string, std::less<>>& live_locations) {
    for (const auto& location : locations)
        if (live_locations.contains(location)) return location;
    return std::nullopt;
}

monitor::Status combine(std::span<const monitor::Status> views, int quorum) {
    const auto down = std::count(views.begin(), views.end(), monitor::Status::disconnected);
    if (down >= std::max(quorum, 1)) return monitor::Status::disconnected;
    if (std::find(views.begin(), views.end(), monitor::Status::connected) != views.end())
        return monitor::Status::connected;
    return monitor::Status::unknown;
}

}  // namespace gatewatch::cluster
