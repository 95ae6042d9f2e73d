// ICMP reply parsing, as packets arrive from the network (anyone can send
// us ICMP): every family and framing, never crashes or reads out of bounds.
#include "monitor/icmp_packet.hpp"

#include <cstdint>
#include <span>

using namespace gatewatch::monitor::icmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> packet(data, size);
    (void)parse_echo_reply(Family::v4, false, packet);
    (void)parse_echo_reply(Family::v4, true, packet);
    (void)parse_echo_reply(Family::v6, false, packet);
    (void)internet_checksum(packet);
    return 0;
}
