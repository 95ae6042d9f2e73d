#pragma once
// Outstanding probes by 16-bit sequence number (after fping's seqmap).
//
// add() hands out the next sequence number; a reply is matched by take(),
// which succeeds only for a live slot whose token and target address both
// match, and empties the slot: a duplicate or a reply after expire() finds
// nothing. When more than 65,536 probes are outstanding the oldest slot is
// reused and its probe reported as evicted (counted as lost).
// Not thread-safe: owned by the engine's thread. Storage is preallocated:
// sending a probe never allocates.
#include "monitor/icmp_packet.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace gatewatch::monitor {

struct Address {
    icmp::Family family = icmp::Family::v4;
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
    bool operator==(const Address&) const = default;
};

struct Probe {
    std::uint32_t target = 0;      // index into the engine's targets
    std::uint32_t generation = 0;  // the target's generation when sent
    std::uint64_t token = 0;       // its send time is kept apart (send_thread.hpp, SendTimes)
    Address address;
};

class ProbeRing {
public:
    ProbeRing() : slots_(65536) {}

    std::uint16_t add(const Probe& probe, std::optional<Probe>& evicted) {
        const std::uint16_t seq = next_seq_++;
        Slot& slot = slots_[seq];
        evicted.reset();
        if (slot.live) evicted = slot.probe;
        slot.probe = probe;
        slot.live = true;
        if (!evicted) ++outstanding_;
        return seq;
    }

    std::optional<Probe> take(std::uint16_t seq, std::uint64_t token, const Address& source) {
        Slot& slot = slots_[seq];
        if (!slot.live || slot.probe.token != token || !(slot.probe.address == source)) return std::nullopt;
        slot.live = false;
        --outstanding_;
        return slot.probe;
    }

    // Removes the probe if it is still waiting: its timeout has come.
    std::optional<Probe> expire(std::uint16_t seq, std::uint64_t token) {
        Slot& slot = slots_[seq];
        if (!slot.live || slot.probe.token != token) return std::nullopt;
        slot.live = false;
        --outstanding_;
        return slot.probe;
    }

    [[nodiscard]] std::size_t outstanding() const { return outstanding_; }

private:
    struct Slot {
        Probe probe;
        bool live = false;
    };
    std::vector<Slot> slots_;
    std::uint16_t next_seq_ = 0;
    std::size_t outstanding_ = 0;
};

}  // namespace gatewatch::monitor
