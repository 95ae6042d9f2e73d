#include "http/server_state.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace gatewatch::http {

ServerState::ServerState(ServerOptions opts, const api::Router& r, std::vector<boost::asio::io_context*> contexts,
                         std::uint16_t port)
    : options(std::move(opts)),
      router(r),
      limits(options.caps),
      hosts(options.host, port, options.allowed_hosts),
      chain(Chain::standard(router, hosts, options.cors)),
      hash_pool(options.hash_threads),
      contexts_(std::move(contexts)),
      status_sockets_(contexts_.size()),
      broadcast_pending_(new std::atomic<bool>[contexts_.size()]) {
    for (std::size_t i = 0; i < contexts_.size(); ++i) broadcast_pending_[i] = false;
}

bool ServerState::enter_hash_queue(const std::string& client) {
    if (hash_waiting_.fetch_add(1) >= options.hash_queue) {
        --hash_waiting_;
        return false;
    }
    const unsigned share = std::max(1u, options.hash_queue / 4);
    std::lock_guard lock(hash_mutex_);
    unsigned& mine = hash_waiting_by_client_[client];
    if (mine >= share) {
        --hash_waiting_;
        return false;
    }
    ++mine;
    return true;
}

void ServerState::leave_hash_queue(const std::string& client) {
    {
        std::lock_guard lock(hash_mutex_);
        auto it = hash_waiting_by_client_.find(client);
        if (it != hash_waiting_by_client_.end() && --it->second == 0) hash_waiting_by_client_.erase(it);
    }
    --hash_waiting_;
}

void ServerState::warn_cap_reached(std::string_view what, const std::string& address) {
    if (const auto skipped = cap_warnings_.due())
        spdlog::warn("{} cap reached (latest from {}): refusing with 503 / 1013 ({} more since the last line)", what,
                     address, *skipped);
}

std::uint64_t ServerState::enroll(std::weak_ptr<Closable> connection) {
    std::lock_guard lock(connections_mutex_);
    const auto id = next_connection_id_++;
    connections_.emplace(id, std::move(connection));
    return id;
}

void ServerState::leave(std::uint64_t id) {
    std::lock_guard lock(connections_mutex_);
    connections_.erase(id);
}

void ServerState::close_idle_connections() {
    std::vector<std::shared_ptr<Closable>> open;
    {
        std::lock_guard lock(connections_mutex_);
        for (auto& [id, weak] : connections_)
            if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
    for (auto& connection : open) connection->close_if_idle();
}

std::size_t ServerState::open_connections() const {
    std::lock_guard lock(connections_mutex_);
    return connections_.size();
}

void ServerState::add_status_socket(std::size_t context, boost::asio::steady_timer* wake) {
    status_sockets_[context].insert(wake);
}

void ServerState::remove_status_socket(std::size_t context, boost::asio::steady_timer* wake) {
    status_sockets_[context].erase(wake);
}

void ServerState::wake_status_sockets() {
    for (std::size_t i = 0; i < contexts_.size(); ++i) {
        if (broadcast_pending_[i].exchange(true)) continue;
        boost::asio::post(*contexts_[i], [this, i] {
            broadcast_pending_[i] = false;
            for (auto* wake : status_sockets_[i]) wake->cancel();
        });
    }
}

}  // namespace gatewatch::http
