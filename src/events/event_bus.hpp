#pragma once
// Hands each published event to every subscriber.
//
// Two kinds of subscriber:
//  - inline: called on the publisher's thread before publish() returns, in
//    subscription order. Only for cheap, non-blocking work behind a short
//    lock (the status hub, the read cache): it is what makes a 201 visible to
//    the next read (read-your-writes).
//  - queued: events go into a bounded queue and are handed over on the
//    subscriber's own executor, in order. A slow subscriber never stalls the
//    publisher (the engine, a request); one that falls `capacity` behind
//    loses its queue and is handed a Reload instead, and resynchronises from
//    the store.
// subscribe*() returns a Subscription; destroying it stops delivery (events
// already posted are dropped, never delivered after). An inline handler may
// still be running on a publisher's thread while its Subscription is
// destroyed: destroy those only once no publisher runs (at shutdown, in
// reverse order of creation, as main does). Thread-safe.
#include "events/events.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace gatewatch::events {

class EventBus;

class Subscription {
public:
    Subscription() = default;
    Subscription(Subscription&&) noexcept = default;
    Subscription& operator=(Subscription&&) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription();

private:
    friend class EventBus;
    struct State;
    explicit Subscription(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
};

class EventBus {
public:
    using Handler = std::function<void(const Event&)>;

    [[nodiscard]] Subscription subscribe_inline(Handler handler);
    [[nodiscard]] Subscription subscribe(boost::asio::any_io_executor executor, std::size_t capacity,
                                         Handler handler);

    void publish(const Event& event);

private:
    std::mutex mutex_;
    std::vector<std::weak_ptr<Subscription::State>> subscribers_;
};

}  // namespace gatewatch::events
