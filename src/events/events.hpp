#pragma once
// What happened, as typed values: the one stream every part of gatewatch
// learns changes from (the status hub, the read cache, the probe engine, the
// status sockets; history, notifications and metrics next).
//
// Configuration events are published by the service layer after the store
// committed the write, or by the change feed for writes another process (the
// admin command line) committed. Round and status events are published by
// the probe engine. Plain values: copying one is cheap enough at the engine's
// rate (a round is ~100 bytes).
#include "monitor/status.hpp"
#include "store/store.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <variant>

namespace gatewatch::events {

using WallClock = std::chrono::system_clock;

struct DeviceAdded {
    store::Device device;
};
// Subscribers compare with what they hold: only the row after the write is
// known for certain (the change feed cannot see what it was before).
struct DeviceUpdated {
    store::Device device;
};
struct DeviceRemoved {
    store::Device device;
};
// A room created, renamed, described or deleted.
struct RoomChanged {
    std::int64_t room_id = 0;
};
// An account created, deleted, its password changed or its tokens revoked:
// whoever holds its tokens must check them again.
struct AccountChanged {
    std::string username;
};
// A notifier or a maintenance window was created, changed or deleted.
struct NotifiersChanged {};
// Anything may have changed (the change feed lost track, e.g. after its log
// was trimmed past what it had read): subscribers reload from the store.
struct Reload {};

// The outcome of one round of probes of a device, after the state machine.
struct RoundFinished {
    std::int64_t device_id = 0;
    std::string ip;
    bool ok = false;
    monitor::Status status = monitor::Status::unknown;  // after this round
    std::optional<double> rtt_ms;                       // median of the answers
    std::optional<double> loss;                         // fraction lost
    std::optional<WallClock::time_point> since;         // when `status` began
    WallClock::time_point at;                           // when the round ended
    std::optional<std::int64_t> unreachable_via;        // disconnected behind this ancestor (monitor/dependencies.hpp)
};
struct StatusChanged {
    std::int64_t device_id = 0;
    std::string ip;
    monitor::Status from = monitor::Status::unknown;
    monitor::Status to = monitor::Status::unknown;
    WallClock::time_point at;
    std::optional<std::int64_t> unreachable_via;  // when `to` is disconnected behind an ancestor
};

// Several nodes (cluster/): the devices this node probes, published by the
// coordinator when the set changes and again at each renewal of its lease.
// The engine probes only these, and none after `valid_until` (steady clock)
// unless a newer Assignment moves it: a node that cannot renew its lease
// stops probing before the others may take its devices. Never published on
// SQLite, where the engine probes every device.
struct Assignment {
    std::shared_ptr<const std::unordered_set<std::int64_t>> devices;  // the same pointer while the set is unchanged
    std::chrono::steady_clock::time_point valid_until;
    // The devices whose own RoundFinished this node publishes (their history
    // is recorded here): those it probes as any one node and those whose
    // locations' views it decides (cluster/decisions.hpp). Null: `devices`.
    std::shared_ptr<const std::unordered_set<std::int64_t>> reported{};
};
// The outcome of a round that another node probed, as it wrote it to the
// database: shown by the status hub and metrics, never recorded or notified
// again here (its prober did both).
struct RoundRelayed {
    RoundFinished round;
    std::string node;
    std::string location;  // where `node` probes from
};
// Several nodes, a device with a list of locations: how one location sees
// it, published by the engine of the node that probes it there (instead of
// RoundFinished and StatusChanged) and by the coordinator for the other
// nodes' views. The device's own status is the decider's RoundFinished
// (cluster/quorum.hpp); this only fills its per-location detail.
struct LocationRound {
    RoundFinished round;
    std::string location;
    std::string node;
    // Read back from the database (the coordinator), not probed by this
    // process: even under this node's name (its row from before a restart)
    // it is neither written nor recorded again.
    bool relayed = false;
};

using Event = std::variant<DeviceAdded, DeviceUpdated, DeviceRemoved, RoomChanged, AccountChanged, Reload,
                           RoundFinished, StatusChanged, NotifiersChanged, Assignment, RoundRelayed,
                           LocationRound>;

}  // namespace gatewatch::events
