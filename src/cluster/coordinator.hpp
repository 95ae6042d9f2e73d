#pragma once
// One node among several on PostgreSQL: keeps its membership, decides which
// devices it probes, and carries statuses between the nodes through the
// database (never node to node). SQLite runs without one.
//
// On its own thread (`gw-cluster`), with blocking calls to PgCluster:
//  - every `heartbeat` (1 s): renew the node's lease (or join with a new
//    epoch after it lapsed), read the live nodes, and rebalance: each
//    monitored device goes to the live node that wins its dependency root
//    (rendezvous.hpp); a device that lists locations goes to one live node
//    of each of them (ownership key: the location; "*" for any one node).
//    Devices it no longer wins are released at once, those
//    it wins are claimed; a claim of a device still held by a live node
//    fails until that node lets go (its own next tick). A device event
//    rebalances within 50 ms instead of waiting for the tick.
//  - the engine hears the result as an Assignment, at each change and at each
//    renewal, valid until `liveness - margin` after the renewal began: a node
//    cut off from the database stops probing before the others may claim
//    its devices (the database declares it dead after `liveness`).
//  - relay: each round of a held device whose status changed is written to
//    the database within `flush` (100 ms); other rounds refresh RTT and loss
//    there every `refresh` (60 s), which bounds the write rate.
//  - poll: read the statuses written after the last one seen and publish
//    the other nodes' as RoundRelayed. With `notify`, a session of its own
//    LISTENs: a writer sends NOTIFY gw_status after each flush, and the
//    others read at once (a change reaches every node's sockets within about
//    flush + a round trip); a read every `safety_poll` (1 s) covers a missed
//    notification, and one follows each (re)connection. Without it (or on a
//    database without LISTEN, which is retried every 10 s) a read every
//    `poll` (250 ms). NOTIFY gw_config (sent by the store's writes) calls
//    `on_config`: the change feed reads at once. NOTIFY gw_nodes (a node
//    left) runs the heartbeat and rebalance at once: its devices are taken
//    without waiting for the next tick.
//  - locations: the engine reports a device that lists locations as this
//    location's view (LocationRound); it is written like a status, and the
//    other nodes' views are read back and published as LocationRound. The
//    node that decides the device (quorum.hpp) combines the views after each
//    of its rounds and each new view, and publishes the result as the
//    device's RoundFinished (and StatusChanged), so its history and its
//    notifications come from that one node, and writes it as its status.
//    It decides only while it holds the device's "*" row (claimed like any
//    other), so a handover never has two deciders. The views and the last
//    combined status survive a Reload; a new decider starts from the
//    combined status the last one wrote.
// stop() writes what is pending and leaves: the node is no longer live and
// its devices are free, so the others claim them at their next tick.
#include "events/event_bus.hpp"
#include "store/pg_cluster.hpp"
#include "store/store.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace gatewatch::cluster {

struct CoordinatorOptions {
    store::NodeIdentity node;
    std::chrono::milliseconds heartbeat{1'000};
    std::chrono::milliseconds liveness{10'000};  // PgCluster's: when the others call a silent node dead
    std::chrono::milliseconds margin{4'000};     // the engine stops this much before that
    std::chrono::milliseconds flush{100};
    std::chrono::milliseconds refresh{60'000};
    std::chrono::milliseconds poll{250};
    bool notify = true;
    std::chrono::milliseconds safety_poll{1'000};
    std::function<void()> on_config;  // another node's configuration write was committed
};

class Coordinator {
public:
    Coordinator(CoordinatorOptions options, store::PgCluster& cluster, store::Store& store, events::EventBus& bus);
    ~Coordinator();
    Coordinator(const Coordinator&) = delete;
    Coordinator& operator=(const Coordinator&) = delete;

    void start();
    void stop();  // leaves the cluster; idempotent

    // "ok" while the lease is held, else why not (GET /readyz).
    [[nodiscard]] std::string state() const;
    [[nodiscard]] std::size_t devices() const;  // (device, location) pairs probed here now

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::cluster
