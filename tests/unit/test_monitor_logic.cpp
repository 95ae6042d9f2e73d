// The monitor's pure parts: state machine, pacing, packets, reply matching,
// ping summaries and the hub.
#include "monitor/dependencies.hpp"
#include "monitor/icmp_packet.hpp"
#include "monitor/pacing.hpp"
#include "monitor/probe_ring.hpp"
#include "monitor/status.hpp"
#include "api/status_hub.hpp"
#include "monitor/system_ping.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>
#include <vector>

using namespace gatewatch::monitor;
using gatewatch::api::DeviceState;
using gatewatch::api::StatusHub;

TEST(StatusMachine, FirstRoundDecidesThenThresholdsGuardFlapping) {
    const Thresholds t{1, 2};
    StatusMachine up;
    EXPECT_EQ(up.status(), Status::unknown);
    EXPECT_TRUE(up.apply(true, t));
    EXPECT_EQ(up.status(), Status::connected);
    EXPECT_FALSE(up.apply(false, t));  // one failure is not enough
    EXPECT_EQ(up.status(), Status::connected);
    EXPECT_FALSE(up.apply(true, t));  // and the count starts over
    EXPECT_FALSE(up.apply(false, t));
    EXPECT_TRUE(up.apply(false, t));
    EXPECT_EQ(up.status(), Status::disconnected);
    EXPECT_EQ(up.consecutive_failures(), 2);
    EXPECT_TRUE(up.apply(true, t));
    EXPECT_EQ(up.status(), Status::connected);

    StatusMachine down;
    EXPECT_TRUE(down.apply(false, t));  // the first round decides even against down_after
    EXPECT_EQ(down.status(), Status::disconnected);
}

TEST(StatusMachine, UpAfterThreeNeedsThreeSuccessesInARow) {
    const Thresholds t{3, 1};
    StatusMachine m;
    m.apply(false, t);
    EXPECT_FALSE(m.apply(true, t));
    EXPECT_FALSE(m.apply(true, t));
    EXPECT_FALSE(m.apply(false, t));
    EXPECT_FALSE(m.apply(true, t));
    EXPECT_FALSE(m.apply(true, t));
    EXPECT_TRUE(m.apply(true, t));
    EXPECT_EQ(m.status(), Status::connected);
}

