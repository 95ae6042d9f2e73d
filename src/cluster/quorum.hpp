#pragma once
// Devices probed from several locations (store::Device::locations, several
// nodes): each location's prober reports how it sees the device, and one
// node, the decider, combines those views into the device's own status, so
// that its history and its notifications are written once cluster-wide.
//
// The decider is the prober of the device's first location (in the order
// the device lists them) that has a live node. Every node computes the same
// answer from the same membership, and a location whose nodes are all gone
// hands the decision on to the next one. Nodes may disagree about who is live
// for a second; the decider also holds the device's "*" ownership row
// (coordinator.cpp), so two nodes never decide at once.
//
// Combining: disconnected when at least `quorum` locations see the device
// disconnected; otherwise connected when any location sees it connected;
// otherwise unknown. A location without a live node does not see it at all
// (unknown), whatever its last prober wrote.
//
// Pure functions: no state, no locking.
#include "monitor/status.hpp"

#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace gatewatch::cluster {

// The first of `locations` that has a live node, if any.
std::optional<std::string> deciding_location(const std::vector<std::string>& locations,
                                             const std::set<std::string, std::less<>>& live_locations);

monitor::Status combine(std::span<const monitor::Status> views, int quorum);

}  // namespace gatewatch::cluster
