#pragma once
// Cross-origin access: none, unless the `cors_origins` setting names origins.
//
// For a request whose Origin is on the list, responses carry
// Access-Control-Allow-Origin (that origin, never "*") and Vary: Origin, and
// a preflight (OPTIONS with Access-Control-Request-Method) is answered 204
// with the methods and the two headers the API reads (Authorization,
// Content-Type). No credentials mode: the API's tokens travel in a header,
// not in cookies. For any other origin, nothing is added, so browsers keep
// the answer from the page that asked.
// allows_socket(): a browser's WebSocket from another site is refused unless
// the origin is listed (requests without Origin are not from a browser page).
#include "api/http_types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatewatch::http {

class CorsPolicy {
public:
    CorsPolicy() = default;
    explicit CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

    [[nodiscard]] bool allows(std::string_view origin) const;

    // Headers to add to a response to a request from `origin` (empty if none).
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> response_headers(std::string_view origin) const;

    // The answer to a preflight from an allowed origin; nullopt otherwise
    // (the request then goes on to the router, which answers OPTIONS 405).
    [[nodiscard]] std::optional<api::Response> preflight(std::string_view method, std::string_view origin,
                                                         std::string_view requested_method) const;

    // Whether a WebSocket handshake with this Origin (and Host) may proceed.
    [[nodiscard]] bool allows_socket(std::string_view origin, std::string_view host) const;

private:
    std::vector<std::string> origins_;
};

// Parses "https://a.example, http://b.example:8080" into origins; throws
// std::invalid_argument naming the entry that is not scheme://host[:port].
std::vector<std::string> parse_origins(std::string_view list);

}  // namespace gatewatch::http
