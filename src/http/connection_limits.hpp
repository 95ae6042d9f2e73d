#pragma once
// Caps on concurrent connections, in total and per client address, and the
// same for status WebSockets: one client (or one address behind which an
// attacker sits) cannot take every socket the server has.
//
// admit_*() returns a Slot that holds the place until it is destroyed, or
// nothing when a cap is reached (the server then answers 503, or closes the
// WebSocket with 1013 "try again later"). Thread-safe.
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace gatewatch::http {

struct ConnectionCaps {
    std::size_t total = 16384;
    std::size_t per_address = 256;
    std::size_t websockets = 10000;
    std::size_t websockets_per_address = 64;
};

class ConnectionLimits {
public:
    explicit ConnectionLimits(ConnectionCaps caps) : caps_(caps) {}

    class Slot {
    public:
        Slot(Slot&& other) noexcept : owner_(other.owner_), address_(std::move(other.address_)), websocket_(other.websocket_) {
            other.owner_ = nullptr;
        }
        Slot& operator=(Slot&&) = delete;
        Slot(const Slot&) = delete;
        ~Slot();

    private:
        friend class ConnectionLimits;
        Slot(ConnectionLimits* owner, std::string address, bool websocket)
            : owner_(owner), address_(std::move(address)), websocket_(websocket) {}
        ConnectionLimits* owner_;
        std::string address_;
        bool websocket_;
    };

    [[nodiscard]] std::optional<Slot> admit_connection(const std::string& address);
    [[nodiscard]] std::optional<Slot> admit_websocket(const std::string& address);

    [[nodiscard]] std::size_t connections() const;
    [[nodiscard]] std::size_t websockets() const;

private:
    struct Counts {
        std::size_t total = 0;
        std::unordered_map<std::string, std::size_t> by_address;
    };
    std::optional<Slot> admit(Counts& counts, std::size_t total_cap, std::size_t address_cap,
                              const std::string& address, bool websocket);
    void release(const std::string& address, bool websocket);

    const ConnectionCaps caps_;
    mutable std::mutex mutex_;
    Counts connections_;
    Counts websockets_;
};

}  // namespace gatewatch::http
