#pragma once
// Which live node probes a device: rendezvous (highest random weight)
// hashing. Every node computes the same answer from the same list of live
// nodes with no coordinator, and when a node joins or leaves only the keys
// it wins or held move (a modulo over the node count would move most).
//
// The key is the root of the device's dependency tree, not the device, so a
// gateway and every device behind it are probed by the same node: the
// engine's "unreachable via" and the notifications' "one alert for the
// gateway" need the parent's status where the children are probed.
// Pure functions; the weights are fixed (no per-process seed), since nodes
// must agree.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gatewatch::cluster {

std::uint64_t rendezvous_weight(std::uint64_t key, std::string_view node);

// The index in `nodes` of the one that wins `key`; none when `nodes` is empty.
std::optional<std::size_t> rendezvous_owner(std::uint64_t key, std::span<const std::string> nodes);

// The topmost ancestor of `device` along `parent_of` (itself when it has no
// parent). A circle, which the store refuses, ends after one step per link.
std::int64_t dependency_root(std::int64_t device, const std::unordered_map<std::int64_t, std::int64_t>& parent_of);

}  // namespace gatewatch::cluster
