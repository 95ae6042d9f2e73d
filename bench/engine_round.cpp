// One full round of the probe engine over N targets, pacing off.
// Usage: engine_round N [pings_per_round]   (run inside a network namespace
// whose lo holds 127.0.0.0/8, so every target answers; see engine_round.sh)
// Prints: targets, wall time of the round, replies, lost, CPU seconds per
// 10,000 probes, and the round's RTTs (median and 99th percentile: on
// loopback they show how long a probe waited between its stamp and the wire).
#include "monitor/monitor.hpp"
#include "api/status_hub.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_store.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace gatewatch;

namespace {
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
std::string loopback_address(std::size_t i) {
    const std::size_t n = i + 1;  // 127.0.0.1, 127.0.0.2, ... across 127.0.0.0/8
    char text[16];
    std::snprintf(text, sizeof text, "127.%zu.%zu.%zu", (n >> 16) & 255, (n >> 8) & 255, n & 255);
    return text;
}
}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 1000;
    const int pings = argc > 2 ? std::stoi(argv[2]) : 1;
    char tmpl[] = "/tmp/gw-engine-XXXXXX";
    const std::filesystem::path dir = mkdtemp(tmpl);
    {
        store::SqliteStore migrated(dir / "db");  // creates the schema
        store::sqlite::Connection c(dir / "db");   // then one transaction for all targets
        store::sql::Transaction tx(c, store::sql::Connection::Mode::write);
        for (std::size_t i = 0; i < n; ++i) {
            auto insert = c.prepare("INSERT INTO devices (name, ip) VALUES (?, ?)");
            const std::string name = std::to_string(i);  // (GCC 12 warns wrongly on "t" + to_string)
            insert.bind(1, name).bind(2, loopback_address(i));
            insert.step();
        }
        tx.commit();
    }
    store::SqliteStore store(dir / "db");
    api::StatusHub hub;
    events::EventBus bus;  // rounds reach the hub as they do in gatewatch
    std::vector<double> rtts;  // written on the engine's thread, read once it has stopped
    rtts.reserve(n);
    const auto hub_events = bus.subscribe_inline([&](const events::Event& e) {
        hub.apply(e);
        if (const auto* round = std::get_if<events::RoundFinished>(&e); round && round->rtt_ms) rtts.push_back(*round->rtt_ms);
    });
    {
        std::vector<api::MonitoredDevice> monitored;
        for (const auto& d : store.list_devices(std::nullopt)) monitored.push_back({d.id, d.ip, d.locations});
        hub.set_devices(monitored);
    }
    monitor::MonitorOptions options;
    options.interval = std::chrono::hours(1);  // one round only
    options.timeout = std::chrono::seconds(1);
    options.spacing = std::chrono::milliseconds(0);
    options.pings_per_round = pings;
    options.max_rate = 0;  // pacing off
    options.spread = false;
    monitor::Monitor engine(options, store, bus);

    const double cpu_before = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    engine.start();
    const auto deadline = start + std::chrono::seconds(120);
    while (engine.counters().sent == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    const auto first_send = std::chrono::steady_clock::now();  // the first page of devices is in (device_loader.hpp)
    while (engine.counters().rounds < n && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    const auto done = std::chrono::steady_clock::now();
    const double wall = std::chrono::duration<double>(done - start).count();
    const double probing = std::chrono::duration<double>(done - first_send).count();
    const double cpu = cpu_seconds() - cpu_before;
    engine.stop();
    const auto c = engine.counters();
    std::sort(rtts.begin(), rtts.end());
    const auto rtt_at = [&](double q) { return rtts.empty() ? 0.0 : rtts[static_cast<std::size_t>(q * static_cast<double>(rtts.size() - 1))]; };
    std::printf("gatewatch method=%s targets=%zu probes=%llu replies=%llu lost=%llu unmatched=%llu round_s=%.3f "
                "probes_per_s=%.0f cpu_s_per_10k=%.3f (of which before the first probe %.3f s, probing %.4f s) rtt_p50_ms=%.3f "
                "rtt_p99_ms=%.3f\n",
                monitor::to_string(engine.method()), n, static_cast<unsigned long long>(c.sent),
                static_cast<unsigned long long>(c.answered), static_cast<unsigned long long>(c.lost),
                static_cast<unsigned long long>(c.dropped_replies), wall,
                static_cast<double>(c.sent) / wall, cpu / static_cast<double>(c.sent) * 10000.0, wall - probing,
                probing, rtt_at(0.5), rtt_at(0.99));
    std::filesystem::remove_all(dir);
    return 0;
}
