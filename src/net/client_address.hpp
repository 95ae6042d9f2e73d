#pragma once
// Who a request comes from, as the per-client limits see it.
//
//  - client_key(): the unit a limit counts. An IPv4 address is one client; an
//    IPv6 address is grouped by its /64, because one host is routinely handed a
//    whole /64 and could otherwise walk past every per-address limit. An
//    IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as the IPv4 address.
//  - Cidr / ProxyList: `trusted_proxies`. Only when the TCP peer is inside one
//    of them do X-Forwarded-For or Forwarded name the client; otherwise those
//    headers are ignored (anyone can send them).
// Pure functions over text; no sockets. Thread-safe (ProxyList is immutable).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatewatch::net {

// An address as 16 bytes (IPv4 as IPv4-mapped IPv6) and whether it was IPv4.
struct IpBytes {
    std::array<std::uint8_t, 16> bytes{};
    bool v4 = false;
};
std::optional<IpBytes> parse_ip(std::string_view text);

// The limits' key for `address` ("192.0.2.7", "2001:db8:1:2::/64"); the text
// itself when it is not an IP literal (e.g. empty when the peer is unknown).
std::string client_key(std::string_view address);

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool is_loopback(std::string_view address);

struct Cidr {
    IpBytes network;
    unsigned prefix = 0;  // in bits of the 16-byte form (an IPv4 /24 is 120)
    [[nodiscard]] bool contains(const IpBytes& ip) const;
};
// "10.0.0.0/8", "::1/128", or a bare address (a host route); nullopt if malformed.
std::optional<Cidr> parse_cidr(std::string_view text);

class ProxyList {
public:
    ProxyList() = default;
    // Throws std::invalid_argument naming the first entry that is not a CIDR.
    explicit ProxyList(const std::vector<std::string>& cidrs);

    [[nodiscard]] bool empty() const { return proxies_.empty(); }
    [[nodiscard]] bool trusts(std::string_view address) const;

    // The client behind `peer`: when `peer` is trusted, the rightmost address of
    // X-Forwarded-For (or, without one, of Forwarded's for=) that is not itself
    // a trusted proxy; in every other case `peer`. Each header's lines are
    // passed joined with commas.
    [[nodiscard]] std::string client_of(std::string_view peer, std::string_view forwarded,
                                        std::string_view x_forwarded_for) const;

private:
    std::vector<Cidr> proxies_;
};

}  // namespace gatewatch::net
