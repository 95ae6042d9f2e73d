#pragma once
// Which status changes become notifications, and when.
//
// One notice per transition between connected and disconnected (never for
// the first `unknown` -> anything), so a flapping device gives at most one
// down/up pair per crossing of its thresholds. A change inside a maintenance
// window that covers the device is muted: recorded, never sent.
//
// Dependencies (the contract's "Dependencies"): a device that fails behind a
// disconnected ancestor (the engine's `unreachable_via`) is not notified; its
// ancestor's notice counts it. A device's own down notice waits until
//   - each monitored descendant has finished a round after it went down, and
//   - each monitored ancestor has decided: a successful round, or down;
// then, if an ancestor is down, it is folded into that ancestor's notice;
// otherwise it is sent with `unreachable_children`, the descendants that are
// disconnected by then. A device back up before its down was decided sends
// neither; an up follows only a down that was sent (also after a restart or
// an address change: the first `unknown` -> connected of a device whose down
// was sent is its up). A device folded into an ancestor's notice that is
// still down when no ancestor is any more gets a notice of its own. No
// decision waits longer than `longest_wait`.
//
// "After" is the order of the bus, not timestamps: a round published after
// the status change counts. A notice carries the RTT and loss of the round
// that changed the status (the engine publishes it right after the change). Pure and single-threaded (the history thread
// calls it, notify/dispatcher.hpp); no I/O. Memory: ~100 bytes a device.
#include "events/events.hpp"
#include "store/store.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gatewatch::notify {

struct Notice {
    enum class Kind { down, up };
    Kind kind = Kind::down;
    std::int64_t device_id = 0;
    std::int64_t at_ms = 0;  // when the status changed (also "since")
    monitor::Status status = monitor::Status::unknown;
    monitor::Status previous = monitor::Status::unknown;
    std::optional<double> rtt_ms;  // of the device's last round
    std::optional<double> loss;
    int unreachable_children = 0;
};

class Decider {
public:
    explicit Decider(std::chrono::milliseconds longest_wait = std::chrono::minutes(10)) : longest_wait_(longest_wait) {}

    // Replaces what is known of the devices (parents, rooms, monitored) and the windows.
    void set_devices(const std::vector<store::Device>& devices);
    void set_maintenance(std::vector<store::MaintenanceWindow> windows);

    // Feeds one event, seen at wall time `now_ms`. Returns true when it is a
    // status change in a maintenance window (to be recorded muted).
    bool apply(const events::Event& event, std::int64_t now_ms);

    // The notices decided since the last call, in the order they were decided.
    std::vector<Notice> take();
    [[nodiscard]] std::size_t pending() const { return pending_.size(); }

    [[nodiscard]] bool in_maintenance(std::int64_t device_id, std::int64_t at_ms) const;

    // A down was sent before this process started (read back from the outbox):
    // its up is owed, even from `unknown`.
    void mark_notified_down(std::int64_t device_id);

private:
    struct Device {
        std::optional<std::int64_t> parent;
        std::optional<std::int64_t> room;
        bool monitored = true;
        monitor::Status status = monitor::Status::unknown;
        std::optional<double> rtt_ms;
        std::optional<double> loss;
        bool notified_down = false;  // its down was sent: its up will be
        bool suppressed = false;     // its down was folded into an ancestor's
    };
    struct Pending {
        Notice notice;
        std::int64_t decided_by_ms = 0;  // wall time past which it is decided anyway
        std::unordered_set<std::int64_t> descendants;  // still to finish a round
        std::unordered_set<std::int64_t> ancestors;    // still to decide
        bool own_round = false;  // the round that changed the status, published right after the change
    };

    void upsert(const store::Device& device);
    void remove(std::int64_t id);
    void on_round(const events::RoundFinished& e, std::int64_t now_ms);
    bool on_status(const events::StatusChanged& e, std::int64_t now_ms);
    void start_pending(std::int64_t device_id, std::int64_t at_ms, monitor::Status previous, std::int64_t now_ms,
                       bool own_round_seen);
    void decide(std::int64_t device_id);
    std::vector<std::int64_t> ancestors(std::int64_t id) const;
    std::vector<std::int64_t> descendants(std::int64_t id) const;
    bool ancestor_down(std::int64_t id) const;

    std::chrono::milliseconds longest_wait_;
    std::unordered_map<std::int64_t, Device> devices_;
    std::unordered_map<std::int64_t, std::vector<std::int64_t>> children_;
    std::vector<store::MaintenanceWindow> windows_;
    std::unordered_map<std::int64_t, Pending> pending_;  // by device
    std::unordered_map<std::int64_t, Notice> ups_;       // waiting for their own round's RTT
    std::vector<Notice> decided_;
};

}  // namespace gatewatch::notify
