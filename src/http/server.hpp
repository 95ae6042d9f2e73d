#pragma once
// The HTTP/1.1 server: Boost.Beast over Asio with C++20 coroutines.
//
// One coroutine per connection; `io_threads` threads, each with its own
// io_context, take connections in turn and run them to the end.
// Keep-alive; a request must arrive whole within
// `request_timeout`, an idle connection is closed after `idle_timeout`.
// Limits: header block over 16 KiB -> 431, body over 1 MiB -> 413, each with
// {"detail": ...} and the connection closed. CPU-heavy requests (password
// hashing) run on a separate bounded pool; past `hash_queue` waiting, 503.
// run() serves until SIGINT or SIGTERM, then stops accepting, closes idle
// connections, lets requests in flight finish (10 s at most) and returns.
// One access-log line per request: method, path (never the query, which may
// hold a token), status, duration.
// The WebSocket /ws/status/ (token by header or ?token=, else 401) sends the
// status object when it opens, within a second of any change (changes inside
// that second make one message), and every `push_interval` regardless. One
// writer per socket that always sends the newest snapshot: a slow client
// never slows the others nor grows a queue. Closed with 1008 when the token
// expires, 1001 at shutdown; ping/pong keeps idle sockets honest.
// Connections past a cap (in total or from one address) are answered 503
// with Retry-After and closed; status sockets past theirs are closed with
// 1013. A WebSocket handshake from another site's page is refused (403)
// unless its origin is in the CORS list. Every write to a status socket must
// finish within 10 s and before the token expires, or the socket is dropped;
// when an account changes (credentials_changed()), open sockets check their
// token again and close with 1008 when it was revoked.
// A request whose Host is not allowed (host_policy.hpp) gets 421. The client
// of a request is its TCP peer, or behind a trusted proxy the one it names;
// per-client limits group IPv6 by /64 (net/client_address.hpp), and one client
// may hold at most a quarter of the hashing queue. Out of file descriptors,
// accepting pauses for 100 ms; repeated warnings come at most once a second.
// This is the only translation unit that includes Beast (it compiles slowly).
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
    void run();

    // Wakes every status WebSocket: the status object changed. Any thread.
    void status_changed();
    // Open status sockets check their tokens again (an account changed). Any thread.
    void credentials_changed();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::http
