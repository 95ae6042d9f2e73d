#pragma once
// What the listener and the sessions share: the settings, the router, the
// limits, the hashing pool and its queue, the registry of open connections
// (for a graceful stop) and of status sockets (to wake them), and the flags
// that say the server stops or an account changed.
//
// Threading: every member is safe to use from any I/O thread, except the
// status-socket sets, which each context touches only on its own thread.
// Ownership: connections register a weak_ptr to themselves; the registry
// never keeps one alive nor points into a coroutine frame.
#include "api/router.hpp"
#include "http/middleware.hpp"
#include "http/server.hpp"
#include "log/rate_limit.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace gatewatch::http {

// A connection the server can close at shutdown while it waits for a request.
class Closable {
public:
    virtual ~Closable() = default;
    virtual void close_if_idle() = 0;  // any thread; lets a request in progress finish
};

class ServerState {
public:
    ServerState(ServerOptions options, const api::Router& router, std::vector<boost::asio::io_context*> contexts,
                std::uint16_t port);

    const ServerOptions options;
    const api::Router& router;
    ConnectionLimits limits;
    const HostPolicy hosts;
    const Chain chain;  // access log, Host, CORS, authentication: in front of every route and the socket
    boost::asio::thread_pool hash_pool;
    std::atomic<bool> stopping{false};
    // Moves when an account changed (a password, a deletion, a revocation):
    // open status sockets then check their token again.
    std::atomic<std::uint64_t> credentials_epoch{0};
    log::RateLimit accept_warnings{std::chrono::seconds(1)};

    // A place in the hashing queue for `client` (net::client_key), or no: the
    // queue is full, or the client already holds its share (a quarter), so
    // one address cannot keep everyone else's logins waiting.
    bool enter_hash_queue(const std::string& client);
    void leave_hash_queue(const std::string& client);

    void warn_cap_reached(std::string_view what, const std::string& address);

    std::uint64_t enroll(std::weak_ptr<Closable> connection);
    void leave(std::uint64_t id);
    void close_idle_connections();
    [[nodiscard]] std::size_t open_connections() const;

    // On the context's own thread only.
    void add_status_socket(std::size_t context, boost::asio::steady_timer* wake);
    void remove_status_socket(std::size_t context, boost::asio::steady_timer* wake);
    // Any thread: each status socket wakes and looks at what changed.
    void wake_status_sockets();

private:
    std::vector<boost::asio::io_context*> contexts_;
    std::atomic<unsigned> hash_waiting_{0};
    std::mutex hash_mutex_;
    std::unordered_map<std::string, unsigned> hash_waiting_by_client_;
    log::RateLimit cap_warnings_{std::chrono::seconds(1)};

    mutable std::mutex connections_mutex_;
    std::map<std::uint64_t, std::weak_ptr<Closable>> connections_;
    std::uint64_t next_connection_id_ = 0;

    std::vector<std::set<boost::asio::steady_timer*>> status_sockets_;
    std::unique_ptr<std::atomic<bool>[]> broadcast_pending_;  // one pending broadcast per context at most
};

}  // namespace gatewatch::http
