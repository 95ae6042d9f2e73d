#pragma once
// The probe engine: probes every monitored device every interval and
// publishes each round's outcome (RoundFinished, StatusChanged) on the event
// bus, where the status hub and the others pick it up.
//
// One thread, one io_context, one ICMP socket per address family serving
// every target (or, as a last resort, the system `ping` with bounded
// concurrency); TCP checks are asynchronous connects on the same thread.
// Echo requests go out in batches (sendmmsg); when a tick fills whole
// batches, a second thread sends them (send_thread.hpp).
// Devices are read from the store at start, in pages (probing begins with
// the first), and again when the event stream may have missed a change;
// otherwise device events (from the API, or the admin command line through
// the change feed) join and drop targets one at a time. A device about to be
// found disconnected first has its nearest probed ancestor probed, once, so
// that it is reported unreachable through it rather than down on its own.
// With several nodes the engine probes only the devices of its Assignment,
// and none once the assignment's lease lapses.
// Construction picks the probe method and throws std::runtime_error, with a
// message for the operator, when a forced method is unavailable.
#include "monitor/icmp_socket.hpp"
#include "monitor/status.hpp"
#include "events/event_bus.hpp"
#include "store/store.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace gatewatch::monitor {

struct MonitorOptions {
    std::chrono::milliseconds interval{10'000};
    std::chrono::milliseconds timeout{1'000};
    std::chrono::milliseconds spacing{250};  // between the probes of a round
    int pings_per_round = 3;
    Thresholds thresholds;
    double max_rate = 50'000;  // probes per second over all devices; 0: no cap
    ProbeMethod method = ProbeMethod::automatic;
    unsigned ping_processes = 32;  // concurrent `ping` commands (system_ping only)
    bool spread = true;            // false: devices that join together start at once (benchmarks)
    // Several nodes: probe nothing until an Assignment names the devices (events.hpp).
    bool wait_for_assignment = false;
    // Several nodes: this node's name and location. A device with a list of
    // locations is then reported as this location's view (LocationRound),
    // which the coordinator combines (cluster/quorum.hpp), never as the
    // device's own status. Empty: every device is reported as itself.
    std::string node_name;
    std::string view_location;
};

struct MonitorCounters {
    std::uint64_t sent = 0;
    std::uint64_t answered = 0;
    std::uint64_t lost = 0;
    std::uint64_t dropped_replies = 0;  // not ours, late, duplicate, malformed
    std::uint64_t rounds = 0;
};

class Monitor {
public:
    Monitor(MonitorOptions options, store::Store& store, events::EventBus& bus);
    ~Monitor();
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    void start();
    void stop();
    [[nodiscard]] ProbeMethod method() const;
    [[nodiscard]] MonitorCounters counters() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::monitor
