#pragma once
// Batches of ICMP echo requests, and a thread that sends them for the engine.
//
// For a target the kernel answers itself (loopback, any local address) the
// send path also builds the reply, and on a real network it still does the
// routing and the copies: sendmmsg was half the engine thread's time in a
// 100,000-target round, recvmmsg an eighth (perf, issue 14). When a tick
// fills whole batches, they go to this thread, so that work runs on the
// second core while the engine schedules, matches replies and ends rounds; a
// partial batch (the steady state: a few probes a tick) is sent by the engine
// itself, with no thread to wake. Up to k_queued batches wait, one tick's
// worth at full speed (the engine sends at most 4,096 probes a tick): with
// only 4, the engine sent most batches itself and the round was no faster
// than with no thread (0.47 s against 0.45 s; 0.28-0.32 s with 64). Past
// k_queued the engine sends too (the kernel allows two senders on a socket).
//
// Send times: a queued request may leave milliseconds after it was queued,
// so each batch is stamped in SendTimes just before its sendmmsg, by
// whichever thread sends it, and the RTT is measured from that stamp.
//
// Requests the kernel refused (ENETUNREACH, EAGAIN) are handed to `refused`
// on the send thread. The sockets must outlive stop(); IcmpSocket's
// send_batch may run beside its owner's receive_batch.
#include "monitor/icmp_socket.hpp"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace gatewatch::monitor {

struct EchoRequest {
    std::array<std::uint8_t, icmp::k_request_size> packet{};
    Address to;
    std::uint16_t seq = 0;
    std::uint64_t token = 0;
};

struct RequestBatch {
    IcmpSocket* socket = nullptr;
    std::array<EchoRequest, IcmpSocket::k_batch> requests{};
    std::size_t size = 0;

    [[nodiscard]] bool full() const { return size == requests.size(); }
};

struct Refusal {
    std::uint16_t seq = 0;
    std::uint64_t token = 0;
    int error = 0;  // errno
};

// When each sequence number last went out (CLOCK_REALTIME ns, comparable
// with the kernel's receive stamps): written by the sending thread before
// the packet leaves, read by the engine once the reply is in. A sequence
// number is reused only after its probe has left the ring, so a stamp is
// never overwritten while its probe can still be answered.
class SendTimes {
public:
    SendTimes() : at_(std::make_unique<std::atomic<std::int64_t>[]>(k_sequences)) {}
    void mark(std::uint16_t seq, std::int64_t ns) { at_[seq].store(ns, std::memory_order_release); }
    [[nodiscard]] std::int64_t of(std::uint16_t seq) const { return at_[seq].load(std::memory_order_acquire); }

private:
    static constexpr std::size_t k_sequences = 65536;
    std::unique_ptr<std::atomic<std::int64_t>[]> at_;
};

// Stamps the batch in `times`, then sends it in one system call (or more,
// past a refused request). Returns the requests the kernel refused.
std::vector<Refusal> send_now(const RequestBatch& batch, SendTimes& times);

class SendThread {
public:
    static constexpr std::size_t k_queued = 64;

    SendThread(SendTimes& times, std::function<void(std::vector<Refusal>)> refused)
        : times_(times), refused_(std::move(refused)) {}
    ~SendThread() { stop(); }
    SendThread(const SendThread&) = delete;
    SendThread& operator=(const SendThread&) = delete;

    // Queues the batch (the thread starts on first use); false when
    // k_queued batches are waiting: send it yourself.
    bool offer(const RequestBatch& batch);
    // Sends what is queued and joins.
    void stop();

private:
    void run();

    SendTimes& times_;
    std::function<void(std::vector<Refusal>)> refused_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<RequestBatch> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace gatewatch::monitor
