#pragma once
// From status changes to stored deliveries: the history thread's companion
// (history/history_thread.hpp), so a delivery commits in the same transaction
// as the status change it follows (or, for a down that waited for the
// devices behind it, in the first write after it was decided).
//
// The Decider (decider.hpp) says which changes become notices and which are
// muted; each notice gets one delivery per enabled notifier whose `events`
// and `room_id` match, its payload the webhook `json` body (without
// "delivery_id", which the store assigns). Notifiers, maintenance windows and
// the devices are read from the store at the first event and again when an
// event says they changed; which devices' downs were sent (their up is owed)
// is read back from the outbox at the first event. Runs on the history thread only; `written` wakes
// the sender (notify/sender.hpp).
#include "history/history_thread.hpp"
#include "notify/decider.hpp"
#include "store/history_store.hpp"
#include "store/store.hpp"

#include <functional>
#include <unordered_map>
#include <vector>

namespace gatewatch::notify {

class Dispatcher final : public history::Companion {
public:
    using Clock = std::function<std::int64_t()>;  // wall milliseconds since the epoch
    Dispatcher(store::Store& store, store::HistoryStore& outbox, Clock now_ms, std::function<void()> wake_sender);

    Seen observe(const events::Event& event) override;
    void written() override { wake_sender_(); }

private:
    void load_configuration();
    void load_devices();
    std::vector<store::Delivery> deliveries_for(const Notice& notice);

    store::Store& store_;
    store::HistoryStore& outbox_;
    Clock now_ms_;
    std::function<void()> wake_sender_;
    Decider decider_;
    bool loaded_ = false;
    std::shared_ptr<const std::unordered_set<std::int64_t>> assigned_;  // several nodes: the devices probed here
    std::vector<store::Notifier> notifiers_;
    std::unordered_map<std::int64_t, store::Device> devices_;
};

// The webhook `json` body of a notice, without "delivery_id".
std::string payload_of(const Notice& notice, const store::Device& device);
// The body of a test message sent at `now_ms`.
std::string test_payload(std::int64_t now_ms);

}  // namespace gatewatch::notify
