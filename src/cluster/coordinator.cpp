// One node among several (coordinator.hpp).
#include "cluster/coordinator.hpp"

#include "cluster/rendezvous.hpp"
#include "log/rate_limit.hpp"
#include "util/overloaded.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace gatewatch::cluster {
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;
using DeviceSet = std::unordered_set<std::int64_t>;

namespace {

// The ownership rows' location of a device that any one node may probe.
constexpr const char* k_any_location = "*";
constexpr std::size_t k_event_queue = 1 << 16;
constexpr std::size_t k_poll_batch = 5'000;

std::int64_t ms_of(WallClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallClock::time_point time_of(std::int64_t ms) { return WallClock::time_point(std::chrono::milliseconds(ms)); }

monitor::Status status_of(std::string_view text) {
    if (text == "connected") return monitor::Status::connected;
    if (text == "disconnected") return monitor::Status::disconnected;
    return monitor::Status::unknown;
}

}  // namespace

struct Coordinator::Impl {
    CoordinatorOptions opt;
    store::PgCluster& cluster;
    store::Store& store;
    events::EventBus& bus;
    asio::io_context ioc{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    std::thread thread;
    events::Subscription subscription;
    asio::steady_timer tick_timer{ioc}, rebalance_timer{ioc}, flush_timer{ioc}, poll_timer{ioc};
    bool rebalance_armed = false, flush_armed = false;

    struct DeviceInfo {
        std::optional<std::int64_t> parent;
        bool monitored = false;
    };
    std::unordered_map<std::int64_t, DeviceInfo> devices;
    bool devices_loaded = false;
    // What this node wins, kept between ticks: computed again only when the
    // devices or the live nodes changed (a pass over every device).
    DeviceSet wanted;
    bool wanted_stale = true;
    bool settled = false;  // held == wanted at the last rebalance: a tick has nothing to claim
    std::vector<std::string> live;  // the live nodes' names, in name order
    std::optional<std::int64_t> epoch;
    SteadyClock::time_point lease_until{};
    std::shared_ptr<const DeviceSet> held = std::make_shared<const DeviceSet>();

    // What was last written of each held device, and what waits to be.
    struct Relayed {
        monitor::Status status = monitor::Status::unknown;
        std::optional<std::int64_t> unreachable_via;
        WallClock::time_point at;
    };
    std::unordered_map<std::int64_t, Relayed> relayed;
    std::unordered_map<std::int64_t, events::RoundFinished> pending;
    std::int64_t seen_seq = 0;

    // Read by other threads (GET /readyz, /nodes/).
    mutable std::mutex state_mutex;
    std::string state_text = "joining";
    std::atomic<std::int64_t> lease_until_ns{0};
    std::atomic<std::size_t> held_count{0};

    Impl(CoordinatorOptions o, store::PgCluster& c, store::Store& s, events::EventBus& b)
        : opt(std::move(o)), cluster(c), store(s), bus(b) {}

    const std::string& me() const { return opt.node.name; }

    void set_state(std::string text) {
        std::lock_guard lock(state_mutex);
        state_text = std::move(text);
    }

    void warn(const char* what, const std::exception& e) {
        static log::RateLimit limit{std::chrono::seconds(5)};
        if (const auto skipped = limit.due())
            spdlog::warn("cluster: {}: {} ({} more since the last line)", what, e.what(), *skipped);
    }

    // --- devices -------------------------------------------------------------
    void put(const store::Device& d) {
        devices[d.id] = {d.parent_id, d.monitored};
        wanted_stale = true;
    }

    void load_devices() {
        devices.clear();
        for (const auto& d : store.list_devices(std::nullopt)) put(d);
        devices_loaded = true;
        wanted_stale = true;
    }

    // --- membership and ownership --------------------------------------------
    void tick() {
        const auto began = SteadyClock::now();
        try {
            if (!devices_loaded) load_devices();
            const std::int64_t now_epoch =
                cluster.heartbeat(opt.node, epoch, static_cast<std::int64_t>(held->size()));
            if (epoch != now_epoch) {
                if (epoch)
                    spdlog::warn("cluster: node {} joined again (epoch {}): its lease had lapsed", me(), now_epoch);
                else
                    spdlog::info("cluster: node {} joined in location {} (epoch {})", me(), opt.node.location,
                                 now_epoch);
                epoch = now_epoch;
                forget_held();  // rows of the old epoch are claimed again below
            }
            auto now_live = cluster.live_nodes();
            if (now_live != live) wanted_stale = true;
            live = std::move(now_live);
            lease_until = began + opt.liveness - opt.margin;
            lease_until_ns = lease_until.time_since_epoch().count();
            set_state("ok");
            rebalance();
        } catch (const std::exception& e) {
            warn("the database is unreachable", e);
            set_state(std::string("database unreachable: ") + e.what());
            if (SteadyClock::now() >= lease_until && !held->empty()) {
                // The engine stopped by itself at lease_until; what it held
                // may be another node's by now.
                forget_held();
                bus.publish(events::Assignment{held, lease_until});
            }
        }
        tick_timer.expires_at(began + opt.heartbeat);
        tick_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) tick();
        });
    }

    void forget_held() {
        settled = false;
        held = std::make_shared<const DeviceSet>();
        held_count = 0;
        relayed.clear();
        pending.clear();
    }

    // The devices this node wins, claimed; the ones it no longer wins, released.
    void rebalance() {
        if (!epoch || SteadyClock::now() >= lease_until) return;
        if (wanted_stale) {
            wanted = winners();
            wanted_stale = false;
            settled = false;
        }
        if (settled) {  // nothing moved since everything was claimed: renew only
            bus.publish(events::Assignment{held, lease_until});
            return;
        }
        std::vector<std::int64_t> letting_go, claiming;
        for (const auto id : *held)
            if (!wanted.contains(id)) letting_go.push_back(id);
        for (const auto id : wanted)
            if (!held->contains(id)) claiming.push_back(id);
        cluster.release(me(), k_any_location, letting_go);
        const auto claimed = cluster.claim(me(), *epoch, k_any_location, claiming);
        settled = claimed.size() == claiming.size();  // else a live node still holds some: try at the next tick
        if (!letting_go.empty() || !claimed.empty()) {
            auto next = std::make_shared<DeviceSet>(*held);
            for (const auto id : letting_go) {
                next->erase(id);
                relayed.erase(id);
                pending.erase(id);
            }
            next->insert(claimed.begin(), claimed.end());
            held = std::move(next);
            held_count = held->size();
            cluster.report_devices(me(), *epoch, static_cast<std::int64_t>(held->size()));
            spdlog::info("cluster: probing {} devices ({} claimed, {} handed on; {} live nodes)", held->size(),
                         claimed.size(), letting_go.size(), live.size());
        }
        bus.publish(events::Assignment{held, lease_until});
    }

    // The monitored devices this node wins among the live nodes.
    DeviceSet winners() const {
        std::unordered_map<std::int64_t, std::int64_t> parent_of;
        for (const auto& [id, d] : devices)
            if (d.parent) parent_of.emplace(id, *d.parent);
        DeviceSet out;
        if (!std::binary_search(live.begin(), live.end(), me())) return out;
        for (const auto& [id, d] : devices) {
            if (!d.monitored) continue;
            const auto owner = rendezvous_owner(static_cast<std::uint64_t>(dependency_root(id, parent_of)), live);
            if (owner && live[*owner] == me()) out.insert(id);
        }
        return out;
    }

    // A device event: rebalance within 50 ms (a bulk import is one pass).
    void rebalance_soon() {
        if (rebalance_armed) return;
        rebalance_armed = true;
        rebalance_timer.expires_after(std::chrono::milliseconds(50));
        rebalance_timer.async_wait([this](boost::system::error_code ec) {
            rebalance_armed = false;
            if (ec) return;
            try {
                if (!devices_loaded) load_devices();
                rebalance();
            } catch (const std::exception& e) {
                warn("rebalancing failed", e);  // the next tick tries again
            }
        });
    }

    // --- statuses --------------------------------------------------------------
    void relay(const events::RoundFinished& r) {
        if (!held->contains(r.device_id)) return;
        auto it = relayed.find(r.device_id);
        const bool due = it == relayed.end() || it->second.status != r.status ||
                         it->second.unreachable_via != r.unreachable_via || r.at - it->second.at >= opt.refresh;
        if (!due) return;
        relayed[r.device_id] = {r.status, r.unreachable_via, r.at};
        pending[r.device_id] = r;
        if (flush_armed) return;
        flush_armed = true;
        flush_timer.expires_after(opt.flush);
        flush_timer.async_wait([this](boost::system::error_code ec) {
            flush_armed = false;
            if (!ec) flush();
        });
    }

    void flush() {
        if (pending.empty() || !epoch) return;
        std::vector<store::RelayedStatus> rows;
        rows.reserve(pending.size());
        for (const auto& [id, r] : pending)
            rows.push_back({id, k_any_location, me(), r.ip, monitor::to_string(r.status), r.rtt_ms, r.loss,
                            r.since ? std::optional(ms_of(*r.since)) : std::nullopt, ms_of(r.at), r.unreachable_via,
                            0});
        try {
            cluster.publish(me(), *epoch, rows);
            pending.clear();
        } catch (const std::exception& e) {
            warn("statuses not written", e);  // kept, and tried again
            flush_armed = true;
            flush_timer.expires_after(std::chrono::seconds(1));
            flush_timer.async_wait([this](boost::system::error_code ec) {
                flush_armed = false;
                if (!ec) flush();
            });
        }
    }

    void poll() {
        try {
            for (;;) {
                const auto rows = cluster.statuses_after(seen_seq, k_poll_batch);
                for (const auto& r : rows) {
                    seen_seq = r.seq;
                    if (held->contains(r.device_id)) continue;  // probed here: the engine's rounds are newer
                    events::RoundFinished round;
                    round.device_id = r.device_id;
                    round.ip = r.ip;
                    round.status = status_of(r.status);
                    round.ok = round.status == monitor::Status::connected;
                    round.rtt_ms = r.rtt_ms;
                    round.loss = r.loss;
                    if (r.since_ms) round.since = time_of(*r.since_ms);
                    round.at = time_of(r.at_ms);
                    round.unreachable_via = r.unreachable_via;
                    bus.publish(events::RoundRelayed{std::move(round), r.node});
                }
                if (rows.size() < k_poll_batch) break;
            }
        } catch (const std::exception& e) {
            warn("statuses not read", e);
        }
        poll_timer.expires_after(opt.poll);
        poll_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) poll();
        });
    }

    void on_event(const events::Event& event) {
        std::visit(util::Overloaded{
                       [&](const events::DeviceAdded& e) {
                           put(e.device);
                           rebalance_soon();
                       },
                       [&](const events::DeviceUpdated& e) {
                           put(e.device);
                           rebalance_soon();
                       },
                       [&](const events::DeviceRemoved& e) {
                           devices.erase(e.device.id);
                           wanted_stale = true;
                           rebalance_soon();
                       },
                       [&](const events::Reload&) {
                           devices_loaded = false;
                           rebalance_soon();
                       },
                       [&](const events::RoundFinished& e) { relay(e); },
                       [](const auto&) {},
                   },
                   event);
    }

    // On this thread, last: what is pending written, the devices freed.
    void leave() {
        for (auto* timer : {&tick_timer, &rebalance_timer, &flush_timer, &poll_timer}) timer->cancel();
        flush();
        if (!epoch) return;
        try {
            cluster.leave(me(), *epoch);
            spdlog::info("cluster: node {} left; its {} devices are free for the others", me(), held->size());
        } catch (const std::exception& e) {
            spdlog::warn("cluster: leaving failed ({}): the others take its devices when its lease lapses", e.what());
        }
    }
};

