#include "monitor/monitor.hpp"

#include "monitor/dependencies.hpp"
#include "monitor/device_loader.hpp"
#include "monitor/icmp_packet.hpp"
#include "monitor/pacing.hpp"
#include "monitor/send_thread.hpp"
#include "monitor/system_ping.hpp"
#include "util/secure_random.hpp"

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <queue>
#include <pthread.h>
#include <random>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace gatewatch::monitor {
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;

namespace {

constexpr int k_max_pings_per_round = 16;
// Device events waiting for the engine; past it the engine re-reads every
// device instead (a bulk import of 100,000 devices at once, say).
constexpr std::size_t k_event_queue = 65'536;
constexpr std::int64_t k_never = INT64_MAX;
constexpr int k_sends_per_tick = 4096;  // then let replies in before sending more
// The timer fires at most once a millisecond and each tick handles all that is
// due by then: re-arming it for every probe (30,000 a second at 100,000
// devices) cost two thirds of the engine's CPU in timerfd and epoll calls.
// Sends and expiries run at most 1 ms late.
constexpr std::int64_t k_min_tick_gap_ns = 1'000'000;

std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

std::int64_t to_ns(std::chrono::milliseconds d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

struct Target {
    std::int64_t device_id = 0;
    std::string ip;
    Address address;
    store::Check check;
    bool location_view = false;    // reported as this node's location's view (MonitorOptions::view_location)
    std::uint32_t generation = 0;  // bumped when the slot is freed: stale events and replies are ignored
    bool active = false;
    std::uint32_t listed = 0;      // the last read of the device list that had this target (Listing::serial)
    std::int64_t next_send_ns = 0; // its one pending send event: others in the heap are stale
    bool awaiting_parent = false;  // its round ended and waits for an ancestor's (Impl::awaiting)
    bool last_round_ok = false;
    StatusMachine machine;
    Status reported = Status::unknown;  // the status last published
    std::optional<WallClock::time_point> since;
    // the round in progress
    int sent = 0;
    int finished = 0;
    int answered = 0;
    std::array<double, k_max_pings_per_round> rtts{};
    std::int64_t round_start_ns = 0;
};

struct Event {  // "send the next probe of this target"
    std::int64_t due_ns;
    std::uint32_t target;
    std::uint32_t generation;
    bool operator>(const Event& o) const { return due_ns > o.due_ns; }
};

struct Deadline {  // "this probe is lost if unanswered by then"; sends are in time order, so a FIFO
    std::int64_t due_ns;
    std::uint16_t seq;
    std::uint64_t token;
};

}  // namespace

/*
 * The scheduler loop (one thread; after fping's main loop).
 *
 * State: a min-heap of send events (target, due time), a FIFO of probe
 * deadlines (sends happen in time order and share one timeout, so the FIFO
 * stays sorted), the sequence ring of outstanding probes, and a token bucket
 * for the global send rate.
 *
 *  1. Devices: at start (and on a Reload event) read every device from the
 *     store, in pages that come from the thread gw-load while this one goes
 *     on probing (device_loader.hpp), and diff page by page: drop targets
 *     that changed (their generation moves, so their pending events and
 *     replies are ignored) and add new ones, spreading them over one
 *     interval (pacing.hpp); after the last page drop the targets no page
 *     listed. After that each device event (queued to this thread by the
 *     event bus) joins, re-addresses or drops one target in O(1); a joining
 *     device is probed at once. No commit elsewhere costs this thread
 *     anything.
 *  2. Tick, when the timer fires (at most once a millisecond):
 *     a. expire every probe whose deadline has passed: a lost probe;
 *     b. pop due send events while the rate cap allows, at most
 *        k_sends_per_tick per tick: queue the round's next probe in its
 *        socket's outbox and, if the round has more, push the next one
 *        `spacing` later. An outbox goes out in one sendmmsg: when it holds
 *        IcmpSocket::k_batch requests, on the send thread, and at the end of
 *        the tick from here;
 *     c. re-arm the timer at the earliest of the next event, the next deadline,
 *        or the rate cap's next token.
 *  3. Receive, whenever a socket is readable: drain every pending reply,
 *     k_batch to a recvmmsg;
 *     a reply whose sequence, token and source match a live probe completes
 *     it, with the RTT from its batch's send stamp to the kernel's receive
 *     timestamp; anything else is dropped and counted.
 *  4. A round ends when each of its probes is answered, lost or failed to
 *     send: it succeeded if any answered; RTT is the median of the answers,
 *     loss the fraction lost. The state machine applies the thresholds, the
 *     hub gets the outcome, and the next round is due one interval after
 *     this one started (at once if the engine has fallen behind). The outcome
 *     is published as RoundFinished (and StatusChanged on a transition).
 *     A failed round that would make its device disconnected while the
 *     nearest ancestor probed here is not known to be down waits for a round
 *     of that ancestor begun after its own, and is then decided: down behind
 *     it (unreachable_via) if the ancestor went down, down on its own if the
 *     ancestor answered. That round is started at once when the ancestor is
 *     between rounds and did not fail its last one; an ancestor failing
 *     without having reached down_after is waited for on its own schedule
 *     (Nagios checks a host's parents so too). When a gateway and the devices behind it fail together, whichever
 *     round ended first would otherwise decide, and a device could be
 *     reported down on its own a round before its gateway. Parents are known
 *     once a read's last page is in (at start, page by page).
 *
 * Why one engine and a send thread (issue 14, measured with
 * bench/engine_round.sh at 100,000 loopback targets on 2 cores): with
 * batches on one thread, sendmmsg was half of this thread's time (on
 * loopback the kernel builds each reply in the send path) and recvmmsg an
 * eighth; the rest (scheduling, matching, rounds, the bus) is small. A send
 * thread takes the largest part to the second core, and no state is shared
 * but the batches and their send stamps. Probing took 0.38-0.56 s with
 * batches alone and 0.28-0.46 s with the thread (interleaved runs), the floor
 * of one sender and one reader 0.26-0.44 s in the same runs; a call a packet,
 * before, 0.53 s against a floor of 0.35 s. One engine per core, each owning a
 * shard of the devices, would split the rest too, but needs the rate cap
 * shared and each device event and reply routed to its shard (not tried);
 * a receive thread would move only the eighth.
 */
struct Monitor::Impl {
    MonitorOptions opt;
    store::Store& store;
    asio::io_context ioc{1};
    std::thread thread;
    ProbeMethod method = ProbeMethod::automatic;

