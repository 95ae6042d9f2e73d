#pragma once
// The HTTP/1.1 server: Boost.Beast over Asio with C++20 coroutines, in parts
// after Beast's chat-multi example:
//   listener.hpp            accepts, pauses when out of descriptors
//   http_session.hpp        one connection: limits, Host check, client address,
//                           CORS, the router, headers, access log, upgrade
//   websocket_session.hpp   the status socket
//   server_state.hpp        what they share (limits, queues, registries)
//   net.hpp                 Beast aliases and helpers (only the two session
//                           files include Beast: each takes ~50 s to compile)
// `io_threads` threads, each with its own io_context, take connections in
// turn and run them to the end. Connections past a cap (in total or from one
// address; IPv6 by /64) are answered 503 with Retry-After and closed; status
// sockets past theirs are closed with 1013. A WebSocket handshake from
// another site's page is refused (403) unless its origin is in the CORS list.
// A request whose Host is not allowed (host_policy.hpp) gets 421.
// run() serves until stop() (any thread; main calls it on SIGINT/SIGTERM),
// which stops accepting, closes idle connections and status sockets (1001),
// lets requests in flight finish (10 s at most), and returns.
#include "api/router.hpp"
#include "http/connection_limits.hpp"
#include "http/cors.hpp"
#include "http/host_policy.hpp"
#include "net/client_address.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace gatewatch::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;  // 0: any free port
    unsigned io_threads = 1;
    unsigned hash_threads = 1;
    unsigned hash_queue = 256;
    std::chrono::seconds request_timeout{10};
    std::chrono::seconds idle_timeout{60};
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 1024 * 1024;
    std::chrono::milliseconds push_interval{5000};
    ConnectionCaps caps;  // past a cap: 503 (HTTP) or close 1013 (WebSocket)
    CorsPolicy cors;      // no cross-origin access unless origins are listed
    std::vector<std::string> allowed_hosts;  // besides the defaults (HostPolicy)
    net::ProxyList proxies;                  // trusted reverse proxies
};

class Server {
public:
    // Binds the listening socket; throws std::system_error when it cannot.
    Server(ServerOptions options, const api::Router& router);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    void run();   // serves until stop()
    void stop();  // any thread, any number of times

    // Wakes every status WebSocket: the status object changed. Any thread.
    void status_changed();
    // Open status sockets check their tokens again (an account changed). Any thread.
    void credentials_changed();
    // Open status WebSockets. Any thread.
    [[nodiscard]] std::size_t websocket_clients() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::http
