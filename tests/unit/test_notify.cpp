// Notifications: which status changes become notices (Decider), what a
// delivery sends (compose), and the outbox in the history store.
#include "notify/decider.hpp"
#include "notify/dispatcher.hpp"
#include "notify/message.hpp"
#include "temp_dir.hpp"
#include "test_history_store.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace gatewatch;
using monitor::Status;
using notify::Decider;
using notify::Notice;

namespace {

events::WallClock::time_point at(std::int64_t ms) { return events::WallClock::time_point(std::chrono::milliseconds(ms)); }

store::Device device(std::int64_t id, std::optional<std::int64_t> parent = std::nullopt,
                     std::optional<std::int64_t> room = std::nullopt) {
    store::Device d;
    d.id = id;
    d.name = "d" + std::to_string(id);
    d.ip = "127.0.0." + std::to_string(id);
    d.parent_id = parent;
    d.room_id = room;
    return d;
}

class Decisions : public ::testing::Test {
protected:
    Decider decider{std::chrono::seconds(60)};
    std::int64_t now = 1'000'000;

    void round(std::int64_t id, bool ok, Status status, std::optional<double> rtt = std::nullopt) {
        events::RoundFinished e{id, "", ok, status, rtt, ok ? 0.0 : 1.0, std::nullopt, at(now), std::nullopt};
        decider.apply(e, now);
    }
    bool change(std::int64_t id, Status from, Status to, std::optional<std::int64_t> via = std::nullopt) {
        return decider.apply(events::StatusChanged{id, "", from, to, at(now), via}, now);
    }
    // A transition as the engine publishes it: the change, then its round.
    bool transition(std::int64_t id, Status from, Status to, std::optional<std::int64_t> via = std::nullopt) {
        const bool muted = change(id, from, to, via);
        round(id, to == Status::connected, to, to == Status::connected ? std::optional(1.5) : std::nullopt);
        return muted;
    }
    void up(std::int64_t id) { transition(id, Status::unknown, Status::connected); }
};

TEST_F(Decisions, OneNoticePerCrossingAndNoneForTheFirstStatus) {
    decider.set_devices({device(1)});
    up(1);
    EXPECT_TRUE(decider.take().empty());
    transition(1, Status::connected, Status::disconnected);
    auto notices = decider.take();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].kind, Notice::Kind::down);
    EXPECT_EQ(notices[0].unreachable_children, 0);
    transition(1, Status::disconnected, Status::connected);
    notices = decider.take();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].kind, Notice::Kind::up);
    EXPECT_EQ(notices[0].rtt_ms, 1.5);  // the round that brought it back
}

TEST_F(Decisions, AGatewayAndTheDevicesBehindItGiveOneNoticeWhicheverFailsFirst) {
    for (const bool children_first : {false, true}) {
        decider = Decider(std::chrono::seconds(60));
        std::vector<store::Device> devices{device(1)};
        for (int i = 2; i <= 6; ++i) devices.push_back(device(i, 1));
        decider.set_devices(devices);
        for (int i = 1; i <= 6; ++i) up(i);
        if (children_first)  // their own thresholds crossed before the gateway's
            for (int i = 2; i <= 6; ++i) transition(i, Status::connected, Status::disconnected);
        transition(1, Status::connected, Status::disconnected);
        for (int i = 2; i <= 6; ++i)  // their next round, after the gateway's change
            if (children_first)
                round(i, false, Status::disconnected);
            else
                transition(i, Status::connected, Status::disconnected, 1);
        const auto notices = decider.take();
        ASSERT_EQ(notices.size(), 1u) << children_first;
        EXPECT_EQ(notices[0].device_id, 1);
        EXPECT_EQ(notices[0].unreachable_children, 5);
        for (int i = 2; i <= 6; ++i) transition(i, Status::disconnected, Status::connected);
        transition(1, Status::disconnected, Status::connected);
        const auto ups = decider.take();
        ASSERT_EQ(ups.size(), 1u);  // an up only where a down was sent
        EXPECT_EQ(ups[0].device_id, 1);
    }
}

TEST_F(Decisions, ADeviceWhoseGatewayAnswersIsNotifiedOnItsOwn) {
    decider.set_devices({device(1), device(2, 1)});
    up(1);
    up(2);
    transition(2, Status::connected, Status::disconnected);
    EXPECT_TRUE(decider.take().empty());  // waiting for the gateway's next round
    round(1, false, Status::connected);   // a failed round below its threshold: still in doubt
    EXPECT_TRUE(decider.take().empty());
    round(1, true, Status::connected);
    const auto notices = decider.take();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].device_id, 2);
}

TEST_F(Decisions, BackUpBeforeTheDecisionSendsNeither) {
    decider.set_devices({device(1), device(2, 1)});
    up(1);
    up(2);
    transition(1, Status::connected, Status::disconnected);  // waits for device 2's round
    transition(1, Status::disconnected, Status::connected);
    round(2, true, Status::connected);
    EXPECT_TRUE(decider.take().empty());
}

