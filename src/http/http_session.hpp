#pragma once
// One HTTP connection, from accept to close (Beast's chat-multi http_session).
//
// Keep-alive; a request must arrive whole within `request_timeout`, an idle
// connection is closed after `idle_timeout`; header block over 16 KiB -> 431,
// body over 1 MiB -> 413, a request line or chunk framing that will not end ->
// 400, each closing the connection. Past the connection caps: 503 at once.
// Each request goes through, in order: the Host check (421), the client's
// address (the TCP peer, or behind a trusted proxy the one it names), the
// status-socket upgrade (origin check, then authentication like any route),
// CORS preflight, the router (on the hashing pool when it hashes a password:
// past the queue or the client's share, 503), CORS and security headers, and
// one access-log line (method, path without the query, status, duration).
// The session owns itself through a shared_ptr kept by its coroutine; the
// server's registry holds a weak_ptr, to close it at shutdown when idle.
#include "http/server_state.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gatewatch::http {

// Runs the connection on its socket's executor until it closes.
void start_http_session(ServerState& state, boost::asio::ip::tcp::socket socket, std::size_t context);

}  // namespace gatewatch::http
