#include "events/event_bus.hpp"

#include <boost/asio/post.hpp>

#include <deque>

namespace gatewatch::events {

struct Subscription::State : std::enable_shared_from_this<Subscription::State> {
    EventBus::Handler handler;
    bool queued = false;
    boost::asio::any_io_executor executor;
    std::size_t capacity = 0;

    std::mutex mutex;  // guards what follows
    bool open = true;
    bool drain_posted = false;
    bool overflowed = false;
    std::deque<Event> queue;

    // Runs on the subscriber's executor: everything queued so far, in order.
    void drain() {
        std::deque<Event> batch;
        bool reload = false;
        {
            std::lock_guard lock(mutex);
            drain_posted = false;
            if (!open) return;
            batch.swap(queue);
            reload = std::exchange(overflowed, false);
        }
        if (reload) handler(Reload{});
        for (const Event& e : batch) {
            {
                std::lock_guard lock(mutex);
                if (!open) return;
            }
            handler(e);
        }
    }

    void enqueue(const Event& event) {
        bool post = false;
        {
            std::lock_guard lock(mutex);
            if (!open) return;
            if (queue.size() >= capacity) {
                queue.clear();  // it fell behind: what it missed is replaced by one Reload
                overflowed = true;
            } else {
                queue.push_back(event);
            }
            post = !std::exchange(drain_posted, true);
        }
        if (post) boost::asio::post(executor, [self = shared_from_this()] { self->drain(); });
    }

    void close() {
        std::lock_guard lock(mutex);
        open = false;
        queue.clear();
    }
};

Subscription& Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        if (state_) state_->close();
        state_ = std::move(other.state_);
    }
    return *this;
}

Subscription::~Subscription() {
    if (state_) state_->close();
}

Subscription EventBus::subscribe_inline(Handler handler) {
    auto state = std::make_shared<Subscription::State>();
    state->handler = std::move(handler);
    std::lock_guard lock(mutex_);
    subscribers_.push_back(state);
    return Subscription(state);
}

Subscription EventBus::subscribe(boost::asio::any_io_executor executor, std::size_t capacity, Handler handler) {
    auto state = std::make_shared<Subscription::State>();
    state->handler = std::move(handler);
    state->queued = true;
    state->executor = std::move(executor);
    state->capacity = std::max<std::size_t>(1, capacity);
    std::lock_guard lock(mutex_);
    subscribers_.push_back(state);
    return Subscription(state);
}

void EventBus::publish(const Event& event) {
    std::vector<std::shared_ptr<Subscription::State>> live;
    {
        std::lock_guard lock(mutex_);
        live.reserve(subscribers_.size());
        std::erase_if(subscribers_, [&](const std::weak_ptr<Subscription::State>& weak) {
            auto state = weak.lock();
            if (!state) return true;
            live.push_back(std::move(state));
            return false;
        });
    }
    for (const auto& state : live) {
        if (state->queued) {
            state->enqueue(event);
            continue;
        }
        {
            std::lock_guard lock(state->mutex);
            if (!state->open) continue;
        }
        state->handler(event);
    }
}

}  // namespace gatewatch::events
