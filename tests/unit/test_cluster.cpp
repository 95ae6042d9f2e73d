// Several nodes: which node wins a device (rendezvous), and the shared
// state on PostgreSQL (membership, exclusive claims, fencing, relayed statuses).
#include "cluster/decisions.hpp"
#include "cluster/quorum.hpp"
#include "cluster/rendezvous.hpp"
#include "store/pg_cluster.hpp"
#include "store/pg_store.hpp"
#include "test_database.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

using namespace gatewatch;
using namespace std::chrono_literals;

namespace {

std::map<std::uint64_t, std::string> owners(std::uint64_t keys, const std::vector<std::string>& nodes) {
    std::map<std::uint64_t, std::string> out;
    for (std::uint64_t k = 1; k <= keys; ++k) out[k] = nodes[*cluster::rendezvous_owner(k, nodes)];
    return out;
}

}  // namespace

TEST(Rendezvous, SpreadsKeysEvenlyOverTheNodes) {
    const std::vector<std::string> nodes{"monitor-1", "monitor-2", "monitor-3"};
    std::map<std::string, int> count;
    for (const auto& [key, node] : owners(30'000, nodes)) ++count[node];
    for (const auto& name : nodes) {
        EXPECT_GT(count[name], 9'000) << name;
        EXPECT_LT(count[name], 11'000) << name;
    }
    EXPECT_FALSE(cluster::rendezvous_owner(1, std::vector<std::string>{}));
}

TEST(Rendezvous, ANodeLeavingMovesOnlyItsKeysAndJoiningTakesOnlyNewOnes) {
    const auto three = owners(10'000, {"a", "b", "c"});
    const auto two = owners(10'000, {"a", "c"});
    int moved = 0;
    for (const auto& [key, node] : three) {
        if (node == "b") {
            ++moved;
            EXPECT_NE(two.at(key), "b");
        } else {
            EXPECT_EQ(two.at(key), node) << "key " << key << " moved though its node stayed";
        }
    }
    EXPECT_GT(moved, 2'500);
    // The order in which nodes are listed does not matter: every node computes alike.
    EXPECT_EQ(owners(10'000, {"c", "b", "a"}), three);
}

TEST(Rendezvous, ADeviceGoesWhereTheRootOfItsDependencyTreeGoes) {
    const std::unordered_map<std::int64_t, std::int64_t> parent_of{{3, 2}, {2, 1}, {5, 4}};
    EXPECT_EQ(cluster::dependency_root(3, parent_of), 1);
    EXPECT_EQ(cluster::dependency_root(2, parent_of), 1);
    EXPECT_EQ(cluster::dependency_root(1, parent_of), 1);
    EXPECT_EQ(cluster::dependency_root(5, parent_of), 4);
    EXPECT_EQ(cluster::dependency_root(9, parent_of), 9);
    // A circle (the store refuses one) still ends.
    const std::unordered_map<std::int64_t, std::int64_t> circle{{1, 2}, {2, 1}};
    EXPECT_NO_FATAL_FAILURE((void)cluster::dependency_root(1, circle));
}

TEST(Quorum, DownOnlyWhenEnoughLocationsAgree) {
    using monitor::Status;
    const auto combined = [](std::vector<Status> views, int quorum) { return cluster::combine(views, quorum); };
    EXPECT_EQ(combined({Status::disconnected, Status::connected}, 2), Status::connected);
    EXPECT_EQ(combined({Status::disconnected, Status::disconnected}, 2), Status::disconnected);
    EXPECT_EQ(combined({Status::disconnected, Status::connected}, 1), Status::disconnected);
    // Not enough views to decide, and none up: unknown, not up.
    EXPECT_EQ(combined({Status::disconnected, Status::unknown, Status::unknown}, 2), Status::unknown);
    EXPECT_EQ(combined({Status::disconnected, Status::unknown, Status::connected}, 2), Status::connected);
    EXPECT_EQ(combined({}, 1), Status::unknown);
}

TEST(Quorum, TheFirstListedLocationWithALiveNodeDecides) {
    const std::vector<std::string> listed{"east", "west", "north"};
    EXPECT_EQ(cluster::deciding_location(listed, {"west", "east"}), "east");
    EXPECT_EQ(cluster::deciding_location(listed, {"north", "west", "default"}), "west");
    EXPECT_EQ(cluster::deciding_location(listed, {"default"}), std::nullopt);
}

TEST(QuorumDecisions, TheDeciderTellsAChangeOnceAndEveryOwnRound) {
    using monitor::Status;
    cluster::Decisions d;
    const std::string ip = "127.0.0.1";
    const std::vector<std::string> listed{"east", "west"};
    const cluster::Decisions::Device device{ip, listed, 2};
    const std::set<std::string, std::less<>> live{"east", "west"};
    const auto now = std::chrono::system_clock::now();
    events::RoundFinished own;
    own.device_id = 1;
    own.at = now;
    // Its own view first: up here, west unknown -> connected, told once.
    d.see(1, "east", {Status::connected, 1.5, 0.0, std::nullopt});
    auto out = d.decide(1, device, "east", live, &own, now);
    ASSERT_TRUE(out.change);
    EXPECT_EQ(out.change->from, Status::unknown);
    EXPECT_EQ(out.change->to, Status::connected);
    ASSERT_TRUE(out.round);
    EXPECT_EQ(out.round->rtt_ms, 1.5);
    // West says down: one of two with quorum 2 changes nothing, and says nothing.
    d.see(1, "west", {Status::disconnected, std::nullopt, 1.0, std::nullopt});
    out = d.decide(1, device, "east", live, nullptr, now);
    EXPECT_FALSE(out.change);
    EXPECT_FALSE(out.round);
    // An own round is answered without a change (the history goes on).
    out = d.decide(1, device, "east", live, &own, now);
    EXPECT_FALSE(out.change);
    EXPECT_TRUE(out.round);
    // East agrees: down, with the "unreachable via" of this node's own view.
    d.see(1, "east", {Status::disconnected, std::nullopt, 1.0, 7});
    out = d.decide(1, device, "east", live, nullptr, now);
    ASSERT_TRUE(out.change);
    EXPECT_EQ(out.change->to, Status::disconnected);
    EXPECT_EQ(out.change->unreachable_via, 7);
    // West has no live node any more: it sees nothing, so the device is unknown.
    out = d.decide(1, device, "east", {"east"}, nullptr, now);
    ASSERT_TRUE(out.change);
    EXPECT_EQ(out.change->to, Status::unknown);
}

TEST(QuorumDecisions, ANewDeciderStartsFromWhatTheLastOneWrote) {
    using monitor::Status;
    cluster::Decisions d;
    const std::string ip = "127.0.0.1";
    const std::vector<std::string> listed{"east", "west"};
    const auto now = std::chrono::system_clock::now();
    d.seed(1, Status::disconnected, now, false);  // the last decider's "*" row
    d.seed(1, Status::connected, now, true);      // a decider here keeps its own
    d.see(1, "west", {Status::disconnected, std::nullopt, 1.0, std::nullopt});
    d.see(1, "east", {Status::disconnected, std::nullopt, 1.0, std::nullopt});
    // Still down: no change to tell (a down already sent is not sent again).
    const auto out = d.decide(1, {ip, listed, 1}, "west", {"east", "west"}, nullptr, now);
    EXPECT_FALSE(out.change);
    // A location no longer listed loses its say.
    d.keep_listed(1, std::vector<std::string>{"west"});
    EXPECT_FALSE(d.sees(1, "east"));
    EXPECT_TRUE(d.sees(1, "west"));
}

class PgClusterTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (db.url.empty()) GTEST_SKIP() << "no PostgreSQL (GATEWATCH_TEST_POSTGRES)";
        store = std::make_unique<store::PgStore>(db.url);  // the tables
        for (int i = 1; i <= 4; ++i) {
            store::Device d;
            d.name = d.ip = "127.0.0." + std::to_string(i);
            ids.push_back(store->create_device(d).id);
        }
    }

    store::NodeIdentity node(const std::string& name) { return {name, "default", 1, "datagram", "test"}; }

    TestDatabase db;
    std::unique_ptr<store::PgStore> store;
    std::vector<std::int64_t> ids;
};

TEST_F(PgClusterTest, NodesJoinRenewAndLeave) {
    store::PgCluster cluster(db.url, 10s);
    const auto a = *cluster.heartbeat(node("a"), std::nullopt, 0);
    const auto b = *cluster.heartbeat(node("b"), std::nullopt, 0);
    EXPECT_NE(a, b);
    EXPECT_EQ(cluster.heartbeat(node("a"), a, 3), a);  // renewed: the same epoch
    EXPECT_EQ(cluster.live_nodes(), (std::vector<store::LiveNode>{{"a", "default"}, {"b", "default"}}));
    cluster.leave("b", b);
    EXPECT_EQ(cluster.live_nodes(), (std::vector<store::LiveNode>{{"a", "default"}}));
    const auto listed = cluster.nodes();
    ASSERT_EQ(listed.size(), 2u);  // a stopped node stays listed
    EXPECT_TRUE(listed[0].live);
    EXPECT_EQ(listed[0].devices, 3);
    EXPECT_FALSE(listed[1].live);
    // A stopped node that starts again joins with a new epoch.
    EXPECT_NE(cluster.heartbeat(node("b"), b, 0), b);
}

// Two processes given one node_name: the second does not take the first's
// lease (they would take it from each other every second) until the first
// stops or falls silent.
TEST_F(PgClusterTest, ANameHeldByALiveNodeIsNotTakenOver) {
    store::PgCluster cluster(db.url, 500ms);
    const auto a = cluster.heartbeat(node("a"), std::nullopt, 0);
    ASSERT_TRUE(a);
    EXPECT_FALSE(cluster.heartbeat(node("a"), std::nullopt, 0));
    EXPECT_EQ(cluster.heartbeat(node("a"), a, 0), a);  // the first renews as before
    std::this_thread::sleep_for(900ms);               // and falls silent
    const auto again = cluster.heartbeat(node("a"), std::nullopt, 0);
    ASSERT_TRUE(again);
    EXPECT_NE(again, a);
    cluster.leave("a", *again);
    EXPECT_TRUE(cluster.heartbeat(node("a"), std::nullopt, 0));  // a stopped node's name is free at once
}

TEST_F(PgClusterTest, AClaimIsExclusiveWhileItsHolderIsLive) {
    store::PgCluster cluster(db.url, 10s);
    const auto a = *cluster.heartbeat(node("a"), std::nullopt, 0);
    const auto b = *cluster.heartbeat(node("b"), std::nullopt, 0);
    EXPECT_EQ(cluster.claim("a", a, "*", {ids[0], ids[1]}).size(), 2u);
    EXPECT_EQ(cluster.claim("b", b, "*", {ids[0], ids[1], ids[2]}), (std::vector<std::int64_t>{ids[2]}));
    cluster.release("a", "*", {ids[1]});
    EXPECT_EQ(cluster.claim("b", b, "*", {ids[0], ids[1]}), (std::vector<std::int64_t>{ids[1]}));
    // A device that is gone is not claimed.
    EXPECT_TRUE(cluster.claim("a", a, "*", {999'999}).empty());
    // Leaving frees everything at once.
    cluster.leave("b", b);
    EXPECT_EQ(cluster.claim("a", a, "*", {ids[1], ids[2]}).size(), 2u);
}

TEST_F(PgClusterTest, ANodeWhoseLeaseLapsedLosesItsDevicesAndCannotWrite) {
    store::PgCluster cluster(db.url, 500ms);
    const auto a = *cluster.heartbeat(node("a"), std::nullopt, 0);
    ASSERT_EQ(cluster.claim("a", a, "*", {ids[0]}).size(), 1u);
    std::this_thread::sleep_for(900ms);  // a is silent past its liveness
    const auto b = *cluster.heartbeat(node("b"), std::nullopt, 0);
    EXPECT_EQ(cluster.live_nodes(), (std::vector<store::LiveNode>{{"b", "default"}}));
    EXPECT_EQ(cluster.claim("b", b, "*", {ids[0]}).size(), 1u);
    // a's late write of the device is refused (fenced), b's lands.
    store::RelayedStatus row{ids[0], "*", "", "*", "", "127.0.0.1", "connected", 1.5, 0.0, 1000, 2000, std::nullopt, 0};
    EXPECT_EQ(cluster.publish("a", a, {row}), 0u);
    EXPECT_EQ(cluster.publish("b", b, {row}), 1u);
    // a comes back: its lease is gone, so it joins again with a new epoch.
    EXPECT_NE(cluster.heartbeat(node("a"), a, 0), a);
}

TEST_F(PgClusterTest, StatusesAreReadBackInCommitOrderAfterASeq) {
    store::PgCluster cluster(db.url, 10s);
    const auto a = *cluster.heartbeat(node("a"), std::nullopt, 0);
    ASSERT_EQ(cluster.claim("a", a, "*", ids).size(), ids.size());
    store::RelayedStatus up{ids[0], "*", "", "*", "", "127.0.0.1", "connected", 0.25, 0.0, 1000, 2000, std::nullopt, 0};
    store::RelayedStatus down{ids[1], "*", "", "*", "", "127.0.0.2", "disconnected", std::nullopt, 1.0, 1500, 2500, ids[0], 0};
    EXPECT_EQ(cluster.publish("a", a, {up, down}), 2u);
    auto rows = cluster.statuses_after(0, 100);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_LT(rows[0].seq, rows[1].seq);
    const auto& d = rows[0].device_id == ids[1] ? rows[0] : rows[1];
    EXPECT_EQ(d.node, "a");
    EXPECT_EQ(d.node_location, "default");
    EXPECT_EQ(d.ip, "127.0.0.2");
    EXPECT_EQ(d.status, "disconnected");
    EXPECT_FALSE(d.rtt_ms);
    EXPECT_EQ(d.loss, 1.0);
    EXPECT_EQ(d.unreachable_via, ids[0]);
    // A newer status of the same device replaces its row and moves past the others.
    up.status = "disconnected";
    cluster.publish("a", a, {up});
    rows = cluster.statuses_after(rows[1].seq, 100);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].device_id, ids[0]);
    EXPECT_EQ(rows[0].status, "disconnected");
    EXPECT_EQ(rows[0].rtt_ms, 0.25);
}

TEST_F(PgClusterTest, EachLocationHasItsOwnHolderAndOnlyAHolderWritesTheDevicesOwnStatus) {
    store::PgCluster cluster(db.url, 10s);
    const auto a = *cluster.heartbeat({"a", "east", 1, "datagram", "test"}, std::nullopt, 0);
    const auto b = *cluster.heartbeat({"b", "west", 1, "datagram", "test"}, std::nullopt, 0);
    const auto c = *cluster.heartbeat({"c", "west", 1, "datagram", "test"}, std::nullopt, 0);
    EXPECT_EQ(cluster.live_nodes(),
              (std::vector<store::LiveNode>{{"a", "east"}, {"b", "west"}, {"c", "west"}}));
    // One holder per (device, location): east and west both hold the device.
    EXPECT_EQ(cluster.claim("a", a, "east", {ids[0]}).size(), 1u);
    EXPECT_EQ(cluster.claim("b", b, "west", {ids[0]}).size(), 1u);
    EXPECT_TRUE(cluster.claim("c", c, "west", {ids[0]}).empty());
    // Each writes its own location's view; the device's own status ("*") is
    // written by a holder of any of its locations, and by no one else.
    store::RelayedStatus east{ids[0], "east", "", "east", "", "127.0.0.1", "disconnected", std::nullopt, 1.0,
                              1000, 2000, std::nullopt, 0};
    store::RelayedStatus combined = east;
    combined.location = "*";
    store::RelayedStatus west = east;
    west.location = west.owner_location = "west";
    west.status = "connected";
    EXPECT_EQ(cluster.publish("a", a, {east, combined}), 2u);
    EXPECT_EQ(cluster.publish("b", b, {west}), 1u);
    EXPECT_EQ(cluster.publish("c", c, {west}), 0u);  // not its row
    EXPECT_EQ(cluster.publish("b", b, {east}), 0u);  // not its location
    const auto rows = cluster.statuses_after(0, 100);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].location, "east");
    EXPECT_EQ(rows[1].location, "*");
    EXPECT_EQ(rows[1].node_location, "east");
    EXPECT_EQ(rows[2].location, "west");
    EXPECT_EQ(rows[2].status, "connected");
}