TEST(Pacing, RateCapAllowsTheRateAndNoMore) {
    constexpr std::int64_t second = 1'000'000'000;
    RateCap cap(1000, 0);  // 1000/s, bursts of 10
    int sent = 0;
    for (std::int64_t t = 0; t <= second; t += 100'000)  // ask every 0.1 ms for one second
        while (cap.try_take(t)) ++sent;
    EXPECT_GE(sent, 1000);
    EXPECT_LE(sent, 1011);
    RateCap fresh(1000, 0);
    int burst = 0;
    while (fresh.try_take(0)) ++burst;
    EXPECT_EQ(burst, 10);  // never more than 10 ms worth at once
    EXPECT_EQ(fresh.next_allowed_ns(0), 1'000'001);
}

TEST(Pacing, NoCapMeansNoWait) {
    RateCap cap(0, 0);
    for (int i = 0; i < 100000; ++i) ASSERT_TRUE(cap.try_take(0));
}

TEST(Pacing, BatchesSpreadEvenlyOverTheInterval) {
    constexpr std::int64_t interval = 10'000'000'000;
    const std::size_t k = 100'000;
    std::vector<int> per_second(10);
    for (std::size_t i = 0; i < k; ++i) {
        const auto offset = spread_offset(i, k, interval);
        ASSERT_GE(offset, 0);
        ASSERT_LT(offset, interval);
        ++per_second[static_cast<std::size_t>(offset / 1'000'000'000)];
    }
    for (int n : per_second) EXPECT_EQ(n, 10'000);
    EXPECT_EQ(spread_offset(3, 5, interval), 0);  // a handful starts at once
}

TEST(Pacing, DevicesBeyondTheCountAreSpreadEvenlyToo) {
    constexpr std::int64_t interval = 10'000'000'000;
    for (const std::size_t counted : {std::size_t{0}, std::size_t{5}, std::size_t{1'000}}) {
        std::vector<int> per_second(10);
        for (std::size_t i = 0; i < 100'000; ++i) {  // the list grew after it was counted
            const auto offset = spread_offset(i, counted, interval);
            ASSERT_GE(offset, 0);
            ASSERT_LT(offset, interval);
            ++per_second[static_cast<std::size_t>(offset / 1'000'000'000)];
        }
        for (int n : per_second) {
            EXPECT_GE(n, 10'000 - 10) << counted;
            EXPECT_LE(n, 10'000 + 10) << counted;
        }
    }
}

namespace {
std::vector<std::uint8_t> as_reply(std::array<std::uint8_t, icmp::k_request_size> packet, icmp::Family f) {
    std::vector<std::uint8_t> v(packet.begin(), packet.end());
    v[0] = f == icmp::Family::v4 ? 0 : 129;
    v[2] = v[3] = 0;
    if (f == icmp::Family::v4) {
        const auto sum = icmp::internet_checksum(v);
        v[2] = static_cast<std::uint8_t>(sum >> 8);
        v[3] = static_cast<std::uint8_t>(sum);
    }
    return v;
}
}  // namespace

TEST(IcmpPacket, RequestHasAValidChecksumAndOurPayload) {
    const auto request = icmp::echo_request(icmp::Family::v4, 0x1234, 7, 0xfeedface);
    EXPECT_EQ(request[0], 8);
    EXPECT_EQ(icmp::internet_checksum(request), 0);
}

TEST(IcmpPacket, ParsesRepliesAndRefusesEverythingElse) {
    for (auto f : {icmp::Family::v4, icmp::Family::v6}) {
        const auto reply = as_reply(icmp::echo_request(f, 0x1234, 7, 0xfeedface), f);
        const auto parsed = icmp::parse_echo_reply(f, false, reply);
        ASSERT_TRUE(parsed);
        EXPECT_EQ(parsed->seq, 7);
        EXPECT_EQ(parsed->id, 0x1234);
        EXPECT_EQ(parsed->token, 0xfeedfaceu);
        // truncated
        EXPECT_FALSE(icmp::parse_echo_reply(f, false, std::span(reply.data(), reply.size() - 1)));
        // our own request, as a raw socket sees it on loopback
        EXPECT_FALSE(icmp::parse_echo_reply(f, false, icmp::echo_request(f, 0x1234, 7, 0xfeedface)));
        // someone else's payload
        auto foreign = reply;
        foreign[9] ^= 0xFF;
        EXPECT_FALSE(icmp::parse_echo_reply(f, false, foreign));
    }
    auto corrupted = as_reply(icmp::echo_request(icmp::Family::v4, 1, 2, 3), icmp::Family::v4);
    corrupted[20] ^= 0x01;  // the token changed in flight: the checksum no longer holds
    EXPECT_FALSE(icmp::parse_echo_reply(icmp::Family::v4, false, corrupted));
}

TEST(IcmpPacket, RawIpv4SkipsTheIpHeader) {
    const auto icmp_part = as_reply(icmp::echo_request(icmp::Family::v4, 9, 10, 11), icmp::Family::v4);
    std::vector<std::uint8_t> packet(20, 0);
    packet[0] = 0x45;  // IPv4, 5 words
    packet[9] = 1;     // ICMP
    packet.insert(packet.end(), icmp_part.begin(), icmp_part.end());
    const auto parsed = icmp::parse_echo_reply(icmp::Family::v4, true, packet);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->seq, 10);
    packet[9] = 6;  // TCP
    EXPECT_FALSE(icmp::parse_echo_reply(icmp::Family::v4, true, packet));
    EXPECT_FALSE(icmp::parse_echo_reply(icmp::Family::v4, true, std::span(packet.data(), 19)));
    packet[9] = 1;
    packet[0] = 0x4F;  // header longer than the packet
    EXPECT_FALSE(icmp::parse_echo_reply(icmp::Family::v4, true, std::span(packet.data(), 40)));
}

namespace {
Address v4(std::uint8_t last) {
    Address a;
    a.bytes = {127, 0, 0, last};
    return a;
}
}  // namespace

TEST(ProbeRing, MatchesOnlyTheRightSequenceTokenAndSource) {
    ProbeRing ring;
    std::optional<Probe> evicted;
    const auto seq = ring.add(Probe{3, 1, 42, v4(1)}, evicted);
    EXPECT_FALSE(evicted);
    EXPECT_FALSE(ring.take(seq, 41, v4(1)));               // forged token
    EXPECT_FALSE(ring.take(static_cast<std::uint16_t>(seq + 1), 42, v4(1)));  // wrong sequence
    EXPECT_FALSE(ring.take(seq, 42, v4(2)));               // wrong source
    const auto probe = ring.take(seq, 42, v4(1));
    ASSERT_TRUE(probe);
    EXPECT_EQ(probe->target, 3u);
    EXPECT_FALSE(ring.take(seq, 42, v4(1)));  // duplicate
    EXPECT_EQ(ring.outstanding(), 0u);
}

TEST(ProbeRing, AReplyAfterTheTimeoutFindsNothing) {
    ProbeRing ring;
    std::optional<Probe> evicted;
    const auto seq = ring.add(Probe{0, 0, 7, v4(1)}, evicted);
    EXPECT_TRUE(ring.expire(seq, 7));
    EXPECT_FALSE(ring.take(seq, 7, v4(1)));
    EXPECT_FALSE(ring.expire(seq, 7));
}

TEST(ProbeRing, WrapsAndReportsWhatItEvicts) {
    ProbeRing ring;
    std::optional<Probe> evicted;
    for (std::uint32_t i = 0; i < 65536; ++i) {
        ring.add(Probe{i, 0, i + 1, v4(1)}, evicted);
        ASSERT_FALSE(evicted);
    }
    ring.add(Probe{99999, 0, 5, v4(1)}, evicted);
    ASSERT_TRUE(evicted);
    EXPECT_EQ(evicted->target, 0u);
    EXPECT_EQ(ring.outstanding(), 65536u);
}

TEST(SystemPing, ParsesTheSummary) {
    const auto outcome = parse_ping_summary(
        "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n\n--- 127.0.0.1 ping statistics ---\n"
        "3 packets transmitted, 2 received, 33.3333% packet loss, time 2003ms\n"
        "rtt min/avg/max/mdev = 0.031/0.045/0.059/0.014 ms\n");
    EXPECT_EQ(outcome.transmitted, 3);
    EXPECT_EQ(outcome.received, 2);
    EXPECT_DOUBLE_EQ(outcome.average_rtt_ms, 0.045);
    const auto silent = parse_ping_summary("--- x ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss\n");
    EXPECT_EQ(silent.received, 0);
    EXPECT_EQ(parse_ping_summary("").transmitted, 0);
}

TEST(StatusHub, ObjectChangesOnlyWithStatusOrMembership) {
    StatusHub hub;
    int changes = 0;
    hub.on_change([&] { ++changes; });
    hub.set_devices({{1, "127.0.0.1"}, {2, "::1"}});
    EXPECT_EQ(boost::json::parse(*hub.status_json()), boost::json::parse(R"({"127.0.0.1":"unknown","::1":"unknown"})"));
    const auto v = hub.version();
    DeviceState s;
    s.device_id = 1;
    s.ip = "127.0.0.1";
    s.status = Status::connected;
    s.rtt_ms = 0.1;
    hub.record(s);
    EXPECT_GT(hub.version(), v);
    const auto v2 = hub.version();
    s.rtt_ms = 0.2;  // RTT alone does not change the object
    hub.record(s);
    EXPECT_EQ(hub.version(), v2);
    EXPECT_EQ(hub.device(1)->rtt_ms, 0.2);
    hub.set_devices({{1, "127.0.0.1"}});  // device 2 leaves; device 1 keeps its state
    EXPECT_EQ(boost::json::parse(*hub.status_json()), boost::json::parse(R"({"127.0.0.1":"connected"})"));
    hub.set_devices({{1, "127.0.0.9"}});  // a new ip starts unknown
    EXPECT_EQ(hub.device(1)->status, Status::unknown);
    s.status = Status::disconnected;
    hub.record(s);  // a late result for the old ip is ignored
    EXPECT_EQ(hub.device(1)->status, Status::unknown);
    EXPECT_EQ(changes, 4);
}

TEST(StatusHub, DetailsFollowRoundsAtMostOnceASecondAndStatusChangesAtOnce) {
    StatusHub hub;
    hub.set_devices({{1, "127.0.0.1"}});
    const auto t0 = std::chrono::steady_clock::time_point(std::chrono::hours(1));
    DeviceState s;
    s.device_id = 1;
    s.ip = "127.0.0.1";
    s.status = Status::connected;
    s.rtt_ms = 0.5;
    hub.record(s);  // a status change
    auto detail = [&](auto at) { return boost::json::parse(*hub.detail_json(at)).at("127.0.0.1"); };
    EXPECT_EQ(detail(t0).at("status"), "connected");
    EXPECT_EQ(detail(t0).at("device_id"), 1);
    s.rtt_ms = 2.0;  // RTT alone: the render may be up to a second old
    hub.record(s);
    EXPECT_DOUBLE_EQ(detail(t0 + std::chrono::milliseconds(500)).at("rtt_ms").to_number<double>(), 0.5);
    EXPECT_DOUBLE_EQ(detail(t0 + std::chrono::seconds(1)).at("rtt_ms").to_number<double>(), 2.0);
    s.status = Status::disconnected;  // a status change shows at once
    s.rtt_ms.reset();
    hub.record(s);
    EXPECT_EQ(detail(t0 + std::chrono::milliseconds(1100)).at("status"), "disconnected");
}

// A device is unreachable through the topmost disconnected ancestor: the root cause.
TEST(Dependencies, TheTopmostDisconnectedAncestorIsTheCause) {
    // 1 gateway <- 2 switch <- 3 printer; 4 has no parent; 5 <-> 6 a cycle.
    const std::map<std::int64_t, std::int64_t> parents{{2, 1}, {3, 2}, {5, 6}, {6, 5}};
    std::map<std::int64_t, gatewatch::monitor::Status> status{{1, gatewatch::monitor::Status::connected}, {2, gatewatch::monitor::Status::connected}};
    const gatewatch::monitor::ParentOf parent_of = [&](std::int64_t id) -> std::optional<std::int64_t> {
        const auto it = parents.find(id);
        return it == parents.end() ? std::nullopt : std::optional(it->second);
    };
    const gatewatch::monitor::StatusOf status_of = [&](std::int64_t id) {
        const auto it = status.find(id);
        return it == status.end() ? gatewatch::monitor::Status::unknown : it->second;
    };
    EXPECT_EQ(gatewatch::monitor::unreachable_via(3, parent_of, status_of), std::nullopt);
    status[2] = gatewatch::monitor::Status::disconnected;
    EXPECT_EQ(gatewatch::monitor::unreachable_via(3, parent_of, status_of), 2);
    status[1] = gatewatch::monitor::Status::disconnected;
    EXPECT_EQ(gatewatch::monitor::unreachable_via(3, parent_of, status_of), 1);
    EXPECT_EQ(gatewatch::monitor::unreachable_via(2, parent_of, status_of), 1);
    EXPECT_EQ(gatewatch::monitor::unreachable_via(1, parent_of, status_of), std::nullopt);
    EXPECT_EQ(gatewatch::monitor::unreachable_via(4, parent_of, status_of), std::nullopt);
    status[6] = gatewatch::monitor::Status::disconnected;
    EXPECT_EQ(gatewatch::monitor::unreachable_via(5, parent_of, status_of), 6);  // and it ends
}

TEST(Dependencies, TheNearestAcceptedAncestorIsFoundAndACycleEnds) {
    // 1 gateway <- 2 switch <- 3 printer; 5 <-> 6 a cycle.
    const std::map<std::int64_t, std::int64_t> parents{{2, 1}, {3, 2}, {5, 6}, {6, 5}};
    const gatewatch::monitor::ParentOf parent_of = [&](std::int64_t id) -> std::optional<std::int64_t> {
        const auto it = parents.find(id);
        return it == parents.end() ? std::nullopt : std::optional(it->second);
    };
    const auto any = [](std::int64_t) { return true; };
    const auto not_the_switch = [](std::int64_t id) { return id != 2; };
    const auto none = [](std::int64_t) { return false; };
    EXPECT_EQ(gatewatch::monitor::nearest_ancestor(3, parent_of, any), 2);
    EXPECT_EQ(gatewatch::monitor::nearest_ancestor(3, parent_of, not_the_switch), 1);
    EXPECT_EQ(gatewatch::monitor::nearest_ancestor(3, parent_of, none), std::nullopt);
    EXPECT_EQ(gatewatch::monitor::nearest_ancestor(1, parent_of, any), std::nullopt);
    EXPECT_EQ(gatewatch::monitor::nearest_ancestor(5, parent_of, [](std::int64_t id) { return id == 5; }),
              std::nullopt);  // back to itself: the walk ends
}
