#pragma once
// The request and response as the API layer sees them: plain values, no
// networking types, so handlers are testable and fuzzable without a socket.
#include <boost/json/value.hpp>

#include <string>
#include <utility>
#include <vector>

namespace gatewatch::api {

struct Request {
    std::string method;         // "GET", "POST", ...
    std::string target;         // origin-form: path and query, as received
    std::string authorization;  // the Authorization header, or empty
    std::string content_type;   // the Content-Type header, or empty
    std::string body;
    std::string client_address;  // the client's IP (behind a trusted proxy: the one it names); empty when unknown
    bool forwarded = false;      // a Forwarded or X-Forwarded-For header came, trusted or not
    std::string accept{};        // the Accept header, or empty (GET /config: YAML or JSON)
};

struct Response {
    unsigned status = 200;
    std::string body;  // empty for 204
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

Response json_response(unsigned status, const boost::json::value& body);
// {"detail": "<message>"}
Response error_response(unsigned status, std::string_view detail);
// 401 with WWW-Authenticate: Bearer, as the contract requires of every 401.
Response unauthorized(std::string_view detail);
Response no_content();

}  // namespace gatewatch::api
