#include "http/server.hpp"

#include "api/authenticator.hpp"
#include "log/logging.hpp"
#include "log/rate_limit.hpp"
#include "net/client_address.hpp"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <map>
#include <set>
#include <mutex>
#include <thread>

namespace gatewatch::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto k_drain_limit = 10s;
constexpr auto k_coalesce = 1s;  // changes inside a second after a message make one message
// A status socket's client must take each message within this, or it is
// dropped: a client that never reads cannot hold a socket (and its token) open.
constexpr auto k_write_deadline = 10s;
constexpr auto k_close_deadline = 2s;
constexpr std::size_t k_read_slack = 64 * 1024;  // unparsed bytes a connection may hold beyond the header limit
const auto k_delta_heartbeat = std::make_shared<const std::string>("{}");
// Out of descriptors: stop accepting this long, then try again (the pending
// connections wait in the listen backlog), instead of spinning on accept.
constexpr auto k_accept_pause = 100ms;

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

bool is_quiet_error(const boost::system::error_code& ec) {
    return ec == asio::error::operation_aborted || ec == asio::error::eof || ec == beast::error::timeout ||
           ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe;
}

// A connection the server can close at shutdown while it waits for a request.
struct Connection {
    beast::tcp_stream* stream;
    asio::any_io_executor executor;  // its thread's io_context
    bool busy = false;               // a request has begun arriving: let it finish
};

}  // namespace

struct Server::Impl {
    ServerOptions options;
    const api::Router& router;
    // One io_context per I/O thread: a connection lives on one thread, so it
    // needs no strand and its completions never wake another thread.
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    std::size_t next_context = 0;
    asio::io_context& ioc;  // contexts[0]: the acceptor and the signals
    tcp::acceptor acceptor;
    asio::thread_pool hash_pool;
    std::atomic<unsigned> hash_waiting{0};
    std::atomic<bool> stopping{false};

    // The status sockets of each io_context, touched only on its own thread;
    // one pending broadcast per context at most, whatever the change rate.
    std::vector<std::set<asio::steady_timer*>> status_sockets;
    std::unique_ptr<std::atomic<bool>[]> broadcast_pending;

    ConnectionLimits limits{options.caps};
    HostPolicy hosts;  // set once the port is known
    log::RateLimit cap_warnings{1s}, accept_warnings{1s};

    // Requests waiting for a hashing thread, per client (net::client_key): one
    // client may hold only a fair share of the queue.
    std::mutex hash_waiting_mutex;
    std::unordered_map<std::string, unsigned> hash_waiting_by_client;

    // Moves when an account changed (a password, a deletion, a revocation):
    // open status sockets then check their token again.
    std::atomic<std::uint64_t> credentials_epoch{0};

    std::mutex connections_mutex;
    std::map<std::uint64_t, Connection*> connections;
    std::uint64_t next_connection_id = 0;

    Impl(ServerOptions opts, const api::Router& r)
        : options(std::move(opts)),
          router(r),
          contexts(make_contexts(options.io_threads)),
          ioc(*contexts[0]),
          acceptor(ioc),
          hash_pool(options.hash_threads),
          status_sockets(contexts.size()),
          broadcast_pending(new std::atomic<bool>[contexts.size()]) {
        for (std::size_t i = 0; i < contexts.size(); ++i) broadcast_pending[i] = false;
        const tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
        hosts = HostPolicy(options.host, acceptor.local_endpoint().port(), options.allowed_hosts);
    }

