#include "http/http_session.hpp"

#include "http/net.hpp"
#include "http/websocket_session.hpp"
#include "net/client_address.hpp"

#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <array>

namespace gatewatch::http {
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t k_read_slack = 64 * 1024;  // unparsed bytes a connection may hold beyond the header limit
constexpr std::uint64_t k_bulk_body_limit = 32 * 1024 * 1024;  // the contract's, for POST /devices/bulk (and PUT /config)

bool is_bulk_import(const bhttp::request_parser<bhttp::string_body>::value_type& message) {
    const std::string_view target = message.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (message.method() == bhttp::verb::put) return path == "/config" || path == "/config/";  // a whole configuration
    if (message.method() != bhttp::verb::post) return false;
    return path == "/devices/bulk" || path == "/devices/bulk/";
}

class HttpSession : public Closable, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(ServerState& state, tcp::socket socket, std::size_t context)
        : state_(state), stream_(std::move(socket)), context_(context) {}

    // `self` keeps the session alive for as long as the coroutine runs.
    asio::awaitable<void> run(std::shared_ptr<HttpSession> self);
    asio::any_io_executor executor() { return stream_.get_executor(); }

    void close_if_idle() override {
        asio::post(stream_.get_executor(), [self = shared_from_this()] {
            if (!self->busy_ && !self->upgraded_) self->stream_.cancel();
        });
    }

private:
    asio::awaitable<api::Response> respond(const Exchange& exchange);
    asio::awaitable<void> refuse_connection(beast::tcp_stream& stream);
    asio::awaitable<void> refuse(unsigned status, std::string_view detail);

    ServerState& state_;
    beast::tcp_stream stream_;
    const std::size_t context_;
    bool busy_ = false;      // a request has begun arriving: let it finish (on the session's thread)
    bool upgraded_ = false;  // the stream went to a status socket
};

// The handler's answer; on the hashing pool when the route hashes a password.
asio::awaitable<api::Response> HttpSession::respond(const Exchange& exchange) {
    const api::Request& request = exchange.request;
    try {
        if (!exchange.route.cpu_heavy()) co_return state_.chain.handle(exchange);
        const std::string client = net::client_key(request.client_address);
        if (!state_.enter_hash_queue(client)) {
            api::Response busy = api::error_response(503, "Server busy, try again shortly");
            busy.headers.emplace_back("Retry-After", "1");
            co_return busy;
        }
        struct Release {
            ServerState& state;
            const std::string& client;
            ~Release() { state.leave_hash_queue(client); }
        } release{state_, client};
        co_return co_await asio::co_spawn(
            state_.hash_pool, [&]() -> asio::awaitable<api::Response> { co_return state_.chain.handle(exchange); },
            asio::use_awaitable);
    } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", request.method, request.target.substr(0, request.target.find('?')), e.what());
    }
    co_return api::error_response(500, "Internal Server Error");
}