Coordinator::Coordinator(CoordinatorOptions options, store::PgCluster& cluster, store::Store& store,
                         events::EventBus& bus)
    : impl_(std::make_unique<Impl>(std::move(options), cluster, store, bus)) {}

Coordinator::~Coordinator() { stop(); }

void Coordinator::start() {
    Impl& c = *impl_;
    c.subscription = c.bus.subscribe(c.ioc.get_executor(), k_event_queue,
                                     [&c](const events::Event& e) { c.on_event(e); });
    c.keep_running.emplace(c.ioc.get_executor());
    // The first heartbeat before start() returns, so that a node that
    // answers HTTP is already a member (or says why not in /readyz).
    std::promise<void> joined;
    asio::post(c.ioc, [&c, &joined] {
        c.tick();
        joined.set_value();
        c.poll();
    });
    c.thread = std::thread([&c] {
        pthread_setname_np(pthread_self(), "gw-cluster");
        c.ioc.run();
    });
    joined.get_future().wait();
}

void Coordinator::stop() {
    Impl& c = *impl_;
    if (!c.thread.joinable()) return;
    c.subscription = events::Subscription();
    asio::post(c.ioc, [&c] {
        c.leave();
        c.ioc.stop();
    });
    c.thread.join();
}

std::string Coordinator::state() const {
    const Impl& c = *impl_;
    {
        std::lock_guard lock(c.state_mutex);
        if (c.state_text != "ok") return c.state_text;
    }
    if (SteadyClock::now().time_since_epoch().count() >= c.lease_until_ns) return "lease lapsed";
    return "ok";
}

std::size_t Coordinator::devices() const { return impl_->held_count.load(); }

}  // namespace gatewatch::cluster
