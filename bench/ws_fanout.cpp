// WebSocket fan-out load client: N clients on /ws/status/, then the time from
// a device's state change (the server's own `since` for it) to each client
// receiving the new status.
// Usage: ws_fanout PORT TOKEN CLIENTS DEVICE_ID IP STATUS
// Prints "ready N" once all are connected (the script then causes the change),
// then p50/p99/max latency and how many clients saw it.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {
std::int64_t wall_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Run {
    tcp::endpoint server;
    std::string target;
    std::string needle;
    int connected = 0;
    int failed = 0;
    int seen = 0;
    std::vector<std::int64_t> seen_at;
};

asio::awaitable<void> client(Run& run, std::size_t index) {
    websocket::stream<beast::tcp_stream> ws(co_await asio::this_coro::executor);
    try {
        beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
        co_await beast::get_lowest_layer(ws).async_connect(run.server, asio::use_awaitable);
        beast::get_lowest_layer(ws).expires_never();
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        co_await ws.async_handshake("127.0.0.1:" + std::to_string(run.server.port()), run.target, asio::use_awaitable);
    } catch (const std::exception&) {
        ++run.failed;
        co_return;
    }
    ++run.connected;
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        if (run.seen_at[index] == 0) {
            const auto text = beast::buffers_to_string(buffer.data());
            if (text.find(run.needle) != std::string::npos) {
                run.seen_at[index] = wall_ns();
                ++run.seen;
            }
        }
        buffer.consume(buffer.size());
    }
}

// The device's `since`, from GET /devices/{id}/status, in ns since the epoch.
std::int64_t fetch_since(asio::io_context& ioc, const Run& run, const std::string& token, const std::string& id) {
    tcp::socket socket(ioc);
    socket.connect(run.server);
    beast::http::request<beast::http::empty_body> request{beast::http::verb::get, "/devices/" + id + "/status", 11};
    request.set(beast::http::field::host, "127.0.0.1:" + std::to_string(run.server.port()));
    request.set(beast::http::field::authorization, "Bearer " + token);
    beast::http::write(socket, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(socket, buffer, response);
    const auto at = response.body().find("\"since\":\"");
    if (at == std::string::npos) return 0;
    std::tm tm{};
    int ms = 0;
    std::sscanf(response.body().c_str() + at + 9, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms) * 1'000'000;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: ws_fanout PORT TOKEN CLIENTS DEVICE_ID IP STATUS\n");
        return 2;
    }
    const auto port = static_cast<unsigned short>(std::stoi(argv[1]));
    const std::string token = argv[2];
    const auto clients = static_cast<std::size_t>(std::stoul(argv[3]));
    asio::io_context ioc(1);
    Run run;
    run.server = tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
    run.target = "/ws/status/?token=" + token;
    run.needle = std::string("\"") + argv[5] + "\":\"" + argv[6] + "\"";
    run.seen_at.assign(clients, 0);

    // Connect in waves of 500, so the listen backlog never overflows.
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        asio::steady_timer pause(ioc);
        for (std::size_t i = 0; i < clients; ++i) {
            asio::co_spawn(ioc, client(run, i), asio::detached);
            if ((i + 1) % 500 == 0) {
                while (static_cast<std::size_t>(run.connected + run.failed) < i + 1) {
                    pause.expires_after(std::chrono::milliseconds(5));
                    co_await pause.async_wait(asio::use_awaitable);
                }
            }
        }
        while (static_cast<std::size_t>(run.connected + run.failed) < clients) {
            pause.expires_after(std::chrono::milliseconds(5));
            co_await pause.async_wait(asio::use_awaitable);
        }
        std::printf("ready %d (failed %d)\n", run.connected, run.failed);
        std::fflush(stdout);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (run.seen < run.connected && std::chrono::steady_clock::now() < deadline) {
            pause.expires_after(std::chrono::milliseconds(5));
            co_await pause.async_wait(asio::use_awaitable);
        }
        ioc.stop();
    }, asio::detached);
    ioc.run();

    asio::io_context http;
    const std::int64_t since = fetch_since(http, run, token, argv[4]);
    std::vector<double> latency_ms;
    for (auto t : run.seen_at)
        if (t != 0) latency_ms.push_back(static_cast<double>(t - since) / 1e6);
    std::sort(latency_ms.begin(), latency_ms.end());
    if (latency_ms.empty()) {
        std::printf("no client saw the change\n");
        return 1;
    }
    auto pct = [&](double p) { return latency_ms[std::min(latency_ms.size() - 1, static_cast<std::size_t>(p * latency_ms.size()))]; };
    std::printf("clients=%d saw_change=%zu latency_ms p50=%.1f p99=%.1f max=%.1f (from the server's `since`, ms resolution)\n",
                run.connected, latency_ms.size(), pct(0.50), pct(0.99), latency_ms.back());
    return 0;
}