TEST_F(Decisions, NoDecisionWaitsLongerThanTheLongestWait) {
    decider.set_devices({device(1), device(2, 1)});
    up(1);
    up(2);
    transition(1, Status::connected, Status::disconnected);
    EXPECT_TRUE(decider.take().empty());
    now += 61'000;
    round(1, false, Status::disconnected);  // device 2 never reports
    EXPECT_EQ(decider.take().size(), 1u);
}

TEST_F(Decisions, AMaintenanceWindowMutesItsDevicesAndTheirRoom) {
    decider.set_devices({device(1), device(2, std::nullopt, 7), device(3)});
    decider.set_maintenance({{1, "w", now - 1000, now + 1000, 7, {1}}});
    for (int i = 1; i <= 3; ++i) up(i);
    EXPECT_TRUE(transition(1, Status::connected, Status::disconnected));
    EXPECT_TRUE(transition(2, Status::connected, Status::disconnected));
    EXPECT_FALSE(transition(3, Status::connected, Status::disconnected));
    const auto notices = decider.take();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].device_id, 3);
    now += 2000;  // the window is over: the up of a muted down is not sent either
    transition(1, Status::disconnected, Status::connected);
    EXPECT_TRUE(decider.take().empty());
}

TEST_F(Decisions, AWindowWithNeitherRoomNorDevicesCoversEverything) {
    decider.set_devices({device(1)});
    decider.set_maintenance({{1, "all", now - 1, now + 1, std::nullopt, {}}});
    EXPECT_TRUE(decider.in_maintenance(1, now));
    EXPECT_FALSE(decider.in_maintenance(1, now + 1));  // the end is not inside
}

TEST_F(Decisions, ADeviceStillDownAfterItsGatewayRecoversIsToldThen) {
    decider.set_devices({device(1), device(2, 1)});
    up(1);
    up(2);
    transition(1, Status::connected, Status::disconnected);
    transition(2, Status::connected, Status::disconnected, 1);  // behind the gateway: folded into its notice
    ASSERT_EQ(decider.take().size(), 1u);
    transition(1, Status::disconnected, Status::connected);
    round(2, false, Status::disconnected);  // no ancestor down any more, still down
    round(1, true, Status::connected);
    const auto notices = decider.take();
    ASSERT_EQ(notices.size(), 2u);
    EXPECT_EQ((notices[0].kind == Notice::Kind::up) + (notices[1].kind == Notice::Kind::down), 2);
    EXPECT_EQ(notices[1].device_id, 2);
}

TEST_F(Decisions, AnUpIsOwedAcrossARestartOrANewAddress) {
    decider.set_devices({device(1)});
    decider.mark_notified_down(1);  // read back from the outbox
    transition(1, Status::unknown, Status::connected);
    auto notices = decider.take();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].kind, Notice::Kind::up);
    // a pending down does not survive its device going unknown
    decider.set_devices({device(1), device(2, 1)});
    up(2);
    transition(1, Status::connected, Status::disconnected);  // waits for device 2
    change(1, Status::disconnected, Status::unknown);
    round(2, true, Status::connected);
    EXPECT_TRUE(decider.take().empty());
}

TEST_F(Decisions, ADeletedParentIsNotWaitedFor) {
    decider.set_devices({device(1), device(2, 1)});
    up(1);
    up(2);
    store::Device gone = device(1);
    decider.apply(events::DeviceRemoved{gone}, now);
    transition(2, Status::connected, Status::disconnected);
    EXPECT_EQ(decider.take().size(), 1u);  // no ancestor left to wait for
}

