#include "http/websocket_session.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

namespace gatewatch::http {
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

namespace {
constexpr auto k_coalesce = 1s;  // changes inside a second after a message make one message
// A status socket's client must take each message within this, or it is
// dropped: a client that never reads cannot hold a socket (and its token) open.
constexpr auto k_write_deadline = 10s;
constexpr auto k_close_deadline = 2s;
const auto k_delta_heartbeat = std::make_shared<const std::string>("{}");
}  // namespace

// Runs until the client goes, the token expires or is revoked, or the
// server stops. Three coroutines share the socket, joined with &&:
//  - the reader: the client has nothing to say, but reading answers its
//    pings and closes, and sends ours;
//  - the writer: sends the newest status object on change and heartbeat,
//    checks the token when credentials may have changed, closes at expiry;
//  - the guard: closes the TCP socket when a write outlives its deadline
//    or the token, so a client that never reads cannot hold the socket.
// Whichever ends first closes the socket, which ends the other two.
asio::awaitable<void> run_status_socket(ServerState& state, beast::tcp_stream stream,
                                    bhttp::request<bhttp::string_body> request, api::SocketGrant grant,
                                    std::size_t context, std::string client_address, std::uint64_t checked_epoch) {
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
    const auto slot = state.limits.admit_websocket(client_address);
    if (!slot) {
        state.warn_cap_reached("status socket", client_address);
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
        auto& hub = state.router.app().hub;
        std::uint64_t sent_version = 0;
        auto last_sent = std::chrono::steady_clock::time_point{};
        // Only messages that carried a change throttle the next change: the
        // opening message and heartbeats must not delay news.
        auto last_change_sent = std::chrono::steady_clock::time_point{};
        while (!finished) {
            if (state.stopping) {
                co_await close_with(websocket::close_code::going_away);
                break;
            }
            if (std::chrono::system_clock::now() >= token_deadline) {
                co_await close_with(websocket::close_reason(websocket::close_code::policy_error, "token expired"));
                break;
            }
            if (const auto epoch = state.credentials_epoch.load(); epoch != checked_epoch) {
                checked_epoch = epoch;
                if (!api::still_valid(state.router.app(), grant)) {
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
            const bool heartbeat_due = now - last_sent >= state.options.push_interval;
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
            auto next = std::min(last_sent + state.options.push_interval, steady_token_deadline());
            // RTT and loss move without waking anyone: a delta socket looks once a second.
            if (grant.delta) next = std::min(next, now + k_coalesce);
            wake.expires_at(next);
            co_await wake.async_wait(use_tuple);
        }
        finish();
    };

    state.add_status_socket(context, &wake);
    struct Unregister {  // also when a coroutine throws: no dangling timer in the set
        ServerState& state;
        std::size_t context;
        asio::steady_timer* wake;
        ~Unregister() { state.remove_status_socket(context, wake); }
    } unregister{state, context, &wake};
    co_await (reader() && writer() && keeper());
}

}  // namespace gatewatch::http
