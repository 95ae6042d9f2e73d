// One node among several (coordinator.hpp).
#include "cluster/coordinator.hpp"

#include "cluster/decisions.hpp"
#include "cluster/quorum.hpp"
#include "cluster/rendezvous.hpp"
#include "log/rate_limit.hpp"
#include "util/overloaded.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace gatewatch::cluster {
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;
using DeviceSet = std::unordered_set<std::int64_t>;

namespace {

// Another live node holds this node's name (PgCluster::heartbeat).
struct NameInUse : std::runtime_error {
    explicit NameInUse(const std::string& name)
        : std::runtime_error("node name " + name + " is in use by another live node; waiting for its heartbeat to "
                             "lapse (give each node a node_name of its own)") {}
};

// The ownership rows' location of a device that any one node may probe.
constexpr const char* k_any_location = "*";
constexpr std::size_t k_event_queue = 1 << 16;
constexpr std::size_t k_poll_batch = 5'000;

std::int64_t ms_of(WallClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallClock::time_point time_of(std::int64_t ms) { return WallClock::time_point(std::chrono::milliseconds(ms)); }
std::optional<WallClock::time_point> time_of_optional(const std::optional<std::int64_t>& ms) {
    return ms ? std::optional(time_of(*ms)) : std::nullopt;
}

monitor::Status status_of(std::string_view text) {
    if (text == "connected") return monitor::Status::connected;
    if (text == "disconnected") return monitor::Status::disconnected;
    return monitor::Status::unknown;
}

// A status another node wrote, as the round it describes.
events::RoundFinished round_of(const store::RelayedStatus& r) {
    events::RoundFinished round;
    round.device_id = r.device_id;
    round.ip = r.ip;
    round.status = status_of(r.status);
    round.ok = round.status == monitor::Status::connected;
    round.rtt_ms = r.rtt_ms;
    round.loss = r.loss;
    round.since = time_of_optional(r.since_ms);
    round.at = time_of(r.at_ms);
    round.unreachable_via = r.unreachable_via;
    return round;
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

    // LISTEN/NOTIFY (opt.notify): the listening session, its socket on this
    // loop (a duplicate of libpq's, which stays libpq's to close), and
    // when this node sends NOTIFY again after the database refused one.
    std::unique_ptr<store::PgListener> listener;
    std::optional<asio::posix::stream_descriptor> listen_socket;
    SteadyClock::time_point next_listen_attempt{}, next_notify_attempt{};

    struct DeviceInfo {
        std::string ip;
        std::optional<std::int64_t> parent;
        bool monitored = false;
        std::optional<std::vector<std::string>> locations;  // none: any one node
        int quorum = 1;
    };
    std::unordered_map<std::int64_t, DeviceInfo> devices;
    bool devices_loaded = false;
    // What this node wins, kept between ticks: computed again only when the
    // devices or the live nodes changed (a pass over every device).
    // The value: whether it is held at this node's location (the device
    // lists locations) or as any one node ("*").
    std::unordered_map<std::int64_t, bool> wanted;
    bool wanted_stale = true;
    bool settled = false;  // held == wanted at the last rebalance: a tick has nothing to claim
    std::vector<store::LiveNode> live;  // in name order
    std::vector<std::string> live_names;
    std::set<std::string, std::less<>> live_locations;
    std::optional<std::int64_t> epoch;
    SteadyClock::time_point lease_until{};
    std::shared_ptr<const DeviceSet> held = std::make_shared<const DeviceSet>();
    std::unordered_map<std::int64_t, bool> held_here;  // as `wanted`, for each held device
    // Devices that list locations and that this node decides: it holds their
    // (device, "*") row too, so two nodes never decide one device at once,
    // even while they disagree for a second about who is live.
    DeviceSet deciding;
    // Assignment::reported: the held devices whose own status this node
    // publishes, rebuilt when `held` or `deciding` changed.
    std::shared_ptr<const DeviceSet> reported = std::make_shared<const DeviceSet>();
    bool reported_stale = false;

    // What was last written of each held device, and what waits to be: the
    // device's own status ("*": the engine's rounds, or the combination this
    // node decides), and this location's view of devices that list locations.
    struct Relayed {
        monitor::Status status = monitor::Status::unknown;
        std::optional<std::int64_t> unreachable_via;
        WallClock::time_point at;
    };
    struct Channel {
        std::unordered_map<std::int64_t, Relayed> relayed;
        std::unordered_map<std::int64_t, events::RoundFinished> pending;
        void forget(std::int64_t id) {
            relayed.erase(id);
            pending.erase(id);
        }
        void clear() {
            relayed.clear();
            pending.clear();
        }
    };
    Channel own_status, location_view;
    std::int64_t seen_seq = 0;

    Decisions decisions;  // the devices that list locations: their views and combined status

    // Read by other threads (GET /readyz, /nodes/).
    mutable std::mutex state_mutex;
    std::string state_text = "joining";
    std::atomic<std::int64_t> lease_until_ns{0};
    std::atomic<std::size_t> held_count{0};

    Impl(CoordinatorOptions o, store::PgCluster& c, store::Store& s, events::EventBus& b)
        : opt(std::move(o)), cluster(c), store(s), bus(b) {}

    const std::string& me() const { return opt.node.name; }
    const std::string& here() const { return opt.node.location; }

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
    // A device as stored now. Its views and combined status stay (a Reload
    // reads every device again: the decision goes on where it was), except
    // what no longer applies: a new address or monitoring starts afresh, as
    // the engine does, and a location no longer listed has no say.
    void put(const store::Device& d) {
        const auto before = devices.find(d.id);
        if (before != devices.end() && (before->second.ip != d.ip || before->second.monitored != d.monitored))
            decisions.forget(d.id);
        else
            decisions.keep_listed(d.id, d.locations);
        devices[d.id] = {d.ip, d.parent_id, d.monitored, d.locations, d.quorum};
        wanted_stale = true;
    }

    void forget_device(std::int64_t id) {
        devices.erase(id);
        decisions.forget(id);
        wanted_stale = true;
    }

    void load_devices() {
        const auto stored = store.list_devices(std::nullopt);
        std::unordered_set<std::int64_t> present;
        for (const auto& d : stored) {
            put(d);
            present.insert(d.id);
        }
        std::vector<std::int64_t> gone;
        for (const auto& [id, info] : devices)
            if (!present.contains(id)) gone.push_back(id);
        for (const auto id : gone) forget_device(id);
        devices_loaded = true;
        wanted_stale = true;
    }

    // --- membership and ownership --------------------------------------------
    void tick() {
        const auto began = SteadyClock::now();
        try {
            if (!devices_loaded) load_devices();
            const auto renewed = cluster.heartbeat(opt.node, epoch, static_cast<std::int64_t>(held->size()));
            if (!renewed) throw NameInUse(me());
            const std::int64_t now_epoch = *renewed;
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
            if (now_live != live) {
                wanted_stale = true;
                live = std::move(now_live);
                live_names.clear();
                live_locations.clear();
                for (const auto& n : live) {
                    live_names.push_back(n.name);
                    live_locations.insert(n.location);
                }
            }
            lease_until = began + opt.liveness - opt.margin;
            lease_until_ns = lease_until.time_since_epoch().count();
            set_state("ok");
            rebalance();  // first: a slow LISTEN connection must not hold back the Assignment
            if (opt.notify && !listener && began >= next_listen_attempt) listen();
        } catch (const std::exception& e) {
            if (dynamic_cast<const NameInUse*>(&e) != nullptr) {
                warn("waiting to join", e);
                set_state(e.what());
            } else {
                warn("the database is unreachable", e);
                set_state(std::string("database unreachable: ") + e.what());
            }
            if (SteadyClock::now() >= lease_until && !held->empty()) {
                // The engine stopped by itself at lease_until; what it held
                // may be another node's by now.
                forget_held();
                publish_assignment();
            }
        }
        tick_timer.expires_at(began + opt.heartbeat);
        tick_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) tick();
        });
    }

    void publish_assignment() {
        if (reported_stale) {
            auto next = std::make_shared<DeviceSet>();
            for (const auto& [id, at_here] : held_here)
                if (!at_here || deciding.contains(id)) next->insert(id);
            reported = std::move(next);
            reported_stale = false;
        }
        bus.publish(events::Assignment{held, lease_until, reported});
    }

    void forget_held() {
        reported_stale = true;
        settled = false;
        held = std::make_shared<const DeviceSet>();
        held_here.clear();
        deciding.clear();
        held_count = 0;
        own_status.clear();
        location_view.clear();
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
            publish_assignment();
            return;
        }
        // [0]: as any one node ("*"), [1]: at this node's location. A device
        // whose key changed (its locations were edited) is let go and claimed again.
        std::vector<std::int64_t> letting_go[2], claiming[2];
        for (const auto& [id, at_here] : held_here) {
            const auto w = wanted.find(id);
            if (w == wanted.end() || w->second != at_here) letting_go[at_here].push_back(id);
        }
        for (const auto& [id, at_here] : wanted) {
            const auto h = held_here.find(id);
            if (h == held_here.end() || h->second != at_here) claiming[at_here].push_back(id);
        }
        // The decisions: the devices held (or taken now) here whose first
        // listed location with a live node is this one.
        std::vector<std::int64_t> stop_deciding, start_deciding;
        for (const auto id : deciding)
            if (!should_decide(id)) stop_deciding.push_back(id);
        for (const auto& [id, at_here] : wanted)
            if (at_here && !deciding.contains(id) && should_decide(id)) start_deciding.push_back(id);
        cluster.release(me(), here(), letting_go[1]);
        // One statement for the "*" rows: devices any node may probe, and decisions.
        auto any_gone = letting_go[0];
        any_gone.insert(any_gone.end(), stop_deciding.begin(), stop_deciding.end());
        cluster.release(me(), k_any_location, any_gone);
        reported_stale = reported_stale || !stop_deciding.empty() || !start_deciding.empty();
        for (const auto id : stop_deciding) {
            deciding.erase(id);
            own_status.forget(id);
        }
        auto any_wanted = claiming[0];
        any_wanted.insert(any_wanted.end(), start_deciding.begin(), start_deciding.end());
        const auto any_claimed = cluster.claim(me(), *epoch, k_any_location, any_wanted);
        std::vector<std::int64_t> claimed[2];
        claimed[1] = cluster.claim(me(), *epoch, here(), claiming[1]);
        std::size_t decisions_taken = 0;
        for (const auto id : any_claimed) {
            const auto d = devices.find(id);
            if (d != devices.end() && d->second.locations) {
                deciding.insert(id);
                ++decisions_taken;
            } else {
                claimed[0].push_back(id);
            }
        }
        // Else a live node still holds some: try at the next tick.
        settled = claimed[0].size() == claiming[0].size() && claimed[1].size() == claiming[1].size() &&
                  decisions_taken == start_deciding.size();
        const auto gone = letting_go[0].size() + letting_go[1].size();
        const auto taken = claimed[0].size() + claimed[1].size();
        if (gone != 0 || taken != 0) {
            auto next = std::make_shared<DeviceSet>(*held);
            for (const bool at_here : {false, true})
                for (const auto id : letting_go[at_here]) {
                    next->erase(id);
                    held_here.erase(id);
                    own_status.forget(id);
                    location_view.forget(id);
                }
            for (const bool at_here : {false, true})
                for (const auto id : claimed[at_here]) {
                    next->insert(id);
                    held_here[id] = at_here;
                }
            held = std::move(next);
            reported_stale = true;
            held_count = held->size();
            cluster.report_devices(me(), *epoch, static_cast<std::int64_t>(held->size()));
            spdlog::info("cluster: probing {} devices ({} claimed, {} handed on; {} live nodes)", held->size(), taken,
                         gone, live.size());
        }
        publish_assignment();
        // A decision taken over: combined at once from the views known here.
        for (const auto id : start_deciding)
            if (deciding.contains(id) && decisions.sees(id, here())) decide(id, nullptr);
    }

    // Whether this node should decide `id`: it lists locations, this node
    // wins it here, and here is the first of them with a live node.
    bool should_decide(std::int64_t id) const {
        const auto d = devices.find(id);
        const auto w = wanted.find(id);
        if (d == devices.end() || !d->second.locations || w == wanted.end() || !w->second) return false;
        return deciding_location(*d->second.locations, live_locations) == here();
    }

    // The monitored devices this node wins: a device any node may probe
    // among all live nodes, a device that lists this node's location among
    // the live nodes there.
    std::unordered_map<std::int64_t, bool> winners() const {
        std::unordered_map<std::int64_t, std::int64_t> parent_of;
        for (const auto& [id, d] : devices)
            if (d.parent) parent_of.emplace(id, *d.parent);
        std::unordered_map<std::int64_t, bool> out;
        if (!std::binary_search(live_names.begin(), live_names.end(), me())) return out;
        std::vector<std::string> neighbours;  // the live nodes of this location, in name order
        for (const auto& n : live)
            if (n.location == here()) neighbours.push_back(n.name);
        for (const auto& [id, d] : devices) {
            if (!d.monitored) continue;
            const bool at_here = d.locations.has_value();
            if (at_here && std::find(d.locations->begin(), d.locations->end(), here()) == d.locations->end()) continue;
            const auto& among = at_here ? neighbours : live_names;
            const auto owner = rendezvous_owner(static_cast<std::uint64_t>(dependency_root(id, parent_of)), among);
            if (owner && among[*owner] == me()) out.emplace(id, at_here);
        }
        return out;
    }

    // Whether this node combines the views of `id` (cluster/quorum.hpp):
    // it holds the decision's row and still probes the device here.
    bool decides(std::int64_t id) const { return deciding.contains(id) && held->contains(id); }

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
    void relay(Channel& channel, const events::RoundFinished& r) {
        if (!held->contains(r.device_id)) return;
        auto it = channel.relayed.find(r.device_id);
        const bool due = it == channel.relayed.end() || it->second.status != r.status ||
                         it->second.unreachable_via != r.unreachable_via || r.at - it->second.at >= opt.refresh;
        if (!due) return;
        channel.relayed[r.device_id] = {r.status, r.unreachable_via, r.at};
        channel.pending[r.device_id] = r;
        if (flush_armed) return;
        flush_armed = true;
        flush_timer.expires_after(opt.flush);
        flush_timer.async_wait([this](boost::system::error_code ec) {
            flush_armed = false;
            if (!ec) flush();
        });
    }

    void flush() {
        if ((own_status.pending.empty() && location_view.pending.empty()) || !epoch) return;
        std::vector<store::RelayedStatus> rows;
        rows.reserve(own_status.pending.size() + location_view.pending.size());
        // The row that entitles each write: a view, the device held here; the
        // device's own status, the "*" row (held as any one node, or as its
        // decider; a decision handed on meanwhile is not written).
        const auto add = [&](const events::RoundFinished& r, const std::string& location) {
            const auto h = held_here.find(r.device_id);
            if (h == held_here.end()) return;
            const bool view = location != k_any_location;
            if (!view && h->second && !deciding.contains(r.device_id)) return;
            rows.push_back({r.device_id, location, me(), view ? here() : k_any_location, std::string(), r.ip,
                            monitor::to_string(r.status), r.rtt_ms, r.loss,
                            r.since ? std::optional(ms_of(*r.since)) : std::nullopt, ms_of(r.at), r.unreachable_via,
                            0});
        };
        for (const auto& [id, r] : own_status.pending) add(r, k_any_location);
        for (const auto& [id, r] : location_view.pending) add(r, here());
        try {
            cluster.publish(me(), *epoch, rows);
            own_status.pending.clear();
            location_view.pending.clear();
            if (opt.notify && SteadyClock::now() >= next_notify_attempt) notify_others();
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
                    const auto d = devices.find(r.device_id);
                    const bool listed = d != devices.end() && d->second.locations;
                    if (r.location != k_any_location) {
                        if (r.location == here() && held->contains(r.device_id)) continue;  // probed here
                        if (listed) take_view(r);
                        continue;
                    }
                    if (listed)  // the decider's, or where a decider here starts from
                        decisions.seed(r.device_id, status_of(r.status), time_of_optional(r.since_ms),
                                       decides(r.device_id));
                    if (listed ? decides(r.device_id) : held->contains(r.device_id))
                        continue;  // written here: this node's own events are newer
                    bus.publish(events::RoundRelayed{round_of(r), r.node, r.node_location});
                }
                if (rows.size() < k_poll_batch) break;
            }
        } catch (const std::exception& e) {
            warn("statuses not read", e);
        }
        poll_timer.expires_after(listener ? opt.safety_poll : opt.poll);
        poll_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) poll();
        });
    }

    // Renews, reads the live nodes and rebalances now instead of at the timer.
    void tick_soon() {
        tick_timer.expires_after(std::chrono::milliseconds(0));
        tick_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) tick();
        });
    }

    // Reads now instead of at the timer (replacing its wait).
    void poll_soon() {
        poll_timer.expires_after(std::chrono::milliseconds(0));
        poll_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) poll();
        });
    }

    // --- LISTEN/NOTIFY ---------------------------------------------------------
    void listen() {
        try {
            listener = cluster.listen();
            const int fd = ::dup(listener->socket());
            if (fd < 0) throw store::StoreError("cannot duplicate the listening socket");
            listen_socket.emplace(ioc, fd);
            spdlog::info("cluster: listening for the other nodes' notifications (LISTEN gw_status, gw_config, gw_nodes)");
            wait_for_notifications();
            poll_soon();  // what was written while nobody listened
        } catch (const std::exception& e) {
            stop_listening();
            next_listen_attempt = SteadyClock::now() + std::chrono::seconds(10);
            warn("LISTEN failed, reading every 0.25 s instead", e);
        }
    }

    void wait_for_notifications() {
        listen_socket->async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
            if (ec == asio::error::operation_aborted || !listener) return;
            try {
                if (ec) throw boost::system::system_error(ec);
                const auto notified = listener->take();
                if (notified.contains("gw_status")) poll_soon();
                if (notified.contains("gw_config") && opt.on_config) opt.on_config();
                if (notified.contains("gw_nodes")) tick_soon();  // a node left: take its share now
                wait_for_notifications();
            } catch (const std::exception& e) {
                warn("the listening session ended, reading every 0.25 s until it is back", e);
                stop_listening();
                next_listen_attempt = SteadyClock::now() + std::chrono::seconds(10);
                poll_soon();
            }
        });
    }

    void stop_listening() {
        listen_socket.reset();  // closes the duplicate; libpq closes its own
        listener.reset();
    }

    void notify_others() {
        try {
            cluster.notify_statuses();
        } catch (const std::exception& e) {
            // A database without NOTIFY: the others read every 0.25 s.
            warn("NOTIFY failed, tried again in a minute", e);
            next_notify_attempt = SteadyClock::now() + std::chrono::minutes(1);
        }
    }

    // Another node's view of a device that lists locations.
    void take_view(const store::RelayedStatus& r) {
        const auto status = status_of(r.status);
        decisions.see(r.device_id, r.location, {status, r.rtt_ms, r.loss, r.unreachable_via});
        bus.publish(events::LocationRound{round_of(r), r.location, r.node, true});
        // Not before this node's own view is in: the others' alone would decide too early.
        if (decides(r.device_id) && decisions.sees(r.device_id, here())) decide(r.device_id, nullptr);
    }

    // This node's own view of a device that lists locations: written for the
    // others, and combined here when this node decides the device.
    void own_view(const events::LocationRound& e) {
        const auto& r = e.round;
        relay(location_view, r);
        decisions.see(r.device_id, here(), {r.status, r.rtt_ms, r.loss, r.unreachable_via});
        if (decides(r.device_id)) decide(r.device_id, &r);
    }

    // Combines the views of a device this node decides (decisions.hpp) and
    // publishes the device's own events.
    void decide(std::int64_t id, const events::RoundFinished* own) {
        const auto& info = devices.at(id);
        auto outcome = decisions.decide(id, {info.ip, *info.locations, info.quorum}, here(), live_locations, own,
                                        WallClock::now());
        if (outcome.change) bus.publish(std::move(*outcome.change));
        if (outcome.round) bus.publish(std::move(*outcome.round));
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
                           forget_device(e.device.id);
                           rebalance_soon();
                       },
                       [&](const events::Reload&) {
                           devices_loaded = false;
                           rebalance_soon();
                       },
                       [&](const events::RoundFinished& e) { relay(own_status, e); },
                       [&](const events::LocationRound& e) {
                           if (e.node == me() && !e.relayed) own_view(e);
                       },
                       [](const auto&) {},
                   },
                   event);
    }

    // On this thread, last: what is pending written, the devices freed.
    void leave() {
        for (auto* timer : {&tick_timer, &rebalance_timer, &flush_timer, &poll_timer}) timer->cancel();
        stop_listening();
        flush();
        if (!epoch) return;
        try {
            cluster.leave(me(), *epoch);
            spdlog::info("cluster: node {} left; its {} devices are free for the others", me(), held->size());
            if (opt.notify) {
                try {
                    cluster.notify_nodes();
                } catch (const std::exception&) {
                    // No NOTIFY: the others see it at their next heartbeat, within a second.
                }
            }
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