    std::optional<IcmpSocket> sock4, sock6;
    std::optional<asio::posix::stream_descriptor> watch4, watch6;
    RequestBatch outbox4, outbox6;
    SendTimes send_times;
    // Declared after the io_context, the sockets and the times: stopped (joined) before they go.
    SendThread sender{send_times, [this](std::vector<Refusal> r) { asio::post(ioc, [this, r = std::move(r)] { refused(r); }); }};
    std::uint16_t raw_id = 0;
    ProbeRing ring;

    std::vector<Target> targets;
    std::vector<std::uint32_t> free_slots;
    std::unordered_map<std::int64_t, std::uint32_t> by_device;
    // Every device's parent, monitored or not (dependencies.hpp walks it).
    std::unordered_map<std::int64_t, std::int64_t> parent_of;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> due;
    // Targets whose failed round waits for a fresh round of this ancestor:
    // ancestor index -> (target index, generation).
    std::unordered_map<std::uint32_t, std::vector<std::pair<std::uint32_t, std::uint32_t>>> awaiting;
    std::deque<Deadline> deadlines;
    RateCap cap;
    asio::steady_timer wake{ioc};
    std::int64_t armed_ns = k_never;
    std::int64_t last_tick_ns = 0;
    // Several nodes: the devices this node may probe (null: every device) and
    // when that lease lapses (events.hpp, Assignment).
    std::shared_ptr<const std::unordered_set<std::int64_t>> assigned;
    asio::steady_timer lease_timer{ioc};
    events::EventBus& bus;
    events::Subscription subscription;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    util::SecureRandom rng;  // probe tokens: a host that sees its own cannot predict others'
    unsigned pings_running = 0;
    std::unordered_set<int> ping_children;  // running `ping` commands, ended and reaped at stop

    std::atomic<std::uint64_t> sent{0}, answered{0}, lost{0}, dropped{0}, rounds{0};

