#include "http/listener.hpp"

#include "http/http_session.hpp"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>

namespace gatewatch::http {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// Out of descriptors: stop accepting this long, then try again (the pending
// connections wait in the listen backlog), instead of spinning on accept.
constexpr auto k_accept_pause = std::chrono::milliseconds(100);
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

asio::awaitable<void> run_listener(ServerState& state, tcp::acceptor& acceptor,
                                   std::vector<asio::io_context*> contexts) {
    std::size_t next = 0;
    for (;;) {
        const std::size_t context = next++ % contexts.size();
        auto [ec, socket] = co_await acceptor.async_accept(*contexts[context], use_tuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || state.stopping) co_return;
            const bool out_of_descriptors = ec == asio::error::no_descriptors || ec.value() == ENFILE;
            if (const auto skipped = state.accept_warnings.due())
                spdlog::warn("accept: {}{} ({} more since the last line)", ec.message(),
                             out_of_descriptors ? "; pausing new connections briefly" : "", *skipped);
            if (out_of_descriptors) {
                asio::steady_timer pause(acceptor.get_executor(), k_accept_pause);
                co_await pause.async_wait(use_tuple);
            }
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        start_http_session(state, std::move(socket), context);
    }
}

}  // namespace gatewatch::http
