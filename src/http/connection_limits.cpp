#include "http/connection_limits.hpp"

namespace gatewatch::http {

ConnectionLimits::Slot::~Slot() {
    if (owner_ != nullptr) owner_->release(address_, websocket_);
}

std::optional<ConnectionLimits::Slot> ConnectionLimits::admit(Counts& counts, std::size_t total_cap,
                                                              std::size_t address_cap, const std::string& address,
                                                              bool websocket) {
    std::lock_guard lock(mutex_);
    if (counts.total >= total_cap) return std::nullopt;
    auto& mine = counts.by_address[address];
    if (mine >= address_cap) return std::nullopt;
    ++mine;
    ++counts.total;
    return Slot(this, address, websocket);
}

std::optional<ConnectionLimits::Slot> ConnectionLimits::admit_connection(const std::string& address) {
    return admit(connections_, caps_.total, caps_.per_address, address, false);
}

std::optional<ConnectionLimits::Slot> ConnectionLimits::admit_websocket(const std::string& address) {
    return admit(websockets_, caps_.websockets, caps_.websockets_per_address, address, true);
}

void ConnectionLimits::release(const std::string& address, bool websocket) {
    std::lock_guard lock(mutex_);
    Counts& counts = websocket ? websockets_ : connections_;
    --counts.total;
    auto it = counts.by_address.find(address);
    if (it != counts.by_address.end() && --it->second == 0) counts.by_address.erase(it);
}

std::size_t ConnectionLimits::connections() const {
    std::lock_guard lock(mutex_);
    return connections_.total;
}

std::size_t ConnectionLimits::websockets() const {
    std::lock_guard lock(mutex_);
    return websockets_.total;
}

}  // namespace gatewatch::http
