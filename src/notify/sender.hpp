#pragma once
// The sender: a thread of its own ("gw-notify") that sends what the outbox
// holds, with libcurl, never from the engine or an I/O thread.
//
// Up to `batch` transfers run at once on curl's multi interface, at most
// `per_notifier` to one notifier, so a receiver that hangs holds a few slots
// for `timeout` and never the others; as each ends, what is due next starts.
// Each outcome is recorded: a 2xx status line (for email: the server took
// it) marks it delivered, whatever the body does after, and it is never sent
// again; anything else retries
// after `first_retry`, doubling up to `longest_retry`, until `give_up_after`
// from its creation, then it is failed. A delivery that cannot be composed
// (email without smtp_host, its notifier deleted or disabled) fails at once.
// Between batches it sleeps until the next delivery is due or wake() is
// called. A crash between a 2xx and its record sends that one again after
// the restart: receivers can deduplicate by X-Gatewatch-Delivery.
#include "notify/message.hpp"
#include "store/history_store.hpp"
#include "store/store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace gatewatch::notify {

struct SenderOptions {
    SmtpSettings smtp;
    std::chrono::milliseconds first_retry{10'000};
    std::chrono::milliseconds longest_retry{3'600'000};
    std::chrono::milliseconds give_up_after{24 * 3'600'000};
    std::chrono::milliseconds timeout{10'000};  // one attempt, connecting included
    std::size_t batch = 64;         // transfers under way at once
    std::size_t per_notifier = 8;   // of them to one notifier: one that hangs cannot hold the rest
    // Told of each attempt (notifier type, delivered or not), on the sender's thread.
    std::function<void(std::string_view type, bool delivered)> on_attempt;
};

class Sender {
public:
    Sender(store::Store& store, store::HistoryStore& outbox, SenderOptions options);
    ~Sender();
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    void start();
    void stop();  // a transfer under way is abandoned: its delivery stays pending
    void wake();  // deliveries were stored: look now

    // Stores a test message for the notifier and wakes the sender (any thread).
    void send_test(std::int64_t notifier_id);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::notify
