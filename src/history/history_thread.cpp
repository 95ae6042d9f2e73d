#include "history/history_thread.hpp"

#include "log/rate_limit.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>
#include <pthread.h>

#include <atomic>
#include <future>
#include <optional>
#include <unordered_set>
#include <thread>

namespace gatewatch::history {
namespace asio = boost::asio;

namespace {
std::int64_t wall_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

struct HistoryThread::Impl {
    store::HistoryStore& store;
    events::EventBus& bus;
    HistoryOptions options;
    Companion* companion;
    Recorder recorder;
    std::optional<Recorder> view;  // several nodes: this location's view
    std::shared_ptr<const std::unordered_set<std::int64_t>> probed, reported;  // the last Assignment's
    std::atomic<std::int64_t> probing_stopped_ms{0};
    asio::io_context ioc{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    asio::steady_timer flush_timer{ioc};
    asio::steady_timer events_timer{ioc};
    asio::steady_timer retention_timer{ioc};
    bool events_timer_armed = false;
    // Set by stop(): a timer whose wait had already ended when stop() cancelled
    // it still runs its handler (with success); re-armed, it would keep the
    // loop, and the process, alive for ever (seen at 30,000 devices, where the
    // loop is busy long enough for this to happen).
    bool stopping = false;
    std::future<void> retention;  // the running retention, if any
    events::Subscription subscription;
    std::thread thread;
    log::RateLimit warnings{std::chrono::seconds(60)};

    Impl(store::HistoryStore& s, events::EventBus& b, HistoryOptions o, Companion* c)
        : store(s), bus(b), options(o), companion(c), recorder(s, wall_seconds) {
        if (!options.node_name.empty()) view.emplace(s, wall_seconds, options.location);
    }

    void on_event(const events::Event& event) {
        Companion::Seen seen;
        if (companion != nullptr) guarded("deciding notifications", [&] { seen = companion->observe(event); });
        if (!seen.deliveries.empty()) recorder.add_deliveries(std::move(seen.deliveries));
        if (std::holds_alternative<events::Reload>(event)) {
            // The bus says so after this queue overflowed, and after a bulk import (many devices at once).
            if (warnings.due()) spdlog::info("history: told to reload; rounds may have been missed if its queue overflowed");
        } else if (const auto* a = std::get_if<events::Assignment>(&event)) {
            guarded("handing devices over", [&] { assign(*a); });
        } else if (const auto* l = std::get_if<events::LocationRound>(&event)) {
            if (view && !l->relayed && l->node == options.node_name && (!probed || probed->contains(l->round.device_id)))
                guarded("recording", [&] { view->apply(l->round); });
        } else if (!reported_here(event)) {
            // A round the engine finished before it heard that the device moved: recording it would
            // bring the device back here, over the chunks of the node that took it.
        } else {
            guarded("recording", [&] { recorder.apply(event, seen.muted); });
            if (view && std::holds_alternative<events::DeviceRemoved>(event))
                guarded("recording", [&] { view->apply(event); });
        }
        if ((recorder.has_pending_events() || (view && view->has_pending_events())) && !events_timer_armed &&
            !stopping) {
            events_timer_armed = true;
            events_timer.expires_after(std::chrono::milliseconds(500));
            events_timer.async_wait([this](boost::system::error_code ec) {
                events_timer_armed = false;
                if (!ec && !stopping) guarded("writing status changes", [this] { flush_events(); });
            });
        }
    }

    // Several nodes: whether this node records the device's own history.
    bool reported_here(const events::Event& event) const {
        if (!reported) return true;  // one node, or no Assignment yet
        std::int64_t id = 0;
        if (const auto* r = std::get_if<events::RoundFinished>(&event)) id = r->device_id;
        else if (const auto* c = std::get_if<events::StatusChanged>(&event)) id = c->device_id;
        else return true;
        return reported->contains(id);
    }

    // The same pointers while nothing moved (an Assignment comes every second).
    void assign(const events::Assignment& a) {
        static const std::unordered_set<std::int64_t> none;
        const auto& own = a.reported ? a.reported : a.devices;
        if (own != reported) {
            reported = own;
            recorder.keep_only(own ? *own : none);
        }
        if (view && a.devices != probed) {
            probed = a.devices;
            view->keep_only(probed ? *probed : none);
        }
    }

    template <typename Work>
    void guarded(const char* what, Work&& task) {
        try {
            task();
        } catch (const std::exception& e) {
            if (warnings.due()) spdlog::error("history: {}: {}", what, e.what());
        }
    }

    void flush_events() {
        const bool deliveries = recorder.has_pending_events();
        if (view) guarded("writing a location's status changes", [this] { view->flush_events(); });
        recorder.flush_events();
        if (deliveries && companion != nullptr) companion->written();
    }

    void flush() {
        const bool deliveries = recorder.has_pending_events();
        if (view) guarded("writing a location's rounds", [this] { view->flush(); });
        recorder.flush();
        if (deliveries && companion != nullptr) companion->written();
    }

    void arm_flush() {
        flush_timer.expires_after(options.flush_interval);
        flush_timer.async_wait([this](boost::system::error_code ec) {
            if (ec || stopping) return;
            guarded("writing rounds", [this] { flush(); });
            arm_flush();
        });
    }

    void arm_retention(std::chrono::milliseconds after) {
        retention_timer.expires_after(after);
        retention_timer.async_wait([this](boost::system::error_code ec) {
            if (ec || stopping) return;
            // Off this thread: removing a day of chunks takes seconds at 100,000 devices.
            if (!retention.valid() || retention.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
                retention = std::async(std::launch::async, [this] {
                    pthread_setname_np(pthread_self(), "gw-retention");
                    Recorder trimmer(store, wall_seconds);
                    guarded("removing old history", [&] { trimmer.retain(); });
                });
            }
            arm_retention(options.retention_interval);
        });
    }
};

HistoryThread::HistoryThread(store::HistoryStore& store, events::EventBus& bus, HistoryOptions options,
                             Companion* companion)
    : impl_(std::make_unique<Impl>(store, bus, options, companion)) {
    impl_->subscription = bus.subscribe(impl_->ioc.get_executor(), options.queue_capacity,
                                        [impl = impl_.get()](const events::Event& e) { impl->on_event(e); });
}

HistoryThread::~HistoryThread() { stop(); }

void HistoryThread::start() {
    if (impl_->thread.joinable()) return;
    impl_->arm_flush();
    impl_->arm_retention(std::chrono::seconds(30));  // soon after a start, then hourly
    impl_->thread = std::thread([impl = impl_.get()] {
        pthread_setname_np(pthread_self(), "gw-history");
        impl->ioc.run();
    });
}

void HistoryThread::probing_stopped() {
    std::int64_t unset = 0;  // the first call's time: a later one must not move it past a takeover
    impl_->probing_stopped_ms.compare_exchange_strong(
        unset, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count());
}

void HistoryThread::stop() {
    if (!impl_->thread.joinable()) return;
    asio::post(impl_->ioc, [impl = impl_.get()] {
        impl->stopping = true;
        impl->subscription = {};  // nothing more arrives; what was queued is dropped
        impl->flush_timer.cancel();
        impl->events_timer.cancel();
        impl->retention_timer.cancel();
        const std::int64_t stopped = impl->probing_stopped_ms.load();
        const auto at = stopped != 0 ? std::optional(stopped) : std::nullopt;
        impl->guarded("writing the last rounds", [impl, at] { impl->recorder.stop(at); });
        if (impl->view) impl->guarded("writing the last rounds", [impl, at] { impl->view->stop(at); });
        impl->work.reset();
    });
    impl_->thread.join();
    if (impl_->retention.valid()) impl_->retention.wait();
}

}  // namespace gatewatch::history
