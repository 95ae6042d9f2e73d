#include "monitor/send_thread.hpp"

#include <pthread.h>

namespace gatewatch::monitor {

std::vector<Refusal> send_now(const RequestBatch& batch, SendTimes& times) {
    std::vector<Refusal> refusals;
    if (batch.size == 0) return refusals;
    std::array<IcmpSocket::Outgoing, IcmpSocket::k_batch> outgoing;
    for (std::size_t i = 0; i < batch.size; ++i) outgoing[i] = {batch.requests[i].to, batch.requests[i].packet};
    std::array<int, IcmpSocket::k_batch> errors{};
    // One stamp for the batch: the last packet leaves at most the batch's
    // send time later (about 0.2 ms on loopback, where the kernel answers
    // in the send path; less on a network).
    const std::int64_t now = realtime_ns();
    for (std::size_t i = 0; i < batch.size; ++i) times.mark(batch.requests[i].seq, now);
    batch.socket->send_batch(std::span(outgoing.data(), batch.size), errors);
    for (std::size_t i = 0; i < batch.size; ++i)
        if (errors[i] != 0) refusals.push_back({batch.requests[i].seq, batch.requests[i].token, errors[i]});
    return refusals;
}

bool SendThread::offer(const RequestBatch& batch) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= k_queued) return false;
        queue_.push_back(batch);
        if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    }
    wake_.notify_one();
    return true;
}

void SendThread::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void SendThread::run() {
    pthread_setname_np(pthread_self(), "gw-send");
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and all sent
        // Sent from the queue's front, taken off only when done: a full
        // queue tells the engine to send itself meanwhile.
        const RequestBatch& batch = queue_.front();
        lock.unlock();
        auto refusals = send_now(batch, times_);
        if (!refusals.empty()) refused_(std::move(refusals));
        lock.lock();
        queue_.pop_front();
    }
}

}  // namespace gatewatch::monitor
