#include "service/change_feed.hpp"

#include "log/rate_limit.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>

namespace gatewatch::service {
namespace {
constexpr std::size_t k_batch = 1000;
}

ChangeFeed::ChangeFeed(store::Store& store, events::EventBus& bus, std::chrono::milliseconds every)
    : store_(store), bus_(bus), every_(every), seen_(store.last_change()) {}

ChangeFeed::~ChangeFeed() { stop(); }

void ChangeFeed::start() {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "gw-feed");
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            poll();
            lock.lock();
            wake_.wait_for(lock, every_, [this] { return stopping_ || woken_; });
            woken_ = false;
        }
    });
}

void ChangeFeed::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void ChangeFeed::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ChangeFeed::poll() {
    try {
        for (;;) {
            const auto changes = store_.changes_after(seen_, k_batch);
            if (!changes) {  // fell behind the log: everything may have changed
                seen_ = store_.last_change();
                bus_.publish(events::Reload{});
                return;
            }
            for (const auto& change : *changes) {
                seen_ = change.seq;
                if (change.origin != store_.origin()) publish(change);
            }
            if (changes->size() < k_batch) return;
        }
    } catch (const std::exception& e) {
        static log::RateLimit failures{std::chrono::seconds(1)};
        if (const auto skipped = failures.due())
            spdlog::warn("change feed: cannot read changes: {} ({} more since the last line)", e.what(), *skipped);
    }
}

void ChangeFeed::publish(const store::Change& change) {
    using Kind = store::Change::Kind;
    switch (change.entity) {
        case store::Entity::user:
            bus_.publish(events::AccountChanged{change.key});
            return;
        case store::Entity::room:
            bus_.publish(events::RoomChanged{change.id});
            return;
        case store::Entity::configuration:  // a whole configuration applied at once (`gatewatch apply`)
            bus_.publish(events::Reload{});
            return;
        case store::Entity::notifiers:  // another node's (the dispatchers read them all again)
            bus_.publish(events::NotifiersChanged{});
            return;
        case store::Entity::device: {
            // The row as it is now, not as it was then: later changes of the
            // same device follow in the feed and say the same or newer.
            auto device = change.kind == Kind::deleted ? std::nullopt : store_.find_device(change.id);
            if (device && change.kind == Kind::created) {
                bus_.publish(events::DeviceAdded{*device});
            } else if (device) {
                bus_.publish(events::DeviceUpdated{*device});
            } else {
                store::Device gone;
                gone.id = change.id;
                gone.ip = change.key;
                bus_.publish(events::DeviceRemoved{gone});
            }
            return;
        }
    }
}

}  // namespace gatewatch::service
