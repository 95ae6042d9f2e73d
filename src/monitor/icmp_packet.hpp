#pragma once
// ICMP echo packets, built and parsed; pure functions, no sockets.
//
// Our payload is 16 bytes: an 8-byte magic ("gatewtch") and the probe's
// 8-byte random token, so a reply proves it answers one of our probes and
// which one. parse_echo_reply() accepts only well-formed echo replies (type 0
// for IPv4, 129 for IPv6) carrying that payload: echo requests (our own, seen
// on loopback by a raw socket), other ICMP types, truncated packets and bad
// IPv4 checksums are refused.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace gatewatch::monitor::icmp {

enum class Family : std::uint8_t { v4, v6 };

inline constexpr std::size_t k_header_size = 8;
inline constexpr std::size_t k_payload_size = 16;
inline constexpr std::size_t k_request_size = k_header_size + k_payload_size;

// An echo request. The IPv4 checksum is filled in (raw sockets need it);
// ICMPv6 checksums are left to the kernel, which must compute them over the
// pseudo-header.
std::array<std::uint8_t, k_request_size> echo_request(Family family, std::uint16_t id, std::uint16_t seq,
                                                      std::uint64_t token);

struct EchoReply {
    std::uint16_t id = 0;
    std::uint16_t seq = 0;
    std::uint64_t token = 0;
};

// `with_ip_header`: raw IPv4 sockets deliver the IP header before the ICMP
// message; datagram sockets and IPv6 sockets do not.
std::optional<EchoReply> parse_echo_reply(Family family, bool with_ip_header, std::span<const std::uint8_t> packet);

std::uint16_t internet_checksum(std::span<const std::uint8_t> data);

}  // namespace gatewatch::monitor::icmp