    // The read of the device list in progress, page by page.
    struct Listing {
        std::uint32_t serial = 0;  // stamped on each target a page lists
        std::size_t place = 0;     // of the next device in the list
        std::size_t joined = 0, left = 0;
        std::unordered_map<std::int64_t, std::int64_t> parents;  // parent_of once the list is whole
        bool parents_in_place = false;  // none known before (at start): pages fill parent_of itself
    } listing;
    DeviceLoader loader{ioc, store, k_event_queue,
                        [this](std::span<const store::Device> devices, const DeviceLoader::Page& page) {
                            apply_page(devices, page);
                        },
                        [this](const events::Event& e) { on_event(e); }};

    Impl(MonitorOptions o, store::Store& s, events::EventBus& b)
        : opt(o), store(s), cap(o.max_rate, steady_ns()), bus(b) {
        opt.pings_per_round = std::clamp(opt.pings_per_round, 1, k_max_pings_per_round);
        raw_id = static_cast<std::uint16_t>((static_cast<unsigned>(getpid()) ^ rng.next()) & 0xFFFF);
        choose_method();
        if (opt.wait_for_assignment) assigned = std::make_shared<const std::unordered_set<std::int64_t>>();
    }

    bool probes(const store::Device& d) const { return d.monitored && (!assigned || assigned->contains(d.id)); }

    // --- method ---------------------------------------------------------------
    bool open_sockets(ProbeMethod m, std::string& error) {
        sock4 = IcmpSocket::open(icmp::Family::v4, m, error);
        if (!sock4) return false;
        std::string error6;
        sock6 = IcmpSocket::open(icmp::Family::v6, m, error6);
        if (!sock6) spdlog::warn("IPv6 probing unavailable ({}): IPv6 devices will show disconnected", error6);
        return true;
    }

    void choose_method() {
        std::string error;
        switch (opt.method) {
            case ProbeMethod::datagram:
            case ProbeMethod::raw:
                if (!open_sockets(opt.method, error))
                    throw std::runtime_error(std::string("probe method ") + to_string(opt.method) +
                                             " is unavailable: " + error +
                                             (opt.method == ProbeMethod::datagram
                                                  ? " (is the process's group in net.ipv4.ping_group_range?)"
                                                  : " (raw sockets need CAP_NET_RAW)"));
                method = opt.method;
                break;
            case ProbeMethod::system_ping:
                if (!system_ping_available()) throw std::runtime_error("probe method ping: no `ping` command on PATH");
                method = ProbeMethod::system_ping;
                break;
            case ProbeMethod::automatic:
                if (open_sockets(ProbeMethod::datagram, error)) {
                    method = ProbeMethod::datagram;
                } else if (open_sockets(ProbeMethod::raw, error)) {
                    method = ProbeMethod::raw;
                } else if (system_ping_available()) {
                    method = ProbeMethod::system_ping;
                } else {
                    throw std::runtime_error("no way to send ICMP: datagram and raw sockets refused (" + error +
                                             ") and no `ping` command on PATH");
                }
                break;
        }
        if (method == ProbeMethod::datagram || method == ProbeMethod::raw) {
            watch4.emplace(ioc, ::dup(sock4->fd()));
            if (sock6) watch6.emplace(ioc, ::dup(sock6->fd()));
        }
    }

    // --- timer ---------------------------------------------------------------
    void arm(std::int64_t at_ns) {
        at_ns = std::max(at_ns, last_tick_ns + k_min_tick_gap_ns);
        if (at_ns >= armed_ns) return;
        armed_ns = at_ns;
        wake.expires_at(SteadyClock::time_point(std::chrono::nanoseconds(at_ns)));
        wake.async_wait([this](boost::system::error_code ec) {
            if (ec) return;  // re-armed earlier, or stopping
            armed_ns = k_never;
            tick();
        });
    }

    void schedule(std::int64_t at_ns, std::uint32_t index) {
        targets[index].next_send_ns = at_ns;
        due.push({at_ns, index, targets[index].generation});
        arm(at_ns);
    }

