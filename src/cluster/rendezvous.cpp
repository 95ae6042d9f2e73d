#include "cluster/rendezvous.hpp"

namespace gatewatch::cluster {
namespace {

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

// splitmix64's finalizer: every input bit moves every output bit.
std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

}  // namespace

std::uint64_t rendezvous_weight(std::uint64_t key, std::string_view node) {
    return mix(mix(key) ^ fnv1a(node));
}

std::optional<std::size_t> rendezvous_owner(std::uint64_t key, std::span<const std::string> nodes) {
    std::optional<std::size_t> best;
    std::uint64_t best_weight = 0;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const std::uint64_t w = rendezvous_weight(key, nodes[i]);
        // Ties (as likely as a 64-bit collision) go to the smaller name, on every node alike.
        if (!best || w > best_weight || (w == best_weight && nodes[i] < nodes[*best])) {
            best = i;
            best_weight = w;
        }
    }
    return best;
}

std::int64_t dependency_root(std::int64_t device, const std::unordered_map<std::int64_t, std::int64_t>& parent_of) {
    std::int64_t at = device;
    // At most one step per parent link: a circle stops where the bound does, alike on every node.
    for (std::size_t steps = 0; steps < parent_of.size(); ++steps) {
        const auto it = parent_of.find(at);
        if (it == parent_of.end()) break;
        at = it->second;
    }
    return at;
}

}  // namespace gatewatch::cluster