TEST(Message, SignatureIsHexHmacSha256) {
    // RFC 4231, test case 2
    EXPECT_EQ(notify::signature("Jefe", "what do ya want for nothing?"),
              "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

store::Delivery delivery_of(const std::string& payload) {
    store::Delivery d;
    d.id = 42;
    d.notifier_id = 1;
    d.payload = payload;
    return d;
}

std::string down_payload(const std::string& name) {
    Notice n{Notice::Kind::down, 1, 1'700'000'000'000, Status::disconnected, Status::connected, std::nullopt, 1.0, 3};
    auto d = device(1);
    d.name = name;
    return notify::payload_of(n, d);
}

TEST(Message, WebhookFormats) {
    store::Notifier n;
    n.url = "http://127.0.0.1:9/hook";
    n.secret = "k";
    const auto json_message = notify::compose(n, delivery_of(down_payload("gw")), {});
    const auto body = boost::json::parse(json_message.body).as_object();
    EXPECT_EQ(body.at("delivery_id").as_int64(), 42);
    EXPECT_EQ(body.at("event").as_string(), "device.down");
    EXPECT_EQ(body.at("unreachable_children").as_int64(), 3);
    EXPECT_NE(std::find(json_message.headers.begin(), json_message.headers.end(),
                        "X-Gatewatch-Signature: " + notify::signature("k", json_message.body)),
              json_message.headers.end());
    n.format = "slack";
    const auto slack = notify::compose(n, delivery_of(down_payload("gw")), {});
    EXPECT_EQ(boost::json::parse(slack.body).at("text").as_string(),
              "gw (127.0.0.1) is down; 3 devices behind it are unreachable");
    const auto mention = notify::compose(n, delivery_of(down_payload("<!channel> & co")), {});
    EXPECT_EQ(boost::json::parse(mention.body).at("text").as_string(),
              "&lt;!channel&gt; &amp; co (127.0.0.1) is down; 3 devices behind it are unreachable");
    n.format = "ntfy";
    const auto ntfy = notify::compose(n, delivery_of(down_payload("gw")), {});
    EXPECT_EQ(ntfy.body, "gw (127.0.0.1) is down; 3 devices behind it are unreachable");
    EXPECT_NE(std::find(ntfy.headers.begin(), ntfy.headers.end(), "Priority: high"), ntfy.headers.end());
}

TEST(Message, AnEmailNeverTakesAHeaderLineFromADeviceName) {
    store::Notifier n;
    n.type = "email";
    n.to = {"ops@example.com"};
    EXPECT_THROW(notify::compose(n, delivery_of(down_payload("gw")), {}), notify::CannotCompose);
    notify::SmtpSettings smtp{"127.0.0.1", 25, "gw@example.com", "", "", false};
    const auto mail = notify::compose(n, delivery_of(down_payload("evil\r\nBcc: victim@example.com")), smtp);
    const auto headers = mail.body.substr(0, mail.body.find("\r\n\r\n"));
    EXPECT_EQ(headers.find("\r\nBcc:"), std::string::npos) << headers;
    EXPECT_EQ(mail.body.find("\nBcc:"), std::string::npos) << mail.body;  // nor a line of the body (SMTP smuggling)
    EXPECT_EQ(mail.url, "smtp://127.0.0.1:25");
    const auto accented = notify::compose(n, delivery_of(down_payload("passerelle é")), smtp);
    EXPECT_NE(accented.body.find("Subject: =?UTF-8?B?"), std::string::npos);
}

// On each backend of the history store (test_history_store.hpp).
class Outbox : public ::testing::TestWithParam<std::string> {};

TEST_P(Outbox, DeliveriesAreDueRetriedAndLogged) {
    TestHistoryStore backend(GetParam());
    if (backend.skipped()) GTEST_SKIP() << "GATEWATCH_TEST_POSTGRES is not set (ctest sets it)";
    store::HistoryStore& history = *backend.store;
    store::Delivery d = delivery_of(R"({"event":"test"})");
    d.created_ms = 1000;
    d.next_at_ms = 1000;
    history.write({}, {}, {d, d});
    EXPECT_EQ(history.due_deliveries(999, 10, 10).size(), 0u);
    auto due = history.due_deliveries(1000, 10, 10);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_LT(due[0].id, due[1].id);
    EXPECT_EQ(due[0].next_at_ms, 1000);  // as it was due, whatever a claim wrote
    if (GetParam() == "postgresql") {
        // Claimed: several nodes' senders ask, and each delivery is handed to
        // one of them; it is due again only if its sender never records the outcome.
        EXPECT_TRUE(history.due_deliveries(1000, 10, 10).empty());
        EXPECT_EQ(history.next_delivery_at(), 1000 + 120'000);
    } else {
        EXPECT_EQ(history.next_delivery_at(), 1000);
    }
    due[0].status = "delivered";
    due[0].attempts = 1;
    history.update_delivery(due[0]);
    due[1].attempts = 1;
    due[1].next_at_ms = 5000;
    due[1].last_error = "HTTP 500";
    history.update_delivery(due[1]);
    EXPECT_EQ(history.due_deliveries(4999, 10, 10).size(), 0u);
    EXPECT_EQ(history.next_delivery_at(), 5000);
    const auto log = history.deliveries(1, 10);
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].last_error, "HTTP 500");  // newest first
    EXPECT_EQ(log[1].status, "delivered");
    EXPECT_EQ(history.trim_deliveries(2000), 1u);  // only what is finished
    EXPECT_EQ(history.deliveries(1, 10).size(), 1u);
    // ids are never reused, even after the newest was removed
    const auto last = log[0].id;
    due[1].status = "failed";
    history.update_delivery(due[1]);
    history.trim_deliveries(2000);
    history.write({}, {}, {d});
    EXPECT_GT(history.deliveries(1, 10).at(0).id, last);
}

TEST_P(Outbox, AnUpIsOwedForDevicesWhoseNewestNoticeWasADown) {
    TestHistoryStore backend(GetParam());
    if (backend.skipped()) GTEST_SKIP() << "GATEWATCH_TEST_POSTGRES is not set (ctest sets it)";
    store::HistoryStore& history = *backend.store;
    const auto notice = [](std::int64_t device, const char* event) {
        store::Delivery d = delivery_of(std::string(R"({"event":")") + event + R"(","device":{}})");
        d.device_id = device;
        return d;
    };
    history.write({}, {}, {notice(1, "device.down"), notice(2, "device.down"), notice(2, "device.up"),
                           notice(3, "device.up")});
    EXPECT_EQ(history.devices_notified_down(), std::vector<std::int64_t>{1});
}

INSTANTIATE_TEST_SUITE_P(Backends, Outbox, k_history_backends,
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