    void tick() {
        const std::int64_t now = steady_ns();
        last_tick_ns = now;
        while (!deadlines.empty() && deadlines.front().due_ns <= now) {
            const Deadline d = deadlines.front();
            deadlines.pop_front();
            if (auto probe = ring.expire(d.seq, d.token)) probe_done(*probe, false, 0);
        }
        int budget = k_sends_per_tick;
        std::int64_t next = k_never;
        while (!due.empty() && due.top().due_ns <= now) {
            const Event e = due.top();
            Target& t = targets[e.target];
            if (!t.active || t.generation != e.generation || t.next_send_ns != e.due_ns) {
                due.pop();
                continue;
            }
            if (budget == 0) {
                next = now;
                break;
            }
            if (!cap.try_take(now)) {
                next = cap.next_allowed_ns(now);
                break;
            }
            due.pop();
            --budget;
            fire(e.target, now);
        }
        refused(send_now(outbox4, send_times));
        refused(send_now(outbox6, send_times));
        outbox4.size = outbox6.size = 0;
        if (next == k_never && !due.empty()) next = due.top().due_ns;
        if (!deadlines.empty()) next = std::min(next, deadlines.front().due_ns);
        if (next != k_never) {
            if (next <= now) {
                asio::post(ioc, [this] { tick(); });  // yield to the receive handlers first
            } else {
                arm(next);
            }
        }
    }

    // --- probes --------------------------------------------------------------
    void fire(std::uint32_t index, std::int64_t now) {
        Target& t = targets[index];
        const bool tcp = t.check.type == store::Check::Type::tcp;
        if (!tcp && method == ProbeMethod::system_ping && pings_running >= opt.ping_processes) {
            schedule(now + 50'000'000, index);  // bounded: wait for a free slot (the round has not begun)
            return;
        }
        if (t.sent == 0) t.round_start_ns = now;
        if (!tcp && method == ProbeMethod::system_ping) {
            t.sent = opt.pings_per_round;
            start_ping_round(index);
            return;
        }
        // The next probe is scheduled before this one goes: a send that fails at
        // once may end the round, and the round's end schedules the next round.
        if (++t.sent < opt.pings_per_round) schedule(now + to_ns(opt.spacing), index);
        if (tcp)
            start_tcp_probe(index);
        else
            send_icmp(index, now);
    }

    void send_icmp(std::uint32_t index, std::int64_t now) {
        Target& t = targets[index];
        const bool v4 = t.address.family == icmp::Family::v4;
        auto& socket = v4 ? sock4 : sock6;
        RequestBatch& outbox = v4 ? outbox4 : outbox6;
        Probe probe{index, t.generation, rng.next(), t.address};
        if (!socket) {
            probe_done(probe, false, 0);
            return;
        }
        std::optional<Probe> evicted;
        const std::uint16_t seq = ring.add(probe, evicted);
        if (evicted) probe_done(*evicted, false, 0);
        ++sent;
        outbox.socket = &*socket;
        outbox.requests[outbox.size++] = {
            icmp::echo_request(t.address.family, socket->is_raw() ? raw_id : 0, seq, probe.token), t.address, seq,
            probe.token};
        deadlines.push_back({now + to_ns(opt.timeout), seq, probe.token});
        arm(deadlines.back().due_ns);
        if (outbox.full()) {
            if (!sender.offer(outbox)) refused(send_now(outbox, send_times));
            outbox.size = 0;
        }
    }

    // ENETUNREACH and the like: the kernel knew at once that they cannot go.
    void refused(const std::vector<Refusal>& refusals) {
        for (const auto& r : refusals) {
            if (auto probe = ring.expire(r.seq, r.token)) {
                spdlog::debug("probe to {} not sent: {}", targets[probe->target].ip, std::strerror(r.error));
                probe_done(*probe, false, 0);
            }
        }
    }

    void start_tcp_probe(std::uint32_t index) {
        const Target& t = targets[index];
        Probe probe{index, t.generation, 0, t.address};
        boost::system::error_code ec;
        const auto ip = asio::ip::make_address(t.ip, ec);
        if (ec) {
            probe_done(probe, false, 0);
            return;
        }
        auto socket = std::make_shared<asio::ip::tcp::socket>(ioc);
        auto timer = std::make_shared<asio::steady_timer>(ioc, opt.timeout);
        const auto started = SteadyClock::now();
        ++sent;
        socket->async_connect({ip, t.check.port}, [this, socket, timer, probe, started](boost::system::error_code e) {
            timer->cancel();
            const double rtt = std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count();
            probe_done(probe, !e, rtt);
        });
        timer->async_wait([socket](boost::system::error_code e) {
            if (!e) socket->close();  // timed out: the connect completes with operation_aborted
        });
    }