// Past the connection caps: 503 at once, then the connection closes.
asio::awaitable<void> HttpSession::refuse_connection(beast::tcp_stream& stream) {
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
asio::awaitable<void> HttpSession::refuse(unsigned status, std::string_view detail) {
    auto response = to_beast(api::error_response(status, detail), 11, false);
    stream_.expires_after(state_.options.request_timeout);
    co_await bhttp::async_write(stream_, response, use_tuple);
    spdlog::info("- - {} (refused: {})", status, detail);
}

asio::awaitable<void> HttpSession::run(std::shared_ptr<HttpSession> self) {
    beast::tcp_stream& stream = self->stream_;
    boost::system::error_code peer_ec;
    const auto peer = stream.socket().remote_endpoint(peer_ec);
    // Connection caps count the TCP peer, grouped as net::client_key does
    // (an IPv6 /64 is one client); requests may name another client
    // behind a trusted proxy.
    const std::string peer_address = peer_ec ? std::string() : peer.address().to_string();
    const std::string client_address = net::client_key(peer_address);
    const auto slot = state_.limits.admit_connection(client_address);
    if (!slot) {
        state_.warn_cap_reached("connection", peer_address);
        co_await refuse_connection(stream);
        co_return;
    }
    const auto id = state_.enroll(weak_from_this());
    // Whatever leaves the connection, it leaves the registry (an exception included).
    struct Leave {
        ServerState& state;
        std::uint64_t id;
        ~Leave() { state.leave(id); }
    } leave_on_exit{state_, id};
    // Bounded: Beast's body limit counts body bytes only, so a chunk-size
    // line, chunk extension or trailer that never ends would otherwise
    // grow this buffer until the request timeout (hundreds of MB).
    beast::flat_buffer buffer(state_.options.header_limit + k_read_slack);
    for (;;) {
        busy_ = false;
        if (buffer.size() == 0) {
            if (state_.stopping) break;
            stream.expires_after(state_.options.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
            if (ec) break;
            buffer.commit(n);
        }
        busy_ = true;

        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(state_.options.header_limit));
        // One path takes more (POST /devices/bulk, 100,000 rows in one request).
        // Beast checks a Content-Length against the limit as the header ends,
        // before the path is known: the header is read under the larger limit,
        // and every other path is held to its own here.
        parser.body_limit(k_bulk_body_limit);
        stream.expires_after(state_.options.request_timeout);
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
        const bool bulk = !ec && is_bulk_import(parser.get());
        if (!ec && !bulk) {
            if (parser.content_length() && *parser.content_length() > state_.options.body_limit)
                ec = bhttp::error::body_limit;
            else
                parser.body_limit(state_.options.body_limit);  // a chunked body counts as it arrives
        }
        if (!ec && parser.get()[bhttp::field::expect] == "100-continue") {
            bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
            std::tie(ec, n) = co_await bhttp::async_write(stream, go_on, use_tuple);
        }
        if (!ec && !parser.is_done()) std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
        if (ec == bhttp::error::body_limit) {
            co_await refuse(413, bulk ? "Request body too large (limit 32 MiB)" : "Request body too large (limit 1 MiB)");
            break;
        }
        if (ec == bhttp::error::header_limit) {
            co_await refuse(431, "Request header fields too large (limit 16 KiB)");
            break;
        }
        if (ec) {
            if (!is_quiet_error(ec) && ec != beast::error::timeout) co_await refuse(400, "Bad Request");
            break;
        }

        auto& message = parser.get();
        if (message.count(bhttp::field::host) > 1) {  // RFC 9112 3.2: exactly one
            co_await refuse(400, "Bad Request: more than one Host header");
            break;
        }
        // A proxy may add its own line rather than extend the client's:
        // every line counts, in order, as one list.
        const std::string forwarded = joined(message, "Forwarded");
        const std::string x_forwarded_for = joined(message, "X-Forwarded-For");
        const bool proxied = message.count("Forwarded") + message.count("X-Forwarded-For") > 0;
        Exchange exchange({std::string(message.method_string()), std::string(message.target()),
                           std::string(message[bhttp::field::authorization]),
                           std::string(message[bhttp::field::content_type]), std::move(message.body()),
                           state_.options.proxies.client_of(peer_address, forwarded, x_forwarded_for), proxied},
                          state_.router);
        exchange.host = message[bhttp::field::host];
        exchange.request.accept = message[bhttp::field::accept];
        exchange.origin = message[bhttp::field::origin];
        exchange.requested_method = message[bhttp::field::access_control_request_method];
        exchange.socket_upgrade = websocket::is_upgrade(message) && api::is_status_socket_path(message.target());
        // Taken before the token is checked: a revocation from here on is seen by the socket.
        const std::uint64_t epoch_at_check = state_.credentials_epoch.load();

        std::optional<api::Response> refusal;
        try {
            refusal = state_.chain.enter(exchange);
        } catch (const std::exception& e) {  // e.g. the store busy while an account is read
            spdlog::error("{} {}: {}", exchange.request.method,
                          exchange.request.target.substr(0, exchange.request.target.find('?')), e.what());
            exchange.socket_upgrade = false;  // answered here, not upgraded
            exchange.close_connection = true;
            refusal = api::error_response(500, "Internal Server Error");
        }
        if (!refusal && exchange.socket_upgrade) {
            api::Response switching;
            switching.status = 101;
            state_.chain.leave(exchange, switching);
            upgraded_ = true;  // the stream is the WebSocket's now: nothing here may touch it
            co_await run_status_socket(state_, std::move(stream), parser.release(), std::move(*exchange.grant),
                                       context_, client_address, epoch_at_check);
            co_return;
        }
        // Not a conditional expression: GCC 12 destroys a temporary twice
        // when one arm of `?:` is a co_await.
        api::Response response;
        if (refusal)
            response = std::move(*refusal);
        else
            response = co_await respond(exchange);
        state_.chain.leave(exchange, response);
        const bool keep_alive = message.keep_alive() && !state_.stopping && !exchange.close_connection;
        auto out = to_beast(std::move(response), message.version(), keep_alive);
        stream.expires_after(state_.options.request_timeout);
        auto [write_ec, written] = co_await bhttp::async_write(stream, out, use_tuple);
        if (write_ec || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

void start_http_session(ServerState& state, tcp::socket socket, std::size_t context) {
    auto session = std::make_shared<HttpSession>(state, std::move(socket), context);
    auto executor = session->executor();
    asio::co_spawn(executor, session->run(session), [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("connection ended by an exception: {}", ex.what());
        }
    });
}

}  // namespace gatewatch::http
