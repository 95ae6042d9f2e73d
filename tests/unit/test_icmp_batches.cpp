// The engine's system calls on a real socket: echo requests to 127.0.0.1 go
// out in batches (sendmmsg, directly or on the send thread) and come back in
// batches (recvmmsg) with the kernel's receive stamp, on each kind of socket
// this machine lets the test open: datagram (net.ipv4.ping_group_range) and
// raw (CAP_NET_RAW, as root in CI), IPv4 and IPv6; a kind that does not open
// is skipped, saying so.
#include "monitor/icmp_packet.hpp"
#include "monitor/icmp_socket.hpp"
#include "monitor/send_thread.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

using namespace gatewatch::monitor;

namespace {

std::optional<IcmpSocket> open_v4() {
    std::string error;
    if (auto s = IcmpSocket::open(icmp::Family::v4, ProbeMethod::datagram, error)) return s;
    return IcmpSocket::open(icmp::Family::v4, ProbeMethod::raw, error);
}

const char* loopback(icmp::Family family) { return family == icmp::Family::v4 ? "127.0.0.1" : "::1"; }

Address address(const char* ip) { return *parse_address(ip); }

// A batch of echo requests to `to`, sequence numbers from `first_seq`, each
// with token = base + seq.
RequestBatch requests(IcmpSocket& socket, const std::vector<Address>& to, std::uint16_t first_seq,
                      std::uint64_t base) {
    RequestBatch batch;
    batch.socket = &socket;
    for (const Address& a : to) {
        const auto seq = static_cast<std::uint16_t>(first_seq + batch.size);
        batch.requests[batch.size++] = {icmp::echo_request(socket.family(), 0x4711, seq, base + seq), a, seq,
                                        base + seq};
    }
    return batch;
}

// Reads replies for up to 10 s until `wanted` of ours (token - base = seq)
// are in; returns each one's receive stamp by sequence number.
std::map<std::uint16_t, std::int64_t> replies(IcmpSocket& socket, std::uint64_t base, std::size_t wanted) {
    std::map<std::uint16_t, std::int64_t> got;
    const bool ip_header = socket.is_raw() && socket.family() == icmp::Family::v4;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (got.size() < wanted && std::chrono::steady_clock::now() < deadline) {
        const auto batch = socket.receive_batch();
        if (batch.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        for (const auto& r : batch) {
            const auto reply = icmp::parse_echo_reply(socket.family(), ip_header, r.data);
            if (!reply || reply->token != base + reply->seq) continue;  // another process's ping
            EXPECT_EQ(r.source, address(loopback(socket.family())));
            got[reply->seq] = r.received_ns;
        }
    }
    return got;
}

}  // namespace

class IcmpBatchesOnEachSocket : public ::testing::TestWithParam<std::tuple<icmp::Family, ProbeMethod>> {};

TEST_P(IcmpBatchesOnEachSocket, EveryRequestOfSeveralBatchesIsAnsweredAndStamped) {
    const auto [family, method] = GetParam();
    std::string error;
    auto socket = IcmpSocket::open(family, method, error);
    if (!socket) GTEST_SKIP() << to_string(method) << " socket refused here: " << error;
    const std::uint64_t base = 0x5157'0000'0000'0000ull ^ (static_cast<std::uint64_t>(::getpid()) << 20) ^
                               (static_cast<std::uint64_t>(family == icmp::Family::v6) << 40);
    SendTimes times;
    const std::int64_t before = realtime_ns();
    // 100 requests: a full batch, then a partial one.
    const std::vector<Address> full(IcmpSocket::k_batch, address(loopback(family)));
    const std::vector<Address> partial(100 - IcmpSocket::k_batch, address(loopback(family)));
    EXPECT_TRUE(send_now(requests(*socket, full, 1, base), times).empty());
    EXPECT_TRUE(send_now(requests(*socket, partial, 1 + IcmpSocket::k_batch, base), times).empty());

    const auto got = replies(*socket, base, 100);
    ASSERT_EQ(got.size(), 100u);
    for (const auto& [seq, received_ns] : got) {
        EXPECT_GE(times.of(seq), before) << seq;
        EXPECT_GE(received_ns, times.of(seq)) << seq;  // the kernel's stamp comes after the send's
    }
}

INSTANTIATE_TEST_SUITE_P(Kinds, IcmpBatchesOnEachSocket,
                         ::testing::Combine(::testing::Values(icmp::Family::v4, icmp::Family::v6),
                                            ::testing::Values(ProbeMethod::datagram, ProbeMethod::raw)),
                         [](const auto& kind) {
                             return std::string(std::get<0>(kind.param) == icmp::Family::v4 ? "v4_" : "v6_") +
                                    to_string(std::get<1>(kind.param));
                         });

TEST(IcmpBatches, ARefusedRequestDoesNotHoldBackTheOnesAfterIt) {
    auto socket = open_v4();
    if (!socket) GTEST_SKIP() << "no datagram or raw ICMP socket here";
    const std::uint64_t base = 0x5158'0000'0000'0000ull ^ (static_cast<std::uint64_t>(::getpid()) << 20);
    SendTimes times;
    // Broadcast without SO_BROADCAST: refused at once, and nothing leaves.
    const auto refused = send_now(
        requests(*socket, {address("127.0.0.1"), address("255.255.255.255"), address("127.0.0.1")}, 1, base), times);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].seq, 2);
    EXPECT_EQ(refused[0].token, base + 2);
    EXPECT_NE(refused[0].error, 0);

    const auto got = replies(*socket, base, 2);
    EXPECT_EQ(got.size(), 2u);
    EXPECT_TRUE(got.contains(1));
    EXPECT_TRUE(got.contains(3));
}

TEST(IcmpBatches, TheSendThreadSendsWhatItTookBeforeItStopsAndReportsRefusals) {
    auto socket = open_v4();
    if (!socket) GTEST_SKIP() << "no datagram or raw ICMP socket here";
    const std::uint64_t base = 0x5159'0000'0000'0000ull ^ (static_cast<std::uint64_t>(::getpid()) << 20);
    SendTimes times;
    std::mutex mutex;
    std::vector<Refusal> refusals;
    SendThread sender(times, [&](std::vector<Refusal> r) {
        std::lock_guard lock(mutex);
        refusals.insert(refusals.end(), r.begin(), r.end());
    });
    std::vector<Address> to(IcmpSocket::k_batch, address("127.0.0.1"));
    to[10] = address("255.255.255.255");
    std::size_t taken = 0;
    // Three batches: their replies wait unread until stop(), within even
    // the default receive buffer (net.core.rmem_max) beside other tests' pings.
    for (std::uint16_t b = 0; b < 3; ++b)
        if (sender.offer(requests(*socket, to, static_cast<std::uint16_t>(1 + b * IcmpSocket::k_batch), base)))
            ++taken;
    sender.stop();  // sends what it took, then joins
    EXPECT_FALSE(sender.offer(requests(*socket, to, 1000, base)));  // stopped: the engine sends itself
    ASSERT_GT(taken, 0u);

    const auto got = replies(*socket, base, taken * (IcmpSocket::k_batch - 1));
    EXPECT_EQ(got.size(), taken * (IcmpSocket::k_batch - 1));
    std::lock_guard lock(mutex);
    ASSERT_EQ(refusals.size(), taken);
    for (const auto& r : refusals) EXPECT_EQ(static_cast<std::size_t>(r.seq - 1) % IcmpSocket::k_batch, 10u);
}
