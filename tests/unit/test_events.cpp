// The event bus, the status hub's deltas and membership by events, and the
// service layer's rules and events.
#include "events/event_bus.hpp"
#include "api/status_hub.hpp"
#include "service/accounts.hpp"
#include "service/devices.hpp"
#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace gatewatch;
namespace json = boost::json;

namespace {
store::Device device(std::int64_t id, std::string ip, bool monitored = true) {
    store::Device d;
    d.id = id;
    d.name = "d" + std::to_string(id);
    d.ip = std::move(ip);
    d.monitored = monitored;
    return d;
}

std::vector<std::string> kinds(const std::vector<events::Event>& seen) {
    std::vector<std::string> out;
    for (const auto& e : seen) {
        if (std::holds_alternative<events::DeviceAdded>(e)) out.push_back("added");
        if (std::holds_alternative<events::DeviceUpdated>(e)) out.push_back("updated");
        if (std::holds_alternative<events::DeviceRemoved>(e)) out.push_back("removed");
        if (std::holds_alternative<events::RoomChanged>(e)) out.push_back("room");
        if (std::holds_alternative<events::AccountChanged>(e)) out.push_back("account");
        if (std::holds_alternative<events::Reload>(e)) out.push_back("reload");
    }
    return out;
}
}  // namespace

TEST(EventBus, InlineSubscribersSeeEachEventBeforePublishReturns) {
    events::EventBus bus;
    std::vector<events::Event> seen;
    auto sub = bus.subscribe_inline([&](const events::Event& e) { seen.push_back(e); });
    bus.publish(events::RoomChanged{1});
    EXPECT_EQ(kinds(seen), (std::vector<std::string>{"room"}));
    sub = events::Subscription();  // unsubscribed
    bus.publish(events::RoomChanged{2});
    EXPECT_EQ(seen.size(), 1u);
}

TEST(EventBus, QueuedSubscribersGetEventsInOrderOnTheirExecutor) {
    events::EventBus bus;
    boost::asio::io_context ioc;
    std::vector<events::Event> seen;
    auto sub = bus.subscribe(ioc.get_executor(), 10, [&](const events::Event& e) { seen.push_back(e); });
    bus.publish(events::RoomChanged{1});
    bus.publish(events::AccountChanged{"alice"});
    EXPECT_TRUE(seen.empty()) << "nothing runs on the publisher's thread";
    ioc.run();
    EXPECT_EQ(kinds(seen), (std::vector<std::string>{"room", "account"}));
}

TEST(EventBus, ASubscriberThatFallsBehindGetsOneReloadInsteadOfABacklog) {
    events::EventBus bus;
    boost::asio::io_context ioc;
    std::vector<events::Event> seen;
    auto sub = bus.subscribe(ioc.get_executor(), 3, [&](const events::Event& e) { seen.push_back(e); });
    for (int i = 0; i < 10; ++i) bus.publish(events::RoomChanged{i});  // the executor is not running: it falls behind
    bus.publish(events::AccountChanged{"after"});
    ioc.run();
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(kinds(seen).front(), "reload");
    EXPECT_LE(seen.size(), 4u);
    EXPECT_EQ(kinds(seen).back(), "account") << "what came after the overflow is still delivered";
}

TEST(EventBus, NothingIsDeliveredAfterUnsubscribing) {
    events::EventBus bus;
    boost::asio::io_context ioc;
    int seen = 0;
    auto sub = bus.subscribe(ioc.get_executor(), 10, [&](const events::Event&) { ++seen; });
    bus.publish(events::RoomChanged{1});
    sub = events::Subscription();
    ioc.run();
    EXPECT_EQ(seen, 0);
}

