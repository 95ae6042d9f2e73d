#pragma once
// What the Beast files share (after Beast's chat-multi example): namespace
// aliases, the error-as-value completion token, and small helpers. Included
// only by the files that speak HTTP or WebSocket; each such translation unit
// takes ~50 s to compile, so they are few (http_session, websocket_session).
#include "api/http_types.hpp"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <string>
#include <string_view>

namespace gatewatch::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Errors that only mean the peer went or we stopped: nothing to log.
inline bool is_quiet_error(const boost::system::error_code& ec) {
    return ec == asio::error::operation_aborted || ec == asio::error::eof || ec == beast::error::timeout ||
           ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe;
}

// Every line of a header, joined with commas (RFC 9110 5.3).
template <typename Message>
std::string joined(const Message& message, std::string_view name) {
    std::string out;
    for (auto [it, end] = message.equal_range(name); it != end; ++it) {
        if (!out.empty()) out += ", ";
        out.append(it->value().data(), it->value().size());
    }
    return out;
}

// The API's answer as Beast's, with the headers every answer carries: the
// API's answers are data, never pages, so nothing may load, frame or sniff
// them (a dashboard page sets its own policy in `response.headers`).
inline bhttp::response<bhttp::string_body> to_beast(api::Response&& response, unsigned version, bool keep_alive) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), version};
    out.set(bhttp::field::server, "gatewatch");
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    out.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (!response.content_type.empty()) out.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) out.set(name, value);
    out.body() = std::move(response.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    return out;
}

}  // namespace gatewatch::http
