#include "http/host_policy.hpp"

#include "net/client_address.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace gatewatch::http {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// "name", "name:port", "[v6]" or "[v6]:port" split into host and port text.
bool split_host(std::string_view text, std::string_view& host, std::string_view& port) {
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return false;
        host = text.substr(0, close + 1);
        const auto rest = text.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return false;
        port = rest.empty() ? rest : rest.substr(1);
    } else {
        const auto colon = text.find(':');
        host = text.substr(0, colon);
        port = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    }
    if (host.empty()) return false;
    if (!port.empty() && (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) {
                              return std::isdigit(c);
                          })))
        return false;
    return std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '[' || c == ']' || c == ':';
    });
}

// An IP literal as it stands in a Host header: 192.0.2.1 or [2001:db8::1].
bool is_ip_literal(std::string_view host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        return net::parse_ip(host.substr(1, host.size() - 2)).has_value();
    return host.find(':') == std::string_view::npos && net::parse_ip(host).has_value();
}

}  // namespace

std::vector<std::string> parse_allowed_hosts(std::string_view list) {
    std::vector<std::string> hosts;
    for (const std::string_view item : util::split_list(list)) {
        std::string_view host, port;
        if (item != "*" && !split_host(item, host, port))
            throw std::invalid_argument("not a host or host:port: " + std::string(item));
        hosts.push_back(lower(item));
    }
    return hosts;
}

HostPolicy::HostPolicy(std::string listen_host, std::uint16_t port, std::vector<std::string> allowed) : any_(false) {
    const auto listen_ip = net::parse_ip(listen_host);
    if (listen_ip && !listen_ip->v4 && listen_host.find(':') != std::string::npos) {
        listen_host.insert(listen_host.begin(), '[');
        listen_host.push_back(']');
    }
    any_ip_literal_ = listen_host == "0.0.0.0" || listen_host == "[::]";
    const std::string port_text = std::to_string(port);
    for (const std::string& name : {std::string("localhost"), std::string("127.0.0.1"), std::string("[::1]"),
                                    lower(listen_host)}) {
        exact_.push_back(name);
        exact_.back().append(":").append(port_text);
        if (port == 80) exact_.push_back(name);
    }
    for (auto& entry : allowed) {
        if (entry == "*") any_ = true;
        std::string_view host, entry_port;
        if (!split_host(entry, host, entry_port)) continue;
        if (entry_port.empty())
            any_port_.push_back(lower(host));
        else
            exact_.push_back(lower(entry));
    }
}

bool HostPolicy::allows(std::string_view host_header) const {
    if (any_) return true;
    std::string_view host, port;
    if (!split_host(util::trim(host_header), host, port)) return false;
    const std::string name = lower(host);
    if (any_ip_literal_ && is_ip_literal(name)) return true;
    if (std::find(any_port_.begin(), any_port_.end(), name) != any_port_.end()) return true;
    const std::string full = port.empty() ? name : name + ":" + std::string(port);
    return std::find(exact_.begin(), exact_.end(), full) != exact_.end();
}

}  // namespace gatewatch::http
