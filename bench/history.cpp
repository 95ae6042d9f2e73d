// History benchmark (issue 11): N devices (default 10,000) over D simulated
// days (default 400), written through the real recorder and SQLite history
// store with an injected clock, retention running once a simulated day.
//
// Simulating every 10-second round of 400 days would take hours, so the
// rounds come as often as the resolution they end up in needs: one an hour
// for days older than 14 days (only hour buckets of them are kept), one a
// minute for the days from 14 to 2 days old (minute buckets), and every 10 s
// for the last 48 h (every round is kept). The stored bytes are what the
// real cadence would store, but for the rounds count of each bucket (one
// varint byte at most, usually none: the flag "as many as before").
// RTTs: a base per device (0.2 to 20 ms) with 10 % jitter; 1 % of rounds
// lost; one device in 50 down for an hour each simulated day.
//
// Prints, at the end: the database size (file, and pages in use), bytes per
// device at each level, and (while a writer thread keeps recording and
// flushing, as the monitor would) the time of /history's read of one
// device's 30 days: p50 and p99 over 1,000 random devices.
// Usage: history DIR [devices] [days]
#include "history/query.hpp"
#include "history/recorder.hpp"
#include "store/sqlite_history.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace gatewatch;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t k_day = 86400;

struct Sizes {
    std::int64_t file = 0, used = 0;
    std::int64_t level[3] = {0, 0, 0};
    std::int64_t events = 0;
};

Sizes measure(const fs::path& file) {
    Sizes s;
    s.file = static_cast<std::int64_t>(fs::file_size(file));
    sqlite3* db = nullptr;
    sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    const auto scalar = [&](const char* sql) {
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
        std::int64_t v = 0;
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
    };
    s.used = (scalar("PRAGMA page_count") - scalar("PRAGMA freelist_count")) * scalar("PRAGMA page_size");
    for (int l = 0; l < 3; ++l)
        s.level[l] = scalar(("SELECT coalesce(sum(length(data)), 0) FROM series WHERE level = " + std::to_string(l)).c_str());
    s.events = scalar("SELECT count(*) FROM status_events");
    sqlite3_close(db);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: history DIR [devices] [days]\n");
        return 2;
    }
    const fs::path dir = argv[1];
    const int devices = argc > 2 ? std::stoi(argv[2]) : 10'000;
    const int days = argc > 3 ? std::stoi(argv[3]) : 400;
    fs::create_directories(dir);
    const fs::path file = dir / "history.db";
    fs::remove(file);

    store::SqliteHistory store(file);
    std::int64_t now = 1'780'000'000 - 1'780'000'000 % k_day - static_cast<std::int64_t>(days) * k_day;
    const std::int64_t end = now + static_cast<std::int64_t>(days) * k_day;
    history::Recorder recorder(store, [&] { return now; });

    std::mt19937_64 random(42);
    std::vector<double> base(static_cast<std::size_t>(devices));
    std::uniform_real_distribution<double> log_base(std::log(0.2), std::log(20.0));
    for (auto& b : base) b = std::exp(log_base(random));
    std::normal_distribution<double> jitter(1.0, 0.1);
    std::uniform_real_distribution<double> unit(0, 1);

    const auto started = std::chrono::steady_clock::now();
    std::int64_t rounds = 0;
    std::int64_t last_flush = now, last_retention = now;
    while (now < end) {
        const std::int64_t age = end - now;
        const std::int64_t interval = age > 14 * k_day ? 3600 : age > 2 * k_day ? 60 : 10;
        const std::int64_t flush_every = age > 14 * k_day ? 6 * 3600 : age > 2 * k_day ? 3600 : 60;
        const std::int64_t hour_of_day = (now % k_day) / 3600;
        for (int d = 0; d < devices; ++d) {
            const bool outage = d % 50 == 0 && hour_of_day == (d / 50) % 24;
            const bool ok = !outage && unit(random) > 0.01;
            const double rtt = base[static_cast<std::size_t>(d)] * std::max(0.5, jitter(random));
            recorder.record_round(d + 1, now, ok, ok ? std::optional(rtt) : std::nullopt, ok ? 0.0 : 1.0);
            ++rounds;
        }
        now += interval;
        if (now - last_flush >= flush_every) {
            recorder.flush();
            last_flush = now;
        }
        if (now - last_retention >= k_day) {
            recorder.retain();
            last_retention = now;
            const int day = static_cast<int>(days - (end - now) / k_day);
            if (day % 50 == 0) {
                const Sizes s = measure(file);
                std::printf("day %3d: %.0f MB in use, file %.0f MB\n", day, s.used / 1e6, s.file / 1e6);
                std::fflush(stdout);
            }
        }
    }
    recorder.flush();
    recorder.retain();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const Sizes s = measure(file);
    std::printf("%d devices, %d days: %lld rounds recorded in %.0f s (%.1f M rounds/s)\n", devices, days,
                static_cast<long long>(rounds), seconds, static_cast<double>(rounds) / seconds / 1e6);
    std::printf("database: file %.0f MB, pages in use %.0f MB\n", s.file / 1e6, s.used / 1e6);
    std::printf("per device: rounds %.1f kB (48 h), minutes %.1f kB (14 days), hours %.1f kB (400 days)\n",
                s.level[0] / 1e3 / devices, s.level[1] / 1e3 / devices, s.level[2] / 1e3 / devices);

    // Reads of 30 days while a writer records the next rounds and flushes.
    std::atomic<bool> reading{true};
    std::thread writer([&] {
        std::int64_t t = end;
        std::int64_t since_flush = 0;
        while (reading) {
            for (int d = 0; d < devices && reading; ++d)
                recorder.record_round(d + 1, t, true, base[static_cast<std::size_t>(d)], 0.0);
            t += 10;
            now = t;
            if (++since_flush == 6) {
                recorder.flush();
                since_flush = 0;
            }
        }
    });
    std::vector<double> ms;
    std::uniform_int_distribution<int> pick(1, devices);
    for (int i = 0; i < 1000; ++i) {
        const int device = pick(random);
        const auto t0 = std::chrono::steady_clock::now();
        const auto points = history::history(store, device, end - 30 * k_day, end, std::nullopt, end);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (points.points.empty()) std::printf("device %d: no points\n", device);
    }
    reading = false;
    writer.join();
    std::sort(ms.begin(), ms.end());
    std::printf("/history of 30 days (step %lld s) while recording: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                static_cast<long long>(history::choose_step(end - 30 * k_day, end, std::nullopt, end)), ms[500],
                ms[990], ms.back());
    return 0;
}
