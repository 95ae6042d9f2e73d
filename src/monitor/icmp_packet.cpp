#include "monitor/icmp_packet.hpp"

#include <cstring>

namespace gatewatch::monitor::icmp {
namespace {

constexpr std::uint8_t k_magic[8] = {'g', 'a', 't', 'e', 'w', 't', 'c', 'h'};
constexpr std::uint8_t k_v4_echo_request = 8, k_v4_echo_reply = 0;
constexpr std::uint8_t k_v6_echo_request = 128, k_v6_echo_reply = 129;

void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> data) {
    std::uint32_t sum = 0;
    std::size_t i = 0;
    for (; i + 1 < data.size(); i += 2) sum += get16(&data[i]);
    if (i < data.size()) sum += static_cast<std::uint32_t>(data[i]) << 8;
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::array<std::uint8_t, k_request_size> echo_request(Family family, std::uint16_t id, std::uint16_t seq,
                                                      std::uint64_t token) {
    std::array<std::uint8_t, k_request_size> packet{};
    packet[0] = family == Family::v4 ? k_v4_echo_request : k_v6_echo_request;
    put16(&packet[4], id);
    put16(&packet[6], seq);
    std::memcpy(&packet[8], k_magic, sizeof k_magic);
    std::memcpy(&packet[16], &token, sizeof token);
    if (family == Family::v4) put16(&packet[2], internet_checksum(packet));
    return packet;
}

std::optional<EchoReply> parse_echo_reply(Family family, bool with_ip_header, std::span<const std::uint8_t> packet) {
    if (with_ip_header) {
        if (packet.size() < 20 || (packet[0] >> 4) != 4) return std::nullopt;
        const std::size_t ihl = static_cast<std::size_t>(packet[0] & 0x0F) * 4;
        if (ihl < 20 || packet.size() < ihl || packet[9] != 1 /* ICMP */) return std::nullopt;
        packet = packet.subspan(ihl);
    }
    if (packet.size() < k_request_size) return std::nullopt;
    const std::uint8_t expected_type = family == Family::v4 ? k_v4_echo_reply : k_v6_echo_reply;
    if (packet[0] != expected_type || packet[1] != 0) return std::nullopt;
    if (family == Family::v4 && internet_checksum(packet) != 0) return std::nullopt;
    if (std::memcmp(&packet[8], k_magic, sizeof k_magic) != 0) return std::nullopt;
    EchoReply reply;
    reply.id = get16(&packet[4]);
    reply.seq = get16(&packet[6]);
    std::memcpy(&reply.token, &packet[16], sizeof reply.token);
    return reply;
}

}  // namespace gatewatch::monitor::icmp
