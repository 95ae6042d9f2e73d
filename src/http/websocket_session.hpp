#pragma once
// The status WebSocket, from the upgrade to the close.
//
// Sends the status object (or, with ?delta=true, a snapshot and then only
// what changed) when it opens, within a second of any change (changes inside
// that second make one message), and every `push_interval` regardless. One
// writer that always sends the newest: a slow client never slows the others
// nor grows a queue. Every write must end within 10 s and before the token
// expires, or the TCP socket is closed. Closes with 1008 when the token
// expires or is revoked (checked again whenever credentials_epoch moves),
// 1001 when the server stops, 1013 past the status-socket caps.
// Runs on its connection's thread; the caller owns nothing after the call.
#include "api/authenticator.hpp"
#include "http/net.hpp"
#include "http/server_state.hpp"

namespace gatewatch::http {

asio::awaitable<void> run_status_socket(ServerState& state, beast::tcp_stream stream,
                                        bhttp::request<bhttp::string_body> request, api::SocketGrant grant,
                                        std::size_t context, std::string client_address, std::uint64_t checked_epoch);

}  // namespace gatewatch::http