    static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned n) {
        std::vector<std::unique_ptr<asio::io_context>> v;
        for (unsigned i = 0; i < std::max(1u, n); ++i) v.push_back(std::make_unique<asio::io_context>(1));
        return v;
    }

    asio::awaitable<void> listen() {
        for (;;) {
            const std::size_t context = next_context++ % contexts.size();
            auto [ec, socket] = co_await acceptor.async_accept(*contexts[context], use_tuple);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopping) co_return;
                const bool out_of_descriptors = ec == asio::error::no_descriptors || ec.value() == ENFILE;
                if (const auto skipped = accept_warnings.due())
                    spdlog::warn("accept: {}{} ({} more since the last line)", ec.message(),
                                 out_of_descriptors ? "; pausing new connections briefly" : "", *skipped);
                if (out_of_descriptors) {
                    asio::steady_timer pause(ioc, k_accept_pause);
                    co_await pause.async_wait(use_tuple);
                }
                continue;
            }
            socket.set_option(tcp::no_delay(true));
            auto executor = socket.get_executor();
            asio::co_spawn(executor, session(beast::tcp_stream(std::move(socket)), context), [](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    spdlog::error("connection ended by an exception: {}", ex.what());
                }
            });
        }
    }

    std::uint64_t enroll(Connection* connection) {
        std::lock_guard lock(connections_mutex);
        const auto id = next_connection_id++;
        connections.emplace(id, connection);
        return id;
    }

    void leave(std::uint64_t id) {
        std::lock_guard lock(connections_mutex);
        connections.erase(id);
    }

    // Runs on each connection's thread, where that connection also enrolls and
    // leaves, so a connection found in the map is still alive.
    void close_idle_connections() {
        std::lock_guard lock(connections_mutex);
        for (auto& [id, connection] : connections) {
            asio::post(connection->executor, [this, id = id] {
                std::lock_guard inner(connections_mutex);
                auto it = connections.find(id);
                if (it != connections.end() && !it->second->busy) it->second->stream->cancel();
            });
        }
    }

    // Takes a place in the hashing queue for `client`, or says no: the queue
    // is full, or the client already holds its share (a quarter), so one
    // address cannot keep everyone else's logins waiting.
    bool enter_hash_queue(const std::string& client) {
        if (hash_waiting.fetch_add(1) >= options.hash_queue) {
            --hash_waiting;
            return false;
        }
        const unsigned share = std::max(1u, options.hash_queue / 4);
        std::lock_guard lock(hash_waiting_mutex);
        unsigned& mine = hash_waiting_by_client[client];
        if (mine >= share) {
            --hash_waiting;
            return false;
        }
        ++mine;
        return true;
    }

    void leave_hash_queue(const std::string& client) {
        {
            std::lock_guard lock(hash_waiting_mutex);
            auto it = hash_waiting_by_client.find(client);
            if (it != hash_waiting_by_client.end() && --it->second == 0) hash_waiting_by_client.erase(it);
        }
        --hash_waiting;
    }

    asio::awaitable<api::Response> respond(const api::Request& request) {
        try {
            const auto prepared = router.prepare(request);  // parsed and routed once
            if (!prepared.cpu_heavy()) co_return router.handle(prepared);
            const std::string client = net::client_key(request.client_address);
            if (!enter_hash_queue(client)) {
                api::Response busy = api::error_response(503, "Server busy, try again shortly");
                busy.headers.emplace_back("Retry-After", "1");
                co_return busy;
            }
            struct Release {
                Impl& server;
                const std::string& client;
                ~Release() { server.leave_hash_queue(client); }
            } release{*this, client};
            co_return co_await asio::co_spawn(
                hash_pool, [&]() -> asio::awaitable<api::Response> { co_return router.handle(prepared); },
                asio::use_awaitable);
        } catch (const std::exception& e) {
            spdlog::error("{} {}: {}", request.method, request.target.substr(0, request.target.find('?')), e.what());
        }
        co_return api::error_response(500, "Internal Server Error");
    }

    static bhttp::response<bhttp::string_body> to_beast(api::Response&& response, unsigned version, bool keep_alive) {
        bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), version};
        out.set(bhttp::field::server, "gatewatch");
        // The API's answers are data, never pages: nothing may load, frame or sniff them.
        // No CORS headers: browsers keep other origins out.
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

    void warn_cap_reached(std::string_view what, const std::string& address) {
        if (const auto skipped = cap_warnings.due())
            spdlog::warn("{} cap reached (latest from {}): refusing with 503 / 1013 ({} more since the last line)",
                         what, address, *skipped);
    }

    // Past the connection caps: 503 at once, then the connection closes.
    asio::awaitable<void> refuse_connection(beast::tcp_stream& stream) {
        api::Response busy = api::error_response(503, "Too many connections, try again shortly");
        busy.headers.emplace_back("Retry-After", "5");
        auto response = to_beast(std::move(busy), 11, false);
        stream.expires_after(2s);
        co_await bhttp::async_write(stream, response, use_tuple);
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        // Read what the client sent, briefly, so that closing does not reset
        // the connection before it has read the answer.
        std::array<char, 4096> sink;
        for (;;) {
            auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
            if (ec) break;
        }
    }

    // Answers a request that broke a limit, then the connection closes.
    asio::awaitable<void> refuse(beast::tcp_stream& stream, unsigned status, std::string_view detail) {
        auto response = to_beast(api::error_response(status, detail), 11, false);
        stream.expires_after(options.request_timeout);
        co_await bhttp::async_write(stream, response, use_tuple);
        spdlog::info("- - {} (refused: {})", status, detail);
    }

    void wake_status_sockets() {
        for (std::size_t i = 0; i < contexts.size(); ++i) {
            if (broadcast_pending[i].exchange(true)) continue;
            asio::post(*contexts[i], [this, i] {
                broadcast_pending[i] = false;
                for (auto* wake : status_sockets[i]) wake->cancel();
            });
        }
    }

    // Runs until the client goes, the token expires or is revoked, or the
    // server stops. Three coroutines share the socket, joined with &&:
    //  - the reader: the client has nothing to say, but reading answers its
    //    pings and closes, and sends ours;
    //  - the writer: sends the newest status object on change and heartbeat,
    //    checks the token when credentials may have changed, closes at expiry;
    //  - the guard: closes the TCP socket when a write outlives its deadline
    //    or the token, so a client that never reads cannot hold the socket.
    // Whichever ends first closes the socket, which ends the other two.
    asio::awaitable<void> status_socket(beast::tcp_stream stream, bhttp::request<bhttp::string_body> request,
                                        api::SocketGrant grant, std::size_t context,
                                        const std::string& client_address, std::uint64_t checked_epoch) {
        using namespace asio::experimental::awaitable_operators;
        websocket::stream<beast::tcp_stream> ws(std::move(stream));
        beast::get_lowest_layer(ws).expires_never();  // the WebSocket keeps its own time
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeouts.idle_timeout = 20s;  // a ping after 10 s of silence; gone 10 s later without a pong
        timeouts.keep_alive_pings = true;
        ws.set_option(timeouts);
        ws.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& r) { r.set(bhttp::field::server, "gatewatch"); }));
        ws.read_message_max(4096);
        if (auto [ec] = co_await ws.async_accept(request, use_tuple); ec) co_return;
        const auto slot = limits.admit_websocket(client_address);
        if (!slot) {
            warn_cap_reached("status socket", client_address);
            co_await ws.async_close(websocket::close_reason(websocket::close_code::try_again_later,
                                                            "too many status sockets"),
                                    use_tuple);
            co_return;
        }

        auto executor = co_await asio::this_coro::executor;
        asio::steady_timer wake(executor);
        asio::steady_timer guard(executor, asio::steady_timer::time_point::max());
        bool finished = false;  // set by whichever of the three ends first
        const auto token_deadline = std::chrono::system_clock::time_point(std::chrono::seconds(grant.expires_at));
        const auto steady_token_deadline = [&] {
            return std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                          token_deadline - std::chrono::system_clock::now());
        };
        const auto finish = [&] {
            finished = true;
            boost::system::error_code ignored;
            beast::get_lowest_layer(ws).socket().close(ignored);
            wake.cancel();
            guard.cancel();
        };
        // Every write runs under the guard: a message must be taken within the
        // write deadline and before the token expires; a closing handshake
        // gets a short deadline of its own.
        const auto guarded = [&](auto operation, bool closing) -> asio::awaitable<boost::system::error_code> {
            const auto now = std::chrono::steady_clock::now();
            guard.expires_at(closing ? now + k_close_deadline
                                     : std::min(now + k_write_deadline, steady_token_deadline()));
            const auto result = co_await std::move(operation);
            if (!finished) guard.expires_at(asio::steady_timer::time_point::max());
            co_return std::get<0>(result);
        };

        auto reader = [&]() -> asio::awaitable<void> {
            beast::flat_buffer incoming;
            for (;;) {
                auto [ec, n] = co_await ws.async_read(incoming, use_tuple);
                if (ec) break;
                incoming.consume(incoming.size());
            }
            finish();
        };

        auto keeper = [&]() -> asio::awaitable<void> {
            while (!finished) {
                auto [ec] = co_await guard.async_wait(use_tuple);
                if (!ec && !finished) {  // expired, not re-armed
                    spdlog::info("GET /ws/status closed ({}: a write outlived its deadline or the token)",
                                 grant.user.username);
                    finish();
                }
            }
        };

        auto writer = [&]() -> asio::awaitable<void> {
            const auto close_with = [&](websocket::close_reason reason) -> asio::awaitable<void> {
                co_await guarded(ws.async_close(reason, asio::as_tuple(asio::use_awaitable)), true);
            };
            auto& hub = router.app().hub;
            std::uint64_t sent_version = 0;
            auto last_sent = std::chrono::steady_clock::time_point{};
            // Only messages that carried a change throttle the next change: the
            // opening message and heartbeats must not delay news.
            auto last_change_sent = std::chrono::steady_clock::time_point{};
            while (!finished) {
                if (stopping) {
                    co_await close_with(websocket::close_code::going_away);
                    break;
                }
                if (std::chrono::system_clock::now() >= token_deadline) {
                    co_await close_with(websocket::close_reason(websocket::close_code::policy_error, "token expired"));
                    break;
                }
                if (const auto epoch = credentials_epoch.load(); epoch != checked_epoch) {
                    checked_epoch = epoch;
                    if (!api::still_valid(router.app(), grant)) {
                        spdlog::info("GET /ws/status closed ({}: token revoked)", grant.user.username);
                        co_await close_with(
                            websocket::close_reason(websocket::close_code::policy_error, "token revoked"));
                        break;
                    }
                }
                const auto now = std::chrono::steady_clock::now();
                // A delta socket follows every visible change (seq); the others
                // the status object (version).
                const auto version = grant.delta ? hub.seq() : hub.version();
                const bool changed = version != sent_version;
                const bool heartbeat_due = now - last_sent >= options.push_interval;
                if (changed && now - last_change_sent < k_coalesce) {
                    wake.expires_at(last_change_sent + k_coalesce);  // coalesce: wait out the second
                    co_await wake.async_wait(use_tuple);
                    continue;
                }
                if (changed || heartbeat_due) {
                    // The newest, whatever was missed: a whole object, or what
                    // changed since the last message (a snapshot to begin with,
                    // or when this client fell behind what the hub remembers).
                    std::shared_ptr<const std::string> body;
                    std::uint64_t seen = version;
                    if (!grant.delta) {
                        body = grant.detail ? hub.detail_json() : hub.status_json();
                    } else if (changed) {
                        auto delta = hub.delta_since(sent_version);
                        body = std::move(delta.body);
                        seen = delta.upto;
                    } else {
                        body = k_delta_heartbeat;
                    }
                    ws.text(true);
                    if (co_await guarded(ws.async_write(asio::buffer(*body), asio::as_tuple(asio::use_awaitable)), false))
                        break;
                    if (changed && sent_version != 0) last_change_sent = now;
                    sent_version = seen;
                    last_sent = now;
                    continue;
                }
                auto next = std::min(last_sent + options.push_interval, steady_token_deadline());
                // RTT and loss move without waking anyone: a delta socket looks once a second.
                if (grant.delta) next = std::min(next, now + k_coalesce);
                wake.expires_at(next);
                co_await wake.async_wait(use_tuple);
            }
            finish();
        };

        status_sockets[context].insert(&wake);
        struct Unregister {  // also when a coroutine throws: no dangling timer in the set
            std::set<asio::steady_timer*>& sockets;
            asio::steady_timer* wake;
            ~Unregister() { sockets.erase(wake); }
        } unregister{status_sockets[context], &wake};
        co_await (reader() && writer() && keeper());
    }

    asio::awaitable<void> session(beast::tcp_stream stream, std::size_t context) {
        boost::system::error_code peer_ec;
        const auto peer = stream.socket().remote_endpoint(peer_ec);
        // Connection caps count the TCP peer, grouped as net::client_key does
        // (an IPv6 /64 is one client); requests may name another client
        // behind a trusted proxy.
        const std::string peer_address = peer_ec ? std::string() : peer.address().to_string();
        const std::string client_address = net::client_key(peer_address);
        const auto slot = limits.admit_connection(client_address);
        if (!slot) {
            warn_cap_reached("connection", peer_address);
            co_await refuse_connection(stream);
            co_return;
        }
        Connection connection{&stream, stream.get_executor()};
        const auto id = enroll(&connection);
        // Whatever leaves the connection, it leaves the registry (an exception included).
        struct Leave {
            Impl& server;
            std::uint64_t id;
            ~Leave() { server.leave(id); }
        } leave_on_exit{*this, id};
        // Bounded: Beast's body limit counts body bytes only, so a chunk-size
        // line, chunk extension or trailer that never ends would otherwise
        // grow this buffer until the request timeout (hundreds of MB).
        beast::flat_buffer buffer(options.header_limit + k_read_slack);
        for (;;) {
            connection.busy = false;
            if (buffer.size() == 0) {
                if (stopping) break;
                stream.expires_after(options.idle_timeout);
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
                if (ec) break;
                buffer.commit(n);
            }
            connection.busy = true;
            const auto started = std::chrono::steady_clock::now();

            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
            parser.body_limit(options.body_limit);
            stream.expires_after(options.request_timeout);
            auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
            if (!ec && parser.get()[bhttp::field::expect] == "100-continue") {
                bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
                std::tie(ec, n) = co_await bhttp::async_write(stream, go_on, use_tuple);
            }
            if (!ec && !parser.is_done()) std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
            if (ec == bhttp::error::body_limit) {
                co_await refuse(stream, 413, "Request body too large (limit 1 MiB)");
                break;
            }
            if (ec == bhttp::error::header_limit) {
                co_await refuse(stream, 431, "Request header fields too large (limit 16 KiB)");
                break;
            }
            if (ec) {
                if (!is_quiet_error(ec) && ec != beast::error::timeout) co_await refuse(stream, 400, "Bad Request");
                break;
            }

            auto& message = parser.get();
            const std::string_view origin = message[bhttp::field::origin];
            if (message.count(bhttp::field::host) > 1) {  // RFC 9112 3.2: exactly one
                co_await refuse(stream, 400, "Bad Request: more than one Host header");
                break;
            }
            if (!hosts.allows(message[bhttp::field::host])) {
                // Another name resolving to us (DNS rebinding), or a mistake.
                auto out = to_beast(api::error_response(421, "Misdirected request"), message.version(), false);
                stream.expires_after(options.request_timeout);
                co_await bhttp::async_write(stream, out, use_tuple);
                spdlog::info("{} {} 421 (host not allowed)", std::string(message.method_string()),
                             std::string(message.target().substr(0, message.target().find('?'))));
                break;
            }
            // A proxy may add its own line rather than extend the client's:
            // every line counts, in order, as one list.
            const std::string forwarded = joined(message, "Forwarded");
            const std::string x_forwarded_for = joined(message, "X-Forwarded-For");
            const bool proxied = message.count("Forwarded") + message.count("X-Forwarded-For") > 0;
            const std::string client = options.proxies.client_of(peer_address, forwarded, x_forwarded_for);
            if (websocket::is_upgrade(message) && api::is_status_socket_path(message.target())) {
                if (!options.cors.allows_socket(origin, message[bhttp::field::host])) {
                    auto out = to_beast(api::error_response(403, "Origin not allowed"), message.version(), false);
                    co_await bhttp::async_write(stream, out, use_tuple);
                    spdlog::info("GET /ws/status 403 (origin {} not allowed)", origin);
                    break;
                }
                api::Request upgrade{"GET", std::string(message.target()),
                                     std::string(message[bhttp::field::authorization]), {}, {}, client};
                // Taken before the check: a revocation from here on is seen.
                const std::uint64_t epoch_at_check = credentials_epoch.load();
                auto grant = api::authenticate_socket(router.app(), upgrade);
                if (auto* refusal = std::get_if<api::Response>(&grant)) {
                    auto out = to_beast(std::move(*refusal), message.version(), false);
                    co_await bhttp::async_write(stream, out, use_tuple);
                    spdlog::info("GET /ws/status {} (handshake refused)", out.result_int());
                    break;
                }
                spdlog::info("GET /ws/status 101 ({})", std::get<api::SocketGrant>(grant).user.username);
                co_await status_socket(std::move(stream), parser.release(), std::get<api::SocketGrant>(std::move(grant)),
                                       context, client_address, epoch_at_check);
                co_return;
            }
            api::Request request{std::string(message.method_string()), std::string(message.target()),
                                 std::string(message[bhttp::field::authorization]),
                                 std::string(message[bhttp::field::content_type]), std::move(message.body()),
                                 client, proxied};
            const bool keep_alive = message.keep_alive() && !stopping;
            auto preflight = options.cors.preflight(request.method, origin,
                                                    message[bhttp::field::access_control_request_method]);
            api::Response response;
            if (preflight) {
                response = std::move(*preflight);
            } else {
                response = co_await respond(request);
            }
            for (auto& header : options.cors.response_headers(origin)) response.headers.push_back(std::move(header));
            const unsigned status = response.status;
            auto out = to_beast(std::move(response), message.version(), keep_alive);
            stream.expires_after(options.request_timeout);
            auto [write_ec, written] = co_await bhttp::async_write(stream, out, use_tuple);

            const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
            spdlog::info("{} {} {} {:.2f}ms", request.method, request.target.substr(0, request.target.find('?')),
                         status, elapsed.count());
            if (write_ec || !keep_alive) break;
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    asio::awaitable<void> watch_signals() {
        asio::signal_set signals(ioc, SIGINT, SIGTERM);
        auto [ec, signal] = co_await signals.async_wait(use_tuple);
        if (ec) co_return;
        spdlog::info("signal {} received: stopping (finishing requests in flight)", signal);
        stopping = true;
        acceptor.close();
        wake_status_sockets();  // they close with 1001
        keep_running.clear();  // each thread ends once its connections have
        close_idle_connections();
        // Wait for the connections to end, up to the drain limit.
        asio::steady_timer timer(ioc);
        const auto deadline = std::chrono::steady_clock::now() + k_drain_limit;
        for (;;) {
            {
                std::lock_guard lock(connections_mutex);
                if (connections.empty()) co_return;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                spdlog::warn("connections still open after {} s: closing them", k_drain_limit.count());
                for (auto& context : contexts) context->stop();
                co_return;
            }
            timer.expires_after(20ms);
            co_await timer.async_wait(use_tuple);
            close_idle_connections();  // connections that finished a request since
        }
    }
};

Server::Server(ServerOptions options, const api::Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::status_changed() { impl_->wake_status_sockets(); }

void Server::credentials_changed() {
    ++impl_->credentials_epoch;
    impl_->wake_status_sockets();
}

void Server::run() {
    Impl& s = *impl_;
    auto log_failure = [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::critical("server task failed: {}", ex.what());
        }
    };
    asio::co_spawn(s.ioc, s.listen(), log_failure);
    asio::co_spawn(s.ioc, s.watch_signals(), log_failure);
    spdlog::info("gatewatch listening on http://{}:{}", s.options.host, port());
    log::flush_logs();  // scripts and tests wait for this line

    for (std::size_t i = 1; i < s.contexts.size(); ++i) s.keep_running.push_back(asio::make_work_guard(*s.contexts[i]));
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < s.contexts.size(); ++i) threads.emplace_back([&s, i] { s.contexts[i]->run(); });
    s.ioc.run();
    for (auto& t : threads) t.join();
    s.hash_pool.join();
}

}  // namespace gatewatch::http