    void start_ping_round(std::uint32_t index) {
        Target& t = targets[index];
        ++pings_running;
        sent += static_cast<std::uint64_t>(opt.pings_per_round);
        const std::uint32_t generation = t.generation;
        auto pid = std::make_shared<int>(-1);
        *pid = run_system_ping(ioc, t.ip, opt.pings_per_round, opt.spacing, opt.timeout,
                               [this, index, generation, pid](const PingOutcome& outcome) {
                                   --pings_running;
                                   ping_children.erase(*pid);
                                   Target& target = targets[index];
                                   if (!target.active || target.generation != generation) return;
                                   target.finished = opt.pings_per_round;
                                   target.answered = std::min(outcome.received, opt.pings_per_round);
                                   for (int i = 0; i < target.answered; ++i) target.rtts[i] = outcome.average_rtt_ms;
                                   answered += static_cast<std::uint64_t>(target.answered);
                                   lost += static_cast<std::uint64_t>(opt.pings_per_round - target.answered);
                                   finish_round(index);
                               });
        if (*pid > 0) ping_children.insert(*pid);
    }

    void probe_done(const Probe& probe, bool ok, double rtt_ms) {
        (ok ? answered : lost) += 1;
        Target& t = targets[probe.target];
        if (!t.active || t.generation != probe.generation) return;
        ++t.finished;
        if (ok) t.rtts[t.answered++] = rtt_ms;
        if (t.finished >= opt.pings_per_round && t.sent >= opt.pings_per_round) finish_round(probe.target);
    }

    void finish_round(std::uint32_t index) {
        Target& t = targets[index];
        if (!t.awaiting_parent) ++rounds;  // once, however long it waits
        const bool success = t.answered > 0;
        if (!success && await_ancestor(index)) return;
        t.awaiting_parent = false;
        const auto now_wall = WallClock::now();
        if (t.machine.apply(success, opt.thresholds) || !t.since) t.since = now_wall;

        std::optional<double> rtt_ms;
        if (success) {
            std::sort(t.rtts.begin(), t.rtts.begin() + t.answered);
            rtt_ms = t.answered % 2 == 1 ? t.rtts[t.answered / 2]
                                         : (t.rtts[t.answered / 2 - 1] + t.rtts[t.answered / 2]) / 2;
        }
        const double loss = 1.0 - static_cast<double>(t.answered) / opt.pings_per_round;
        const auto via = t.machine.status() == Status::disconnected ? behind(t.device_id) : std::nullopt;
        events::RoundFinished round{t.device_id, t.ip, success, t.machine.status(), rtt_ms, loss, t.since,
                                    now_wall, via};
        if (t.location_view) {
            t.reported = t.machine.status();
            bus.publish(events::LocationRound{std::move(round), opt.view_location, opt.node_name});
        } else {
            if (t.machine.status() != t.reported) {
                bus.publish(events::StatusChanged{t.device_id, t.ip, t.reported, t.machine.status(), now_wall, via});
                t.reported = t.machine.status();
            }
            bus.publish(std::move(round));
        }

        const std::int64_t now = steady_ns();
        const std::int64_t next = std::max(now, t.round_start_ns + to_ns(opt.interval));
        t.sent = t.finished = t.answered = 0;
        t.last_round_ok = success;
        schedule(next, index);
        release_awaiting(index);
    }

