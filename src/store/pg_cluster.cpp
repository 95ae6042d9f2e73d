// Membership, ownership and relayed statuses on PostgreSQL (pg_cluster.hpp).
#include "store/pg_cluster.hpp"

#include <charconv>
#include <cstdlib>

namespace gatewatch::store {
using sql::Statement;

namespace {

// The database's clock, in ms since the epoch: every node reads the same one.
#define GW_DB_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

// {1,2,3}: a bigint[] parameter, one round trip for any number of ids.
std::string id_array(const std::vector<std::int64_t>& ids) {
    std::string out = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i != 0) out += ',';
        out += std::to_string(ids[i]);
    }
    out += '}';
    return out;
}

std::optional<std::string> number_text(const std::optional<double>& value) {
    if (!value) return std::nullopt;
    char buffer[32];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, *value).ptr;
    return std::string(buffer, end);
}

std::optional<double> optional_double(const Statement& s, int column) {
    if (s.is_null(column)) return std::nullopt;
    return std::strtod(s.text(column).c_str(), nullptr);
}

}  // namespace

PgCluster::PgCluster(std::string url, std::chrono::milliseconds liveness)
    : url_(std::move(url)), liveness_ms_(liveness.count()), pool_(pg::pool(url_)) {}

std::unique_ptr<PgListener> PgCluster::listen() {
    return std::make_unique<PgListener>(url_, std::vector<std::string>{"gw_status", "gw_config", "gw_nodes"});
}

std::optional<std::int64_t> PgCluster::heartbeat(const NodeIdentity& node, std::optional<std::int64_t> epoch,
                                                 std::int64_t devices) {
    auto lease = pool_.lease();
    if (epoch) {
        auto s = lease->prepare("UPDATE nodes SET heartbeat_ms = " GW_DB_MS ", devices = ?"
                                " WHERE name = ? AND epoch = ? AND stopped = 0 AND heartbeat_ms > " GW_DB_MS " - ?");
        s.bind(1, devices).bind(2, node.name).bind(3, *epoch).bind(4, liveness_ms_);
        s.step();
        if (lease->changes() == 1) return *epoch;
    }
    auto s = lease->prepare(
        "INSERT INTO nodes (name, location, epoch, started_ms, heartbeat_ms, stopped, devices, probe_method, version)"
        " VALUES (?, ?, nextval('node_epochs'), ?, " GW_DB_MS ", 0, 0, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET location = excluded.location, epoch = excluded.epoch,"
        " started_ms = excluded.started_ms, heartbeat_ms = excluded.heartbeat_ms, stopped = 0, devices = 0,"
        " probe_method = excluded.probe_method, version = excluded.version"
        // Never over a live node's row: the two would take the lease from each other every second.
        " WHERE nodes.stopped = 1 OR nodes.heartbeat_ms <= " GW_DB_MS " - ?"
        " RETURNING epoch");
    s.bind(1, node.name).bind(2, node.location).bind(3, node.started_ms).bind(4, node.probe_method).bind(5, node.version);
    s.bind(6, liveness_ms_);
    if (!s.step()) return std::nullopt;
    return s.int64(0);
}

void PgCluster::report_devices(const std::string& node, std::int64_t epoch, std::int64_t devices) {
    auto lease = pool_.lease();
    lease->prepare("UPDATE nodes SET devices = ? WHERE name = ? AND epoch = ?").bind(1, devices).bind(2, node).bind(3, epoch).step();
}

std::vector<LiveNode> PgCluster::live_nodes() {
    auto lease = pool_.lease();
    auto s = lease->prepare("SELECT name, location FROM nodes WHERE stopped = 0 AND heartbeat_ms > " GW_DB_MS
                            " - ? ORDER BY name");
    s.bind(1, liveness_ms_);
    std::vector<LiveNode> out;
    while (s.step()) out.push_back({s.text(0), s.text(1)});
    return out;
}

std::vector<std::int64_t> PgCluster::claim(const std::string& node, std::int64_t epoch, const std::string& location,
                                           const std::vector<std::int64_t>& device_ids) {
    std::vector<std::int64_t> held;
    if (device_ids.empty()) return held;
    auto lease = pool_.lease();
    // A row is taken when it is free, its holder is this node (an older
    // epoch of it), or its holder is not live with the epoch it claimed
    // with. ON CONFLICT locks the row: of two claimers, the second sees the
    // first's claim and skips. A device deleted meanwhile is not inserted.
    auto s = lease->prepare(
        "INSERT INTO device_owners AS o (device_id, location, node, epoch)"
        " SELECT d.id, ?::text, ?::text, ?::bigint FROM devices d WHERE d.id = ANY (?::bigint[])"
        " ON CONFLICT (device_id, location) DO UPDATE SET node = excluded.node, epoch = excluded.epoch,"
        " token = o.token + 1"
        " WHERE o.node IS NULL OR o.node = excluded.node OR NOT EXISTS (SELECT 1 FROM nodes n"
        "   WHERE n.name = o.node AND n.epoch = o.epoch AND n.stopped = 0 AND n.heartbeat_ms > " GW_DB_MS " - ?)"
        " RETURNING device_id");
    s.bind(1, location).bind(2, node).bind(3, epoch).bind(4, id_array(device_ids)).bind(5, liveness_ms_);
    while (s.step()) held.push_back(s.int64(0));
    return held;
}

