#pragma once
// What several nodes on one PostgreSQL share besides the store: membership,
// who probes which device, and each device's newest status (the tables of
// pg_store_schema.hpp's second migration; PgStore creates them).
//
// Membership: a node's row carries a heartbeat in the database's own time
// and an epoch drawn from a sequence. A node is live while its heartbeat is
// younger than `liveness`. A renewal that finds its heartbeat older (or its
// epoch replaced) fails, and the node joins again with a new epoch.
//
// Ownership: one row per (device, location) names the node and the epoch
// that hold it. A node claims a row that is free, already its own, or held
// by a node that is not live with that epoch, so two live nodes never hold
// the same row, and a node that lost its lease finds its rows gone or its
// epoch refused. The lease is the node's, not each device's: one heartbeat
// row renews every device it holds (one row updated a second per node,
// instead of one per device).
//
// Status: a holder's writes carry its name and epoch and are applied only to
// rows it still holds (fencing). Each write takes the next numbers of a
// one-row counter locked until commit, so `seq` grows in commit order and a
// reader that asks for seq > n misses nothing.
//
// Blocking libpq calls on a pool of their own (pg_store.hpp says why);
// thread-safe; every call throws StoreError when the database cannot be reached.
#include "store/nodes.hpp"
#include "store/pg.hpp"
#include "store/pg_listener.hpp"
#include "store/store.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gatewatch::store {

// The newest outcome of a device's rounds at one location, as its prober
// wrote it; location "*" is the device's own status (probed by any one node,
// or combined from its locations' views by the node that decides it).
struct RelayedStatus {
    std::int64_t device_id = 0;
    std::string location;
    std::string node;
    std::string owner_location;  // written: the ownership row (device, owner_location) that entitles the write
    std::string node_location;   // read back: where the writer probes from (empty once it is no longer listed)
    std::string ip;      // the address it was probed at
    std::string status;  // connected | disconnected | unknown
    std::optional<double> rtt_ms;
    std::optional<double> loss;
    std::optional<std::int64_t> since_ms;
    std::int64_t at_ms = 0;
    std::optional<std::int64_t> unreachable_via;
    std::int64_t seq = 0;  // set when read back
};

class PgCluster {
public:
    PgCluster(std::string url, std::chrono::milliseconds liveness);

    // Renews this node's heartbeat (and its device count) while `epoch` is
    // still its live lease; otherwise (or with no epoch) joins with a new
    // epoch. Returns the epoch now held, or none while another live node
    // holds the name (two nodes given one `node_name`, or this one restarted
    // within `liveness` of a crash: then its old row lapses first).
    std::optional<std::int64_t> heartbeat(const NodeIdentity& node, std::optional<std::int64_t> epoch,
                                          std::int64_t devices);
    // The count GET /nodes/ shows, written when it changes between heartbeats.
    void report_devices(const std::string& node, std::int64_t epoch, std::int64_t devices);
    // The nodes live now, in name order.
    std::vector<LiveNode> live_nodes();
    // Claims each of `device_ids` at `location` for (node, epoch); returns
    // the ones it now holds (the others are held by a live node, or gone).
    std::vector<std::int64_t> claim(const std::string& node, std::int64_t epoch, const std::string& location,
                                    const std::vector<std::int64_t>& device_ids);
    // Lets go of `device_ids` (another node's next claim takes them at once).
    void release(const std::string& node, const std::string& location, const std::vector<std::int64_t>& device_ids);
    // A graceful stop: the node is no longer live and holds nothing.
    void leave(const std::string& node, std::int64_t epoch);

    // Writes each status whose (device, owner_location) row (node, epoch)
    // holds; the others are skipped. Returns how many were written.
    std::size_t publish(const std::string& node, std::int64_t epoch, const std::vector<RelayedStatus>& statuses);
    // NOTIFY gw_status, after statuses were written (its own transaction,
    // never the writers': notifying commits queue on one lock cluster-wide).
    // Throws StoreError where the database has no NOTIFY.
    void notify_statuses();
    // NOTIFY gw_nodes, after a node left: the others rebalance at once
    // instead of at their next heartbeat. Throws where there is no NOTIFY.
    void notify_nodes();
    // A session of its own that LISTENs on gw_status, gw_config and gw_nodes.
    std::unique_ptr<PgListener> listen();
    // Statuses written after `seq`, oldest first, at most `limit`.
    std::vector<RelayedStatus> statuses_after(std::int64_t seq, std::size_t limit);

    // Every node seen within a day, live or not, in name order.
    std::vector<NodeRow> nodes();

private:
    std::string url_;
    std::int64_t liveness_ms_;
    sql::ConnectionPool pool_;
};

}  // namespace gatewatch::store