    // Step 4's wait: true when the failed round of `index` now waits for an
    // ancestor's fresh round (and that round is started at once).
    bool await_ancestor(std::uint32_t index) {
        Target& t = targets[index];
        const Status status = t.machine.status();
        const bool would_disconnect =
            status == Status::unknown ||
            (status == Status::connected && t.machine.consecutive_failures() + 1 >= opt.thresholds.down_after);
        if (!would_disconnect || behind(t.device_id)) return false;
        const auto ancestor = nearest_deciding_ancestor(t.device_id);
        if (!ancestor) return false;
        Target& a = targets[*ancestor];
        // Whether the ancestor has finished a round that began after this one's.
        const bool fresh = a.sent == 0 && a.round_start_ns >= t.round_start_ns;
        if (fresh && a.last_round_ok) return false;  // it answered: this one is down on its own
        t.awaiting_parent = true;
        awaiting[*ancestor].emplace_back(index, t.generation);
        // Its next round now, if it is between rounds, has no fresh one, and
        // did not fail its last: an ancestor that failed a round without
        // reaching down_after is waited for on its own schedule, so that its
        // flap damping holds however many devices behind it fail.
        const std::int64_t now = steady_ns();
        if (!fresh && a.sent == 0 && a.next_send_ns > now && a.machine.consecutive_failures() == 0)
            schedule(now, *ancestor);
        return true;
    }

    // The nearest ancestor probed here whose own round is not waiting in turn
    // (so a cycle, which the store refuses but a half-read list may hold,
    // cannot make two targets wait for each other).
    std::optional<std::uint32_t> nearest_deciding_ancestor(std::int64_t device_id) const {
        const auto deciding = [this](std::int64_t id) {
            const auto it = by_device.find(id);
            return it != by_device.end() && !targets[it->second].awaiting_parent;
        };
        const auto ancestor = nearest_ancestor(device_id, [this](std::int64_t id) { return parent(id); }, deciding);
        if (!ancestor) return std::nullopt;
        return by_device.at(*ancestor);
    }

    // The rounds that waited for this target's, taken from `awaiting`.
    using Waiting = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
    Waiting take_awaiting(std::uint32_t ancestor) {
        const auto it = awaiting.find(ancestor);
        if (it == awaiting.end()) return {};
        Waiting waiting = std::move(it->second);
        awaiting.erase(it);
        return waiting;
    }

    // ... are decided, now that it has a fresh round.
    void release_awaiting(std::uint32_t ancestor) { decide(take_awaiting(ancestor)); }

    void decide(const Waiting& waiting) {
        for (const auto& [index, generation] : waiting) {
            const Target& t = targets[index];
            if (t.active && t.generation == generation && t.awaiting_parent) finish_round(index);
        }
    }

    // --- replies -------------------------------------------------------------
    void watch(IcmpSocket& socket, asio::posix::stream_descriptor& descriptor) {
        descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                              [this, &socket, &descriptor](boost::system::error_code ec) {
                                  if (ec) return;
                                  drain(socket);
                                  watch(socket, descriptor);
                              });
    }

    void drain(IcmpSocket& socket) {
        const bool has_ip_header = socket.is_raw() && socket.family() == icmp::Family::v4;
        for (auto batch = socket.receive_batch(); !batch.empty(); batch = socket.receive_batch()) {
            for (const auto& received : batch) {
                const auto reply = icmp::parse_echo_reply(socket.family(), has_ip_header, received.data);
                if (!reply || (socket.is_raw() && reply->id != raw_id)) {
                    ++dropped;
                    continue;
                }
                auto probe = ring.take(reply->seq, reply->token, received.source);
                if (!probe) {
                    ++dropped;  // late (already expired), duplicate, wrong source or forged
                    continue;
                }
                const std::int64_t rtt_ns = received.received_ns - send_times.of(reply->seq);
                probe_done(*probe, true, static_cast<double>(std::max<std::int64_t>(rtt_ns, 0)) / 1e6);
            }
        }
    }

    // --- devices -------------------------------------------------------------
    // Every device from the store, diffed against the targets (at start, and
    // when the event stream says anything may have changed); device_loader.hpp
    // says where the store is read and what waits meanwhile.
    void resync(DeviceLoader::Spread spread_over = std::nullopt) { loader.read(spread_over); }

    // The disconnected ancestor a device is unreachable through, if any.
    std::optional<std::int64_t> parent(std::int64_t device_id) const {
        const auto it = parent_of.find(device_id);
        return it == parent_of.end() ? std::nullopt : std::optional(it->second);
    }

    std::optional<std::int64_t> behind(std::int64_t device_id) const {
        return unreachable_via(
            device_id, [this](std::int64_t id) { return parent(id); },
            [this](std::int64_t id) {
                const auto it = by_device.find(id);
                return it == by_device.end() ? Status::unknown : targets[it->second].machine.status();
            });
    }

