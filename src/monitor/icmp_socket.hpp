#pragma once
// An ICMP socket for one address family, opened by the chosen method:
//  - datagram: SOCK_DGRAM/IPPROTO_ICMP(V6), no privilege where the process's
//    group is in net.ipv4.ping_group_range; the kernel owns the echo id.
//  - raw: SOCK_RAW, needs CAP_NET_RAW; filtered in the kernel to echo
//    replies only (so our own requests, seen on loopback, never arrive).
// Non-blocking, with kernel receive timestamps (SO_TIMESTAMPNS).
// Not thread-safe: one owner thread.
#include "monitor/probe_ring.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace gatewatch::monitor {

enum class ProbeMethod { automatic, datagram, raw, system_ping };
const char* to_string(ProbeMethod method);
std::optional<ProbeMethod> parse_probe_method(std::string_view text);

class IcmpSocket {
public:
    // Opens a socket; on failure returns nullopt and sets `error`.
    static std::optional<IcmpSocket> open(icmp::Family family, ProbeMethod method, std::string& error);
    IcmpSocket(IcmpSocket&& other) noexcept;
    IcmpSocket& operator=(IcmpSocket&& other) noexcept;
    ~IcmpSocket();

    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] icmp::Family family() const { return family_; }
    [[nodiscard]] bool is_raw() const { return raw_; }

    // 0 when sent, else the errno (ENETUNREACH for an address no route reaches, EAGAIN when full).
    int send_to(const Address& to, std::span<const std::uint8_t> packet);

    struct Received {
        std::size_t size = 0;
        Address source;
        std::int64_t received_ns = 0;  // CLOCK_REALTIME, from the kernel when it gives one
    };
    // One pending packet into `buffer`, or nullopt when none is waiting.
    std::optional<Received> receive(std::span<std::uint8_t> buffer);

private:
    IcmpSocket(int fd, icmp::Family family, bool raw) : fd_(fd), family_(family), raw_(raw) {}
    int fd_;
    icmp::Family family_;
    bool raw_;
};

std::int64_t realtime_ns();

// Parses an IPv4 or IPv6 literal.
std::optional<Address> parse_address(const std::string& ip);

}  // namespace gatewatch::monitor