TEST(Services, WritesArePublishedAfterTheyCommitAndTheFirstAccountIsAdmin) {
    TempDir dir;
    store::SqliteStore store(dir.path / "db");
    events::EventBus bus;
    std::vector<events::Event> seen;
    auto sub = bus.subscribe_inline([&](const events::Event& e) {
        // Published after the commit: the write is already readable.
        if (const auto* added = std::get_if<events::DeviceAdded>(&e)) {
            EXPECT_TRUE(store.find_device(added->device.id));
        }
        seen.push_back(e);
    });
    service::Accounts accounts(store, bus);
    EXPECT_EQ(accounts.create("alice", "h", std::nullopt).role, store::Role::admin);
    EXPECT_EQ(accounts.create("bob", "h", std::nullopt).role, store::Role::viewer);
    EXPECT_EQ(accounts.create("carol", "h", store::Role::admin).role, store::Role::admin);
    service::Devices devices(store, bus);
    const auto d = devices.create(device(0, "127.0.0.5"));
    service::DevicePatch patch;
    patch.name = "renamed";
    EXPECT_EQ(devices.update(d.id, patch)->name, "renamed");
    EXPECT_EQ(devices.update(d.id, patch)->ip, "127.0.0.5") << "what the patch does not name stays";
    EXPECT_FALSE(devices.update(d.id + 100, patch));
    EXPECT_THROW(devices.create(device(0, "127.0.0.5")), store::UniqueViolation);
    EXPECT_TRUE(devices.remove(d.id));
    EXPECT_FALSE(devices.remove(d.id));
    EXPECT_EQ(kinds(seen), (std::vector<std::string>{"account", "account", "account", "added", "updated", "updated",
                                                      "removed"}))
        << "failed writes publish nothing";
}

TEST(StatusHub, DeviceEventsChangeMembershipAtOnce) {
    api::StatusHub hub;
    int changes = 0;
    hub.on_change([&] { ++changes; });
    hub.apply(events::DeviceAdded{device(1, "127.0.0.1")});
    hub.apply(events::DeviceAdded{device(2, "127.0.0.2", false)});  // not monitored: not listed
    EXPECT_EQ(json::parse(*hub.status_json()), json::parse(R"({"127.0.0.1":"unknown"})"));
    hub.apply(events::DeviceUpdated{device(2, "127.0.0.2")});
    hub.apply(events::DeviceUpdated{device(1, "127.0.0.9")});  // re-addressed: unknown again under its new ip
    EXPECT_EQ(json::parse(*hub.status_json()), json::parse(R"({"127.0.0.9":"unknown","127.0.0.2":"unknown"})"));
    hub.apply(events::DeviceUpdated{device(1, "127.0.0.9", false)});
    hub.apply(events::DeviceRemoved{device(2, "127.0.0.2")});
    EXPECT_EQ(json::parse(*hub.status_json()), json::parse("{}"));
    EXPECT_EQ(changes, 5);
    hub.apply(events::DeviceUpdated{device(1, "127.0.0.9", false)});  // nothing to do
    EXPECT_EQ(changes, 5);
}