void PgCluster::release(const std::string& node, const std::string& location,
                        const std::vector<std::int64_t>& device_ids) {
    if (device_ids.empty()) return;
    auto lease = pool_.lease();
    auto s = lease->prepare("UPDATE device_owners SET node = NULL, epoch = NULL"
                            " WHERE node = ? AND location = ? AND device_id = ANY (?::bigint[])");
    s.bind(1, node).bind(2, location).bind(3, id_array(device_ids));
    s.step();
}

void PgCluster::leave(const std::string& node, std::int64_t epoch) {
    auto lease = pool_.lease();
    sql::Transaction tx(*lease, sql::Connection::Mode::write);
    lease->prepare("UPDATE nodes SET stopped = 1, devices = 0 WHERE name = ? AND epoch = ?")
        .bind(1, node)
        .bind(2, epoch)
        .step();
    lease->prepare("UPDATE device_owners SET node = NULL, epoch = NULL WHERE node = ?").bind(1, node).step();
    tx.commit();
}

std::size_t PgCluster::publish(const std::string& node, std::int64_t epoch,
                               const std::vector<RelayedStatus>& statuses) {
    if (statuses.empty()) return 0;
    auto lease = pool_.lease();
    sql::Transaction tx(*lease, sql::Connection::Mode::write);
    std::int64_t first = 0;
    {
        // The counter's row stays locked until commit: writers of every node
        // take their numbers, and commit, one after another.
        auto s = lease->prepare("UPDATE status_seq SET seq = seq + ? WHERE id = 1 RETURNING seq");
        s.bind(1, static_cast<std::int64_t>(statuses.size()));
        if (!s.step()) throw StoreError("postgresql: status_seq is missing");
        first = s.int64(0) - static_cast<std::int64_t>(statuses.size()) + 1;
    }
    std::size_t written = 0;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        const auto& r = statuses[i];
        auto s = lease->prepare(
            "INSERT INTO device_status AS d (device_id, location, node, ip, status, rtt_ms, loss, since_ms, at_ms,"
            " unreachable_via, seq)"
            " SELECT o.device_id, ?::text, o.node, ?::text, ?::text, ?::double precision, ?::double precision, ?::bigint,"
            " ?::bigint, ?::bigint, ?::bigint"
            " FROM device_owners o WHERE o.device_id = ? AND o.location = ? AND o.node = ? AND o.epoch = ?"
            " ON CONFLICT (device_id, location) DO UPDATE SET node = excluded.node, ip = excluded.ip,"
            " status = excluded.status,"
            " rtt_ms = excluded.rtt_ms, loss = excluded.loss, since_ms = excluded.since_ms, at_ms = excluded.at_ms,"
            " unreachable_via = excluded.unreachable_via, seq = excluded.seq");
        s.bind(1, r.location)
            .bind(2, r.ip)
            .bind(3, r.status)
            .bind(4, number_text(r.rtt_ms))
            .bind(5, number_text(r.loss))
            .bind(6, r.since_ms)
            .bind(7, r.at_ms)
            .bind(8, r.unreachable_via)
            .bind(9, first + static_cast<std::int64_t>(i))
            .bind(10, r.device_id)
            .bind(11, r.owner_location)
            .bind(12, node)
            .bind(13, epoch);
        s.step();
        written += static_cast<std::size_t>(lease->changes());
    }
    tx.commit();
    return written;
}

void PgCluster::notify_statuses() {
    auto lease = pool_.lease();
    lease->exec("NOTIFY gw_status");
}

void PgCluster::notify_nodes() {
    auto lease = pool_.lease();
    lease->exec("NOTIFY gw_nodes");
}

std::vector<RelayedStatus> PgCluster::statuses_after(std::int64_t seq, std::size_t limit) {
    auto lease = pool_.lease();
    auto s = lease->prepare(
        "SELECT s.device_id, s.location, s.node, s.ip, s.status, s.rtt_ms, s.loss, s.since_ms, s.at_ms,"
        " s.unreachable_via, s.seq, coalesce(n.location, '')"
        " FROM device_status s LEFT JOIN nodes n ON n.name = s.node WHERE s.seq > ? ORDER BY s.seq LIMIT ?");
    s.bind(1, seq).bind(2, static_cast<std::int64_t>(limit));
    std::vector<RelayedStatus> out;
    while (s.step()) {
        RelayedStatus r;
        r.device_id = s.int64(0);
        r.location = s.text(1);
        r.node = s.text(2);
        r.ip = s.text(3);
        r.status = s.text(4);
        r.rtt_ms = optional_double(s, 5);
        r.loss = optional_double(s, 6);
        r.since_ms = s.optional_int64(7);
        r.at_ms = s.int64(8);
        r.unreachable_via = s.optional_int64(9);
        r.seq = s.int64(10);
        r.node_location = s.text(11);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<NodeRow> PgCluster::nodes() {
    auto lease = pool_.lease();
    auto s = lease->prepare(
        "SELECT name, location, started_ms, heartbeat_ms, stopped = 0 AND heartbeat_ms > " GW_DB_MS " - ?,"
        " devices, probe_method, version FROM nodes WHERE heartbeat_ms > " GW_DB_MS " - 86400000 ORDER BY name");
    s.bind(1, liveness_ms_);
    std::vector<NodeRow> out;
    while (s.step()) {
        NodeRow n;
        n.name = s.text(0);
        n.location = s.text(1);
        n.started_ms = s.int64(2);
        n.last_seen_ms = s.int64(3);
        n.live = s.int64(4) != 0;
        n.devices = n.live ? s.int64(5) : 0;
        n.probe_method = s.text(6);
        n.version = s.text(7);
        out.push_back(std::move(n));
    }
    return out;
}

#undef GW_DB_MS

}  // namespace gatewatch::store
