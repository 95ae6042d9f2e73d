#pragma once
// Accepts connections and hands each to an HTTP session on the next I/O
// context in turn (Beast's chat-multi listener). Out of descriptors
// (EMFILE/ENFILE) it pauses for 100 ms instead of retrying at once, and says
// so at most once a second. Ends when the acceptor is closed.
#include "http/server_state.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gatewatch::http {

boost::asio::awaitable<void> run_listener(ServerState& state, boost::asio::ip::tcp::acceptor& acceptor,
                                          std::vector<boost::asio::io_context*> contexts);

}  // namespace gatewatch::http