TEST(StatusHub, EachLocationsViewIsShownBesideTheDevicesOwnStatus) {
    api::StatusHub hub;
    hub.set_node("a", "east", true);  // several nodes
    auto listed = device(1, "127.0.0.1");
    listed.locations = std::vector<std::string>{"east", "west"};
    hub.apply(events::DeviceAdded{listed});
    hub.apply(events::DeviceAdded{device(2, "127.0.0.2")});
    const auto views = [&](std::int64_t id) { return api::to_json(*hub.device(id)).at("locations"); };
    const auto at = std::chrono::system_clock::now();
    const auto round = [&](std::int64_t id, const char* ip, monitor::Status status) {
        return events::RoundFinished{id, ip, status == monitor::Status::connected, status, 1.5, 0.0, at, at,
                                     std::nullopt};
    };
    // A listed device starts with each location unknown, probed by no node yet.
    EXPECT_EQ(views(1), json::parse(R"({"east":{"status":"unknown","rtt_ms":null,"loss":null,"node":null},
                                        "west":{"status":"unknown","rtt_ms":null,"loss":null,"node":null}})"));
    hub.apply(events::LocationRound{round(1, "127.0.0.1", monitor::Status::disconnected), "west", "b"});
    hub.apply(events::LocationRound{round(1, "127.0.0.1", monitor::Status::connected), "north", "c"});  // not listed
    // The device's own status comes from its decider's round and leaves the views alone.
    hub.apply(round(1, "127.0.0.1", monitor::Status::connected));
    EXPECT_EQ(hub.device(1)->status, monitor::Status::connected);
    EXPECT_EQ(views(1), json::parse(R"({"east":{"status":"unknown","rtt_ms":null,"loss":null,"node":null},
                                        "west":{"status":"disconnected","rtt_ms":1.5,"loss":0,"node":"b"}})"));
    // A device any node may probe shows the one node that probed its last round.
    hub.apply(round(2, "127.0.0.2", monitor::Status::connected));
    EXPECT_EQ(views(2), json::parse(R"({"east":{"status":"connected","rtt_ms":1.5,"loss":0,"node":"a"}})"));
    hub.apply(events::RoundRelayed{round(2, "127.0.0.2", monitor::Status::disconnected), "c", "north"});
    EXPECT_EQ(views(2), json::parse(R"({"north":{"status":"disconnected","rtt_ms":1.5,"loss":0,"node":"c"}})"));
    // Its list edited away: it is shown as any other device.
    hub.apply(events::DeviceUpdated{device(1, "127.0.0.1")});
    hub.apply(round(1, "127.0.0.1", monitor::Status::connected));
    EXPECT_EQ(views(1), json::parse(R"({"east":{"status":"connected","rtt_ms":1.5,"loss":0,"node":"a"}})"));
    // The socket's detail leaves the views out.
    EXPECT_FALSE(json::parse(*hub.detail_json()).at("127.0.0.1").as_object().contains("locations"));
}

TEST(StatusHub, DeltasCarryOnlyWhatChanged) {
    api::StatusHub hub;
    hub.apply(events::DeviceAdded{device(1, "127.0.0.1")});
    hub.apply(events::DeviceAdded{device(2, "127.0.0.2")});
    const auto snapshot = hub.delta_since(0);
    const auto first = json::parse(*snapshot.body);
    ASSERT_TRUE(first.as_object().contains("snapshot"));
    EXPECT_EQ(first.at("snapshot").as_object().size(), 2u);
    EXPECT_EQ(first.at("snapshot").at("127.0.0.1").at("status"), "unknown");

    EXPECT_EQ(*hub.delta_since(snapshot.upto).body, "{}") << "nothing changed";
    const auto at = events::WallClock::now();
    auto round = [&](std::int64_t id, std::string ip, monitor::Status status, std::optional<double> rtt) {
        hub.apply(events::RoundFinished{id, std::move(ip), status == monitor::Status::connected, status, rtt, 0.0, at, at,
                                        std::nullopt});
    };
    round(1, "127.0.0.1", monitor::Status::connected, 0.25);
    auto delta = hub.delta_since(snapshot.upto);
    auto message = json::parse(*delta.body);
    EXPECT_EQ(message.at("changed").as_object().size(), 1u);
    EXPECT_EQ(message.at("changed").at("127.0.0.1").at("status"), "connected");
    EXPECT_FALSE(message.as_object().contains("removed"));

    round(1, "127.0.0.1", monitor::Status::connected, 0.25);  // the same values again: last_probe alone
    EXPECT_EQ(*hub.delta_since(delta.upto).body, "{}");
    round(1, "127.0.0.1", monitor::Status::connected, 0.5);  // RTT moved
    hub.apply(events::DeviceRemoved{device(2, "127.0.0.2")});
    const auto later = hub.delta_since(delta.upto);
    message = json::parse(*later.body);
    EXPECT_EQ(message.at("changed").at("127.0.0.1").at("rtt_ms").to_number<double>(), 0.5);
    EXPECT_EQ(message.at("removed"), json::parse(R"(["127.0.0.2"])"));
    EXPECT_EQ(hub.delta_since(delta.upto).body, later.body) << "clients at the same point share one rendering";
    EXPECT_GT(later.upto, delta.upto);
}
