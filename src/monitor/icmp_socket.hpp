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
#include <memory>
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

    // Batches: one system call (sendmmsg, recvmmsg) carries up to k_batch
    // packets. At 100,000 probes a round, one call a packet was most of the
    // engine's time in the kernel (issue 14).
    static constexpr std::size_t k_batch = 64;
    static constexpr std::size_t k_max_packet = 2048;

    struct Outgoing {
        Address to;
        std::span<const std::uint8_t> packet;
    };
    // Sends the packets of `batch` (at most k_batch) in order. errors[i] is 0
    // when packet i went, else its errno (ENETUNREACH for an address no route
    // reaches, EAGAIN when the send buffer is full): a refused packet does
    // not hold back the ones after it.
    void send_batch(std::span<const Outgoing> batch, std::span<int> errors);

    struct Received {
        std::span<const std::uint8_t> data;
        Address source;
        std::int64_t received_ns = 0;  // CLOCK_REALTIME, from the kernel when it gives one
    };
    // Up to k_batch pending packets; empty when none is waiting. The packets
    // stay valid until the next call (the socket owns their buffers).
    std::span<const Received> receive_batch();

private:
    struct Buffers;  // recvmmsg's headers, addresses, control data and packets
    IcmpSocket(int fd, icmp::Family family, bool raw);
    int fd_;
    icmp::Family family_;
    bool raw_;
    std::unique_ptr<Buffers> buffers_;
};

std::int64_t realtime_ns();

// Parses an IPv4 or IPv6 literal.
std::optional<Address> parse_address(const std::string& ip);

}  // namespace gatewatch::monitor
