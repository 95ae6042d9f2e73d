#include "http/server.hpp"

#include "http/listener.hpp"
#include "http/server_state.hpp"
#include "log/logging.hpp"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <thread>

namespace gatewatch::http {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {
constexpr auto k_drain_limit = 10s;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

void log_failure(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        spdlog::critical("server task failed: {}", ex.what());
    }
}
}  // namespace

struct Server::Impl {
    // One io_context per I/O thread: a connection lives on one thread, so it
    // needs no strand and its completions never wake another thread.
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    asio::io_context& ioc;  // contexts[0]: the acceptor and the shutdown
    tcp::acceptor acceptor;
    std::unique_ptr<ServerState> state;
    std::atomic<bool> stop_requested{false};

    Impl(ServerOptions options, const api::Router& router)
        : contexts(make_contexts(options.io_threads)), ioc(*contexts[0]), acceptor(ioc) {
        const tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
        state = std::make_unique<ServerState>(std::move(options), router, raw_contexts(),
                                              acceptor.local_endpoint().port());
    }

    static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned n) {
        std::vector<std::unique_ptr<asio::io_context>> v;
        for (unsigned i = 0; i < std::max(1u, n); ++i) v.push_back(std::make_unique<asio::io_context>(1));
        return v;
    }

    std::vector<asio::io_context*> raw_contexts() const {
        std::vector<asio::io_context*> out;
        for (const auto& c : contexts) out.push_back(c.get());
        return out;
    }

    // Stop accepting, close the status sockets (1001) and idle connections,
    // let requests in flight finish, up to the drain limit.
    asio::awaitable<void> shut_down() {
        state->stopping = true;
        boost::system::error_code ignored;
        acceptor.close(ignored);
        state->wake_status_sockets();
        keep_running.clear();  // each thread ends once its connections have
        state->close_idle_connections();
        asio::steady_timer timer(ioc);
        const auto deadline = std::chrono::steady_clock::now() + k_drain_limit;
        while (state->open_connections() > 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                spdlog::warn("connections still open after {} s: closing them", k_drain_limit.count());
                for (auto& context : contexts) context->stop();
                co_return;
            }
            timer.expires_after(20ms);
            co_await timer.async_wait(use_tuple);
            state->close_idle_connections();  // connections that finished a request since
        }
    }
};

Server::Server(ServerOptions options, const api::Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::status_changed() { impl_->state->wake_status_sockets(); }

std::size_t Server::websocket_clients() const { return impl_->state->limits.websockets(); }

void Server::credentials_changed() {
    ++impl_->state->credentials_epoch;
    impl_->state->wake_status_sockets();
}

void Server::stop() {
    if (impl_->stop_requested.exchange(true)) return;
    asio::co_spawn(impl_->ioc, impl_->shut_down(), log_failure);
}

void Server::run() {
    Impl& s = *impl_;
    asio::co_spawn(s.ioc, run_listener(*s.state, s.acceptor, s.raw_contexts()), log_failure);
    spdlog::info("gatewatch listening on http://{}:{}", s.state->options.host, port());
    log::flush_logs();  // scripts and tests wait for this line

    for (std::size_t i = 1; i < s.contexts.size(); ++i) s.keep_running.push_back(asio::make_work_guard(*s.contexts[i]));
    if (s.stop_requested) asio::co_spawn(s.ioc, s.shut_down(), log_failure);  // asked before run()
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < s.contexts.size(); ++i)
        threads.emplace_back([&s, i] {
            pthread_setname_np(pthread_self(), "gw-io");
            s.contexts[i]->run();
        });
    s.ioc.run();
    for (auto& t : threads) t.join();
    s.state->hash_pool.join();
}

}  // namespace gatewatch::http