    bool location_view(const store::Device& d) const { return !opt.view_location.empty() && d.locations.has_value(); }

    void set_parent(const store::Device& d, bool gone) {
        if (gone || !d.parent_id)
            parent_of.erase(d.id);
        else
            parent_of[d.id] = *d.parent_id;
    }

    // One device event, on this thread.
    void on_event(const events::Event& event) {
        if (std::holds_alternative<events::Reload>(event)) return resync();
        if (const auto* a = std::get_if<events::Assignment>(&event)) return assign(*a);
        if (loader.hold(event)) return;
        const store::Device* device = nullptr;
        bool gone = false;
        if (const auto* e = std::get_if<events::DeviceAdded>(&event)) device = &e->device;
        if (const auto* e = std::get_if<events::DeviceUpdated>(&event)) device = &e->device;
        if (const auto* e = std::get_if<events::DeviceRemoved>(&event)) {
            device = &e->device;
            gone = true;
        }
        if (device == nullptr) return;
        set_parent(*device, gone);
        if (auto it = by_device.find(device->id); it != by_device.end()) {
            const Target& t = targets[it->second];
            if (!gone && device->monitored && unchanged(t, *device)) return;  // a rename
            retire(it->second);
        }
        if (!gone && probes(*device)) join(*device, steady_ns());
    }

    // A new set of devices to probe, or the same set for longer. Devices
    // handed over from another node are first probed within a second (not
    // spread over the interval): their last round there may be old.
    void assign(const events::Assignment& a) {
        lease_timer.expires_at(a.valid_until);
        lease_timer.async_wait([this](boost::system::error_code ec) {
            if (ec) return;  // renewed: a newer deadline replaced this wait
            spdlog::warn("monitor: this node's lease lapsed: probing stops until it is renewed");
            assigned = std::make_shared<const std::unordered_set<std::int64_t>>();
            // Without the store (it may be what is out of reach): every target goes.
            while (!by_device.empty()) retire(by_device.begin()->second);
        });
        if (a.devices == assigned) return;
        assigned = a.devices ? a.devices : std::make_shared<const std::unordered_set<std::int64_t>>();
        // Devices handed away stop now, not when the list is in: their new
        // node probes them already, and two would publish (and notify).
        for (auto it = by_device.begin(); it != by_device.end();) {
            const std::uint32_t index = it->second;
            ++it;  // retire() erases the current entry
            if (!assigned->contains(targets[index].device_id)) retire(index);
        }
        resync(std::chrono::seconds(1));
    }

    void retire(std::uint32_t index) {
        Target& t = targets[index];
        t.active = false;
        ++t.generation;
        by_device.erase(t.device_id);
        free_slots.push_back(index);
        // Rounds waiting for this one are decided without it, once whatever
        // retired it (a page, an event) is done.
        if (auto waiting = take_awaiting(index); !waiting.empty())
            asio::post(ioc, [this, waiting = std::move(waiting)] { decide(waiting); });
    }

    // A target for `d`, first probed at `first_ns`: its index (none for an
    // address that does not parse; the API stores only valid literals).
    std::optional<std::uint32_t> join(const store::Device& d, std::int64_t first_ns) {
        const auto address = parse_address(d.ip);
        if (!address) return std::nullopt;
        std::uint32_t index;
        if (!free_slots.empty()) {
            index = free_slots.back();
            free_slots.pop_back();
        } else {
            index = static_cast<std::uint32_t>(targets.size());
            targets.emplace_back();
        }
        Target& t = targets[index];
        const std::uint32_t generation = t.generation;
        t = Target{};
        t.generation = generation;
        t.device_id = d.id;
        t.ip = d.ip;
        t.address = *address;
        t.check = d.check;
        t.location_view = location_view(d);
        t.active = true;
        by_device.emplace(d.id, index);
        schedule(first_ns, index);
        return index;
    }

    bool unchanged(const Target& t, const store::Device& d) const {
        return t.ip == d.ip && t.check == d.check && t.location_view == location_view(d);
    }

