#pragma once
// Which Host headers the server answers (DNS rebinding defence).
//
// A page on evil.example can make its own name resolve to 127.0.0.1; the
// browser then sends gatewatch requests with `Host: evil.example:8000` and
// lets that page read the answers. Answering only the names gatewatch is
// known by closes that: anything else gets 421 "Misdirected request", API,
// dashboard files and WebSocket handshakes alike.
//
// Allowed: localhost, 127.0.0.1, [::1] and the listen address, each with the
// server's port (bare when the port is 80); any IP literal when listening on
// every address (0.0.0.0 or ::), since a rebound name never arrives as an IP
// literal; and each `allowed_hosts` entry: "name" with any port or none,
// "name:port" exactly, "*" anything. Names compare without regard to case.
// Immutable after construction; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gatewatch::http {

// The entries of an `allowed_hosts` list ("a.example, b.example:8443, *");
// throws std::invalid_argument on an entry that is not a host[:port].
std::vector<std::string> parse_allowed_hosts(std::string_view list);

class HostPolicy {
public:
    HostPolicy() = default;  // allows everything (unit tests of other parts)
    HostPolicy(std::string listen_host, std::uint16_t port, std::vector<std::string> allowed);

    [[nodiscard]] bool allows(std::string_view host_header) const;

private:
    bool any_ = true;
    bool any_ip_literal_ = false;
    std::vector<std::string> exact_;     // lower-case "name:port" (and bare "name" for port 80)
    std::vector<std::string> any_port_;  // lower-case names that match with any port
};

}  // namespace gatewatch::http
