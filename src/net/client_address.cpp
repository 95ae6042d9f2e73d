#include "net/client_address.hpp"

#include "util/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace gatewatch::net {
namespace {

constexpr std::array<std::uint8_t, 12> k_v4_mapped_prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

using util::trim;

// One hop as proxies write it: 192.0.2.1, 192.0.2.1:80, [2001:db8::1],
// [2001:db8::1]:80, 2001:db8::1, optionally "quoted" (Forwarded).
std::optional<IpBytes> parse_hop(std::string_view hop) {
    hop = trim(hop);
    if (hop.size() >= 2 && hop.front() == '"' && hop.back() == '"') hop = hop.substr(1, hop.size() - 2);
    if (hop.starts_with('[')) {
        const auto close = hop.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        return parse_ip(hop.substr(1, close - 1));
    }
    if (auto ip = parse_ip(hop)) return ip;
    const auto colon = hop.find(':');
    if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos)
        return parse_ip(hop.substr(0, colon));  // IPv4 with a port
    return std::nullopt;
}

std::string to_text(const IpBytes& ip) {
    char text[INET6_ADDRSTRLEN] = {};
    if (ip.v4)
        ::inet_ntop(AF_INET, ip.bytes.data() + 12, text, sizeof text);
    else
        ::inet_ntop(AF_INET6, ip.bytes.data(), text, sizeof text);
    return text;
}

// The `for=` values of a Forwarded header, in order (RFC 7239).
std::vector<std::string_view> forwarded_for(std::string_view header) {
    std::vector<std::string_view> hops;
    while (!header.empty()) {
        const auto end = header.find_first_of(",;");
        std::string_view pair = trim(header.substr(0, end));
        if (pair.size() > 4 && util::iequals(pair.substr(0, 4), "for=")) hops.push_back(pair.substr(4));
        if (end == std::string_view::npos) break;
        header.remove_prefix(end + 1);
    }
    return hops;
}

}  // namespace

std::optional<IpBytes> parse_ip(std::string_view text) {
    // A link-local peer comes as fe80::1%eth0: the scope names our interface,
    // not the client, and would make every such address a client of its own.
    if (const auto percent = text.find('%'); percent != std::string_view::npos) text = text.substr(0, percent);
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string z(text);
    IpBytes ip;
    if (::inet_pton(AF_INET, z.c_str(), ip.bytes.data() + 12) == 1) {
        std::copy(k_v4_mapped_prefix.begin(), k_v4_mapped_prefix.end(), ip.bytes.begin());
        ip.v4 = true;
        return ip;
    }
    if (::inet_pton(AF_INET6, z.c_str(), ip.bytes.data()) == 1) {
        ip.v4 = std::equal(k_v4_mapped_prefix.begin(), k_v4_mapped_prefix.end(), ip.bytes.begin());
        return ip;
    }
    return std::nullopt;
}

std::string client_key(std::string_view address) {
    auto ip = parse_ip(address);
    if (!ip) return std::string(address);
    if (ip->v4) return to_text(*ip);
    std::fill(ip->bytes.begin() + 8, ip->bytes.end(), 0);
    return to_text(*ip) + "/64";
}

bool is_loopback(std::string_view address) {
    const auto ip = parse_ip(address);
    if (!ip) return false;
    if (ip->v4) return ip->bytes[12] == 127;
    static constexpr std::array<std::uint8_t, 16> k_v6_loopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return ip->bytes == k_v6_loopback;
}

bool Cidr::contains(const IpBytes& ip) const {
    unsigned bits = prefix;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
        const unsigned take = std::min(bits, 8u);
        const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
        if ((ip.bytes[i] & mask) != (network.bytes[i] & mask)) return false;
        bits -= take;
    }
    return true;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
    text = trim(text);
    const auto slash = text.find('/');
    auto ip = parse_ip(text.substr(0, slash));
    if (!ip) return std::nullopt;
    const unsigned width = ip->v4 ? 32 : 128;
    unsigned length = width;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 ||
            !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
            return std::nullopt;
        length = static_cast<unsigned>(std::stoul(std::string(digits)));
        if (length > width) return std::nullopt;
    }
    return Cidr{*ip, length + (ip->v4 ? 96 : 0)};
}

ProxyList::ProxyList(const std::vector<std::string>& cidrs) {
    for (const auto& text : cidrs) {
        auto cidr = parse_cidr(text);
        if (!cidr) throw std::invalid_argument("not an address or CIDR: '" + text + "'");
        proxies_.push_back(*cidr);
    }
}

bool ProxyList::trusts(std::string_view address) const {
    const auto ip = parse_ip(address);
    return ip && std::any_of(proxies_.begin(), proxies_.end(), [&](const Cidr& c) { return c.contains(*ip); });
}

std::string ProxyList::client_of(std::string_view peer, std::string_view forwarded,
                                 std::string_view x_forwarded_for) const {
    if (proxies_.empty() || !trusts(peer)) return std::string(peer);
    // X-Forwarded-For first: it is what proxies write by default, and one
    // that writes it passes a client's own Forwarded header through untouched.
    const auto hops = !x_forwarded_for.empty() ? util::split_list(x_forwarded_for) : forwarded_for(forwarded);
    // Walk from the nearest hop back: each trusted proxy vouches for the one
    // before it; the first hop it cannot vouch for is the client.
    std::string client(peer);
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        const auto ip = parse_hop(*it);
        if (!ip) break;  // garbage where an address should be: believe nothing further
        client = to_text(*ip);
        if (!trusts(client)) break;
    }
    return client;
}

}  // namespace gatewatch::net
