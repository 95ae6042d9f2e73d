#pragma once
// The current state of every monitored device, as the API shows it: fed by
// events (the engine's rounds, device changes), read by the REST handlers and
// the status sockets. It owns the presentation of status: the JSON shapes
// and the time format.
//
// Readers never wait for the engine beyond a short mutex hold: the status
// object `{"<ip>": "connected" | "disconnected" | "unknown"}` is rendered
// once per change and handed out as an immutable shared string.
// `version()` moves whenever that object changes (a status flips, a device
// joins or leaves); RTT and loss updates do not move it. The change listener
// is called after such a change, outside the lock, from the writer's thread.
//
// Membership follows the device events (apply(), subscribed inline to the
// event bus): a device created through the API is listed, `unknown`, before
// its 201 is sent. Rounds arrive as RoundFinished events from the engine.
//
// Deltas (the dashboard's socket): `seq()` moves whenever a device's status,
// since, RTT or loss changes, or a device joins or leaves. delta_since(s)
// is the message for a client that has seen everything up to s: a snapshot
// when it has seen nothing or fell behind what the hub remembers of
// removals, else only what changed after s. Computing one scans the devices
// under the lock (a millisecond at 100,000) and renders outside it; clients
// that ask for the same span share one rendering.
//
// `detail_json()` is the same object with each value a detail object
// (device_id, status, rtt_ms, loss, since, last_probe): the dashboard's view.
// It is rendered when asked for, at most once a second while only RTT and
// loss move (at 10,000 devices rounds end about 1,000 times a second, and
// every dashboard's heartbeat would otherwise pay for a fresh render), and at
// once after a change of the status object.
#include "events/events.hpp"
#include "monitor/status.hpp"
#include "wire/representation.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace gatewatch::api {

using WallClock = std::chrono::system_clock;

// How one location sees a device (several nodes), or the one node that probes it.
struct LocationView {
    monitor::Status status = monitor::Status::unknown;
    std::optional<double> rtt_ms;
    std::optional<double> loss;
    std::optional<std::string> node;  // none: no node probes it there yet
};

struct DeviceState {
    std::int64_t device_id = 0;
    std::string ip;
    monitor::Status status = monitor::Status::unknown;
    std::optional<double> rtt_ms;  // median of the last round's answers
    std::optional<double> loss;    // fraction of the last round's probes lost
    std::optional<WallClock::time_point> since;       // when the current status began
    std::optional<WallClock::time_point> last_probe;  // when the last round ended
    std::optional<std::int64_t> unreachable_via;      // disconnected behind this ancestor
    int consecutive_successes = 0;
    int consecutive_failures = 0;
    std::uint64_t changed_seq = 0;  // the hub's seq() when a field a delta carries last changed
    // Each location's view (GET /devices/{id}/status only: deltas and the
    // detail map leave it out): a device's listed locations on several
    // nodes, else the one node that probed its last round.
    std::map<std::string, LocationView> locations;
};

struct MonitoredDevice {
    std::int64_t device_id = 0;
    std::string ip;
    std::optional<std::vector<std::string>> locations{};  // several nodes: the device's list (none: any one node)
};

class StatusHub {
public:
    // Who this node is (set once, before use): its own rounds are shown under
    // `location`. With `several_nodes`, a device with a list of locations
    // shows those locations' views (LocationRound events) instead.
    void set_node(std::string name, std::string location, bool several_nodes);

    // The devices now monitored. Devices that stay keep their state; new ones
    // (or ones whose ip changed) start unknown; the others are dropped.
    void set_devices(const std::vector<MonitoredDevice>& devices);

    // The outcome of a round, from the engine.
    void record(const DeviceState& state);

    // Device events join and drop devices one at a time; RoundFinished records.
    void apply(const events::Event& event);

    struct Delta {
        std::shared_ptr<const std::string> body;  // {"snapshot": ...}, {"changed": ..., "removed": [...]} or {}
        std::uint64_t upto = 0;                   // what the client has seen once it has this
    };
    [[nodiscard]] Delta delta_since(std::uint64_t after);
    [[nodiscard]] std::uint64_t seq() const;

    [[nodiscard]] std::shared_ptr<const std::string> status_json();
    [[nodiscard]] std::shared_ptr<const std::string> detail_json(
        std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    [[nodiscard]] std::uint64_t version() const;
    [[nodiscard]] std::optional<DeviceState> device(std::int64_t device_id) const;
    [[nodiscard]] std::size_t size() const;

    // Called after each change of the status object (set once, before use).
    void on_change(std::function<void()> listener) { listener_ = std::move(listener); }

private:
    void changed_locked();
    void join_locked(std::int64_t device_id, const std::string& ip, bool& changed);
    // Records the device's list of locations (several nodes only); a new list starts every view unknown.
    void locate_locked(std::int64_t device_id, const std::optional<std::vector<std::string>>& locations);
    // How `location` (probed by `node`) saw the round's device at its ip; `only`: the one view it has.
    void view(const events::RoundFinished& round, const std::string& location, const std::string& node, bool only);
    [[nodiscard]] bool listed_locked(std::int64_t device_id) const { return listed_.contains(device_id); }
    void leave_locked(std::int64_t device_id, bool& changed);
    std::shared_ptr<const std::string> detail_locked(std::chrono::steady_clock::time_point now);

    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, DeviceState> devices_;
    std::uint64_t version_ = 1;
    std::shared_ptr<const std::string> rendered_;         // null when stale
    std::shared_ptr<const std::string> rendered_detail_;  // null after a change of the status object
    std::chrono::steady_clock::time_point rendered_detail_at_;
    bool detail_moved_ = false;  // a round was recorded since the render
    std::uint64_t rendered_detail_seq_ = 0;
    std::function<void()> listener_;
    std::string node_name_, node_location_ = "default";
    bool several_nodes_ = false;
    std::unordered_map<std::int64_t, std::vector<std::string>> listed_;  // several nodes: devices with a list of locations

    std::uint64_t seq_ = 1;
    std::deque<std::pair<std::uint64_t, std::string>> removed_;  // (seq, ip) of devices that left, oldest first
    std::uint64_t removed_floor_ = 0;  // a client that saw less than this gets a snapshot
    Delta last_delta_;                 // the latest delta rendered, and from where
    std::uint64_t last_delta_after_ = 0;
};

// {"device_id", "ip", "status", "rtt_ms", "loss", "since", "last_probe"}: the
// body of GET /devices/{id}/status. RTT is rounded to a microsecond and loss
// to a thousandth; whole numbers print as integers (0, not 0E0).
boost::json::object to_json(const DeviceState& state);

using wire::format_time;

}  // namespace gatewatch::api