    // A page of the device list (device_loader.hpp). Targets it lists are
    // kept, re-addressed or dropped; new ones start at their place in the
    // whole list spread over the page's spread (default: one interval), so in
    // id order, and targets probed one after the other sit side by side in
    // `targets`; after the last page the targets no page listed go, and the
    // parents are the list's (until then, the last whole list's, if any).
    void apply_page(std::span<const store::Device> devices, const DeviceLoader::Page& page) {
        if (page.first) {
            listing.place = listing.joined = listing.left = 0;
            listing.parents.clear();
            listing.parents_in_place = parent_of.empty();
            if (++listing.serial == 0) {  // wrapped (after 4 billion reads): no target may hold the new serial
                for (auto& t : targets) t.listed = 0;
                listing.serial = 1;
            }
        }
        const std::int64_t now = steady_ns();
        const std::int64_t window = page.spread ? std::min(to_ns(opt.interval), page.spread->count()) : to_ns(opt.interval);
        for (const auto& d : devices) {
            const std::size_t place = listing.place++;
            if (d.parent_id) (listing.parents_in_place ? parent_of : listing.parents)[d.id] = *d.parent_id;
            if (auto it = by_device.find(d.id); it != by_device.end()) {
                Target& t = targets[it->second];
                if (probes(d) && unchanged(t, d)) {
                    t.listed = listing.serial;
                    continue;
                }
                retire(it->second);  // unmonitored, handed away, or re-addressed (it joins again below)
                ++listing.left;
            }
            if (!probes(d)) continue;
            const std::int64_t first = now + (opt.spread ? spread_offset(place, page.expected, window) : 0);
            if (const auto index = join(d, first)) {
                targets[*index].listed = listing.serial;
                ++listing.joined;
            }
        }
        if (!page.last) return;
        for (auto it = by_device.begin(); it != by_device.end();) {
            const std::uint32_t index = it->second;
            ++it;  // retire() erases the current entry
            if (targets[index].listed != listing.serial) {  // removed from the store
                retire(index);
                ++listing.left;
            }
        }
        if (!listing.parents_in_place) parent_of = std::move(listing.parents);
        listing.parents = {};
        if (listing.joined != 0 || listing.left != 0)
            spdlog::info("monitor: {} devices monitored ({} joined, {} left)", by_device.size(), listing.joined,
                         listing.left);
    }
};

Monitor::Monitor(MonitorOptions options, store::Store& store, events::EventBus& bus)
    : impl_(std::make_unique<Impl>(options, store, bus)) {}

Monitor::~Monitor() { stop(); }

void Monitor::start() {
    Impl& m = *impl_;
    spdlog::info("monitor: probing with {} every {} ms, {} probes a round, timeout {} ms", to_string(m.method),
                 m.opt.interval.count(), m.opt.pings_per_round, m.opt.timeout.count());
    if (m.watch4) m.watch(*m.sock4, *m.watch4);
    if (m.watch6) m.watch(*m.sock6, *m.watch6);
    // Subscribed before the first read: a device created meanwhile comes as
    // an event too, and joining twice is a no-op.
    m.subscription = m.bus.subscribe(m.ioc.get_executor(), k_event_queue,
                                     [&m](const events::Event& e) { m.on_event(e); });
    asio::post(m.ioc, [&m] { m.resync(); });
    // With no device and no socket to watch (the `ping` method) the loop has
    // nothing to wait for, yet events may come at any time.
    m.keep_running.emplace(m.ioc.get_executor());
    m.thread = std::thread([&m] {
        pthread_setname_np(pthread_self(), "gw-engine");  // for top -H and the benchmarks
        m.ioc.run();
    });
}

void Monitor::stop() {
    Impl& m = *impl_;
    if (!m.thread.joinable()) return;
    m.subscription = events::Subscription();  // no more events posted here
    m.ioc.stop();
    m.thread.join();
    m.loader.join();
    m.sender.stop();
    stop_ping_children(std::vector<int>(m.ping_children.begin(), m.ping_children.end()));
    m.ping_children.clear();
}

ProbeMethod Monitor::method() const { return impl_->method; }

MonitorCounters Monitor::counters() const {
    const Impl& m = *impl_;
    return {m.sent.load(), m.answered.load(), m.lost.load(), m.dropped.load(), m.rounds.load()};
}

}  // namespace gatewatch::monitor
