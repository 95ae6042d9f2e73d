#pragma once
// The devices that list locations (several nodes), as one node knows them:
// each location's newest view, and the device's combined status, as this
// node last decided it or read it from the node that decides it. The node
// that decides a device (quorum.hpp) asks decide() after each of its own
// rounds and each new view, and publishes what it answers: the device's own
// RoundFinished, and StatusChanged first when the combination moved.
//
// The coordinator's state, on its thread only; no locking, no I/O.
#include "events/events.hpp"
#include "monitor/status.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace gatewatch::cluster {

class Decisions {
public:
    using WallClock = std::chrono::system_clock;

    struct View {
        monitor::Status status = monitor::Status::unknown;
        std::optional<double> rtt_ms, loss;
        std::optional<std::int64_t> unreachable_via;
    };
    struct Device {
        const std::string& ip;
        const std::vector<std::string>& locations;
        int quorum = 1;
    };
    struct Outcome {
        std::optional<events::StatusChanged> change;  // told first
        std::optional<events::RoundFinished> round;
    };

    void see(std::int64_t id, const std::string& location, const View& view);
    [[nodiscard]] bool sees(std::int64_t id, const std::string& location) const;
    // The combined status the deciding node wrote. A node that decides the
    // device itself takes it only to start from (`unless_known`).
    void seed(std::int64_t id, monitor::Status status, std::optional<WallClock::time_point> since,
              bool unless_known);
    // Its list changed: the views of locations no longer listed go.
    void keep_listed(std::int64_t id, const std::optional<std::vector<std::string>>& locations);
    void forget(std::int64_t id);

    // Combines `id`'s views, a location counting only while it has a live
    // node. After this node's own round (`own`) the round is always
    // answered (the device's history goes on); otherwise only a change.
    // RTT, loss and "unreachable via" are this node's own (`here`) view.
    Outcome decide(std::int64_t id, const Device& device, const std::string& here,
                   const std::set<std::string, std::less<>>& live_locations, const events::RoundFinished* own,
                   WallClock::time_point now);

private:
    struct Combined {
        monitor::Status status = monitor::Status::unknown;
        std::optional<WallClock::time_point> since;
    };
    std::unordered_map<std::int64_t, std::unordered_map<std::string, View>> views_;
    std::unordered_map<std::int64_t, Combined> combined_;
};

}  // namespace gatewatch::cluster
