// The history: its encoding, the rollup arithmetic across bucket edges,
// retention, the choice of step and the uptime arithmetic, with a real
// SQLite history store and an injected clock.
#include "events/event_bus.hpp"
#include "history/history_thread.hpp"
#include "history/query.hpp"
#include "history/recorder.hpp"
#include "history/series.hpp"
#include "test_history_store.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <future>
#include <memory>
#include <unordered_set>

using namespace gatewatch;
using namespace gatewatch::history;

namespace {

constexpr std::int64_t k_day = 86400;
constexpr std::int64_t k_t0 = 1'780'000'000 - 1'780'000'000 % k_day;  // a midnight, UTC

Round answered(std::int64_t at, double ms) { return {at, true, 0, rtt_code(ms)}; }
Round lost(std::int64_t at) { return {at, false, 255, std::nullopt}; }

bool same(const Round& a, const Round& b) { return a.at == b.at && a.ok == b.ok && a.loss == b.loss && a.rtt == b.rtt; }

}  // namespace

// stop() ends the thread even when a timer's wait ended while the loop was
// busy (its handler then runs after the cancel, with success): a re-armed
// timer kept a node with 30,000 devices from ever exiting on SIGTERM.
TEST(HistoryThreadStop, ReturnsWhileItsTimersKeepExpiring) {
    using namespace gatewatch;
    TestHistoryStore history("sqlite");
    events::EventBus bus;
    for (int attempt = 0; attempt < 40; ++attempt) {
        auto thread = std::make_unique<history::HistoryThread>(
            *history.store, bus, history::HistoryOptions{std::chrono::milliseconds(1), std::chrono::milliseconds(1), 1 << 16});
        thread->start();
        const auto at = std::chrono::system_clock::now();
        for (std::int64_t i = 0; i < 5'000; ++i)  // a busy loop while stop() waits its turn
            bus.publish(events::RoundFinished{i % 50 + 1, "127.0.0.1", true, monitor::Status::connected, 1.0, 0.0, at,
                                              at, std::nullopt});
        auto stopped = std::async(std::launch::async, [&] { thread->stop(); });
        ASSERT_EQ(stopped.wait_for(std::chrono::seconds(20)), std::future_status::ready) << "attempt " << attempt;
    }
}

// Several nodes: the history thread records only what this node reports (the
// Assignment's sets): a round the engine finished before it heard that its
// device moved, and a view read back from the database under this node's
// name, are not recorded (they would bring the device back here, over the
// chunks of the node that took it).
TEST(HistoryThreadNodes, RecordsOnlyTheDevicesAndViewsThisNodeReports) {
    using namespace gatewatch;
    TestHistoryStore history("sqlite");
    events::EventBus bus;
    history::HistoryOptions options;
    options.flush_interval = std::chrono::milliseconds(20);
    options.node_name = "east-1";
    options.location = "east";
    history::HistoryThread thread(*history.store, bus, options);
    thread.start();
    const auto probed = std::make_shared<const std::unordered_set<std::int64_t>>(std::unordered_set<std::int64_t>{1, 2});
    const auto reported = std::make_shared<const std::unordered_set<std::int64_t>>(std::unordered_set<std::int64_t>{1});
    bus.publish(events::Assignment{probed, std::chrono::steady_clock::now() + std::chrono::hours(1), reported});
    const auto at = std::chrono::system_clock::now();
    const auto round = [&](std::int64_t id) {
        return events::RoundFinished{id, "127.0.0.1", true, monitor::Status::connected, 1.0, 0.0, at, at, std::nullopt};
    };
    bus.publish(round(1));
    bus.publish(round(3));  // not this node's (any more)
    bus.publish(events::LocationRound{round(2), "east", "east-1", false});
    bus.publish(events::LocationRound{round(1), "east", "east-1", true});   // read back, not probed here
    bus.publish(events::LocationRound{round(3), "east", "east-1", false});  // no longer probed here
    thread.stop();
    const auto events_of = [&](std::int64_t id, const char* location) {
        return history.store->events(id, location, 0, INT64_MAX, 10).size();
    };
    EXPECT_EQ(events_of(1, ""), 2u);  // unknown -> connected, and unknown at the stop
    EXPECT_EQ(events_of(3, ""), 0u);
    EXPECT_EQ(events_of(2, "east"), 2u);
    EXPECT_EQ(events_of(1, "east"), 0u);
    EXPECT_EQ(events_of(3, "east"), 0u);
}

TEST(HistorySeries, RttCodesKeepUnderHalfAPercentFromMicrosecondsToSeconds) {
    for (double ms = 0.01; ms < 10'000; ms *= 1.37) {
        const double back = rtt_ms(rtt_code(ms));
        EXPECT_LT(std::abs(back - ms) / ms, 0.005) << ms;
    }
    EXPECT_EQ(rtt_code(0), rtt_code(0.001));  // below a microsecond: one microsecond
}

TEST(HistorySeries, RoundsDecodeAsWrittenAndAppendToAStoredChunk) {
    std::vector<Round> rounds;
    for (int i = 0; i < 60; ++i) {
        const std::int64_t at = k_t0 + 10 * i + (i % 7 == 0 ? 3 : 0);  // mostly regular steps, some not
        if (i % 11 == 5) rounds.push_back(lost(at));
        else if (i % 13 == 6) rounds.push_back({at, true, 85, rtt_code(2.5)});  // one probe of three lost
        else rounds.push_back(answered(at, 0.03 * (1 + i % 5) + (i == 30 ? 800 : 0)));
    }
    RoundWriter whole(k_t0);
    for (const auto& r : rounds) whole.append(r);
    const auto decoded = decode_rounds(k_t0, whole.bytes());
    ASSERT_EQ(decoded.size(), rounds.size());
    for (std::size_t i = 0; i < rounds.size(); ++i) EXPECT_TRUE(same(decoded[i], rounds[i])) << i;
    // A steady device (the same step, a little jitter) costs about two bytes a round.
    RoundWriter steady(k_t0);
    for (int i = 0; i < 60; ++i) steady.append(answered(k_t0 + 10 * i, 0.030 + 0.001 * (i % 4)));
    EXPECT_LE(steady.bytes().size(), 2 * 60u + 3);  // the first round carries its step and whole RTT

    RoundWriter first_half(k_t0);
    for (std::size_t i = 0; i < 30; ++i) first_half.append(rounds[i]);
    RoundWriter resumed(k_t0, first_half.bytes());
    for (std::size_t i = 30; i < rounds.size(); ++i) resumed.append(rounds[i]);
    EXPECT_EQ(resumed.bytes(), whole.bytes());

    // A damaged chunk gives what came before the damage, never garbage or a crash.
    const auto cut = decode_rounds(k_t0, std::string_view(whole.bytes()).substr(0, whole.bytes().size() / 2));
    ASSERT_FALSE(cut.empty());
    for (std::size_t i = 0; i < cut.size(); ++i) EXPECT_TRUE(same(cut[i], rounds[i])) << i;
    EXPECT_TRUE(decode_rounds(k_t0, std::string(40, '\xff')).empty());
}

TEST(HistorySeries, BucketsDecodeAsWrittenWithGaps) {
    std::vector<Bucket> buckets;
    for (int minute : {0, 1, 2, 5, 6, 59}) {
        Bucket b{k_t0 + 60 * minute, 6, minute == 5 ? 0u : minute == 6 ? 4u : 6u,
                 static_cast<std::uint8_t>(minute == 5 ? 255 : minute == 6 ? 85 : 0), rtt_code(1.0 + minute),
                 rtt_code(2.0 + minute)};
        if (b.ok == 0) b.rtt = b.rtt_max = 0;
        buckets.push_back(b);
    }
    BucketWriter w(Level::minute, k_t0);
    for (const auto& b : buckets) w.append(b);
    const auto back = decode_buckets(Level::minute, k_t0, w.bytes());
    ASSERT_EQ(back.size(), buckets.size());
    for (std::size_t i = 0; i < back.size(); ++i) {
        EXPECT_EQ(back[i].at, buckets[i].at) << i;
        EXPECT_EQ(back[i].rounds, buckets[i].rounds) << i;
        EXPECT_EQ(back[i].ok, buckets[i].ok) << i;
        EXPECT_EQ(back[i].loss, buckets[i].loss) << i;
        EXPECT_EQ(back[i].rtt, buckets[i].rtt) << i;
        EXPECT_EQ(back[i].rtt_max, buckets[i].rtt_max) << i;
    }
}

TEST(HistorySeries, SummariesTakeMediansMaximaAndMeans) {
    const std::vector<Round> rounds = {answered(k_t0, 1), answered(k_t0 + 10, 3), lost(k_t0 + 20),
                                       answered(k_t0 + 30, 2), answered(k_t0 + 40, 9)};
    const Bucket b = summarise(k_t0, rounds);
    EXPECT_EQ(b.rounds, 5u);
    EXPECT_EQ(b.ok, 4u);
    EXPECT_EQ(b.rtt, rtt_code(2));      // of the answered rounds: 1 2 3 9
    EXPECT_EQ(b.rtt_max, rtt_code(9));
    EXPECT_EQ(b.loss, 51);               // 255 / 5
    // Buckets of buckets: medians weighted by answered rounds, loss weighted by rounds.
    const Bucket many{k_t0, 10, 10, 0, rtt_code(5), rtt_code(6)};
    const Bucket few{k_t0 + 60, 2, 1, 128, rtt_code(50), rtt_code(70)};
    const Bucket hour = summarise(k_t0, std::vector<Bucket>{many, few});
    EXPECT_EQ(std::pair(hour.rounds, hour.ok), std::pair(12u, 11u));
    EXPECT_EQ(hour.rtt, rtt_code(5));
    EXPECT_EQ(hour.rtt_max, rtt_code(70));
    EXPECT_EQ(hour.loss, 21);  // 128 * 2 / 12, rounded
    EXPECT_EQ(summarise(k_t0, std::vector<Round>{}).rounds, 0u);
}

// On each backend of the history store (test_history_store.hpp).
class HistoryRecorder : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (backend_.skipped()) GTEST_SKIP() << "GATEWATCH_TEST_POSTGRES is not set (ctest sets it)";
        store_ = backend_.store.get();
        recorder_ = std::make_unique<Recorder>(*store_, [this] { return now_; });
    }
    TestHistoryStore backend_{GetParam()};
    store::HistoryStore* store_ = nullptr;
    std::int64_t now_ = k_t0;
    std::unique_ptr<Recorder> recorder_;

    // Rounds every 10 s from `from` to `to`, answered in `ms`, the clock following.
    void rounds(std::int64_t device, std::int64_t from, std::int64_t to, std::optional<double> ms) {
        for (std::int64_t t = from; t < to; t += 10) {
            now_ = t;
            recorder_->record_round(device, t, ms.has_value(), ms, ms ? 0.0 : 1.0);
        }
    }
    std::vector<Bucket> buckets(Level level, std::int64_t device, std::int64_t from, std::int64_t to) {
        std::vector<Bucket> out;
        for (const auto& c : store_->chunks(device, "", static_cast<int>(level), chunk_starts(level, from, to)))
            for (const auto& b : decode_buckets(level, c.start, c.data)) out.push_back(b);
        return out;
    }
};

TEST_P(HistoryRecorder, MinuteAndHourBucketsCloseAtTheirEdges) {
    // 23:58 to 01:02 across midnight: down from 00:30 to 00:31.
    const std::int64_t start = k_t0 + k_day - 120;
    rounds(1, start, k_t0 + k_day + 1800, 2.0);
    rounds(1, k_t0 + k_day + 1800, k_t0 + k_day + 1860, std::nullopt);
    rounds(1, k_t0 + k_day + 1860, k_t0 + k_day + 3720, 4.0);
    recorder_->flush();

    const auto minutes = buckets(Level::minute, 1, k_t0, k_t0 + 2 * k_day);
    ASSERT_EQ(minutes.size(), 63u);  // 23:58 .. 01:00; 01:01 is still open
    EXPECT_EQ(minutes.front().at, start);
    EXPECT_EQ(minutes.front().rounds, 6u);
    const auto down = std::find_if(minutes.begin(), minutes.end(), [](const Bucket& b) { return b.ok == 0; });
    ASSERT_NE(down, minutes.end());
    EXPECT_EQ(down->at, k_t0 + k_day + 1800);
    EXPECT_EQ(down->loss, 255);

    const auto hours = buckets(Level::hour, 1, k_t0, k_t0 + 2 * k_day);
    ASSERT_EQ(hours.size(), 2u);  // 23:00 (two minutes of it) and 00:00; 01:00 is still open
    EXPECT_EQ(hours[0].at, k_t0 + k_day - 3600);
    EXPECT_EQ(std::pair(hours[0].rounds, hours[0].ok), std::pair(12u, 12u));
    EXPECT_EQ(hours[1].at, k_t0 + k_day);
    EXPECT_EQ(std::pair(hours[1].rounds, hours[1].ok), std::pair(360u, 354u));
    EXPECT_EQ(hours[1].rtt, rtt_code(2.0));  // 2 ms for 30 minutes, 4 ms for 29: the median is 2
    EXPECT_EQ(hours[1].rtt_max, rtt_code(4.0));

    // Every round is kept too, and a point per step comes back from them.
    const auto points = history::history(*store_, 1, k_t0 + k_day + 1790, k_t0 + k_day + 1870, 10, now_);
    ASSERT_EQ(points.step_s, 10);
    ASSERT_EQ(points.points.size(), 8u);
    EXPECT_EQ(points.points[0].up, 1);
    EXPECT_EQ(points.points[1].up, 0);
    EXPECT_EQ(points.points[1].loss, 1);
    EXPECT_FALSE(points.points[1].rtt_ms.has_value());
}

TEST_P(HistoryRecorder, ADeviceThatStopsReportingIsClosedByTheClock) {
    rounds(2, k_t0, k_t0 + 50, 1.0);
    now_ = k_t0 + 2 * 3600;  // nothing since
    recorder_->flush();
    EXPECT_EQ(buckets(Level::minute, 2, k_t0, k_t0 + k_day).size(), 1u);
    const auto hours = buckets(Level::hour, 2, k_t0, k_t0 + k_day);
    ASSERT_EQ(hours.size(), 1u);
    EXPECT_EQ(hours[0].rounds, 5u);
}

TEST_P(HistoryRecorder, AfterARestartRoundsAppendToTheStoredChunks) {
    rounds(3, k_t0, k_t0 + 300, 1.0);
    recorder_->flush();
    Recorder again(*store_, [this] { return now_; });
    for (std::int64_t t = k_t0 + 300; t < k_t0 + 600; t += 10) {
        now_ = t;
        again.record_round(3, t, true, 1.0, 0.0);
    }
    now_ = k_t0 + 700;
    again.flush();
    const auto chunks = store_->chunks(3, "", static_cast<int>(Level::round), chunk_starts(Level::round, k_t0, k_t0 + 3600));
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(decode_rounds(chunks[0].start, chunks[0].data).size(), 60u);
    EXPECT_EQ(buckets(Level::minute, 3, k_t0, k_t0 + k_day).size(), 10u);
}

TEST_P(HistoryRecorder, RetentionKeepsEachLevelForItsTimeAndNoLonger) {
    rounds(4, k_t0, k_t0 + 7200, 1.0);
    recorder_->record_status(4, k_t0 * 1000, monitor::Status::unknown, monitor::Status::connected);
    recorder_->flush();
    const auto count = [&](Level level) {
        return store_->chunks(4, "", static_cast<int>(level), chunk_starts(level, k_t0 - k_day, k_t0 + 2 * k_day)).size();
    };
    EXPECT_EQ(count(Level::round), 12u);
    EXPECT_EQ(count(Level::minute), 2u);
    now_ = k_t0 + 2 * k_day + 3600;  // 48 h after the first hour ended
    recorder_->retain();
    EXPECT_EQ(count(Level::round), 6u);  // the second hour: not yet 48 h old
    EXPECT_EQ(count(Level::minute), 2u);
    now_ = k_t0 + 15 * k_day;
    recorder_->retain();
    EXPECT_EQ(count(Level::round), 0u);
    EXPECT_EQ(count(Level::minute), 0u);
    EXPECT_EQ(count(Level::hour), 1u);
    EXPECT_EQ(store_->events(4, "", 0, INT64_MAX, 10).size(), 1u);
    now_ = k_t0 + 402 * k_day;
    recorder_->retain();
    EXPECT_EQ(count(Level::hour), 0u);
    EXPECT_TRUE(store_->events(4, "", 0, INT64_MAX, 10).empty());
}

TEST_P(HistoryRecorder, AnyRangeReadsOnlyWhatIsKept) {
    rounds(6, k_t0, k_t0 + 600, 1.0);
    recorder_->flush();
    // From year 1 to year 9999: the same points as the last hour, found at once.
    const auto all = history::history(*store_, 6, -62'135'596'800, 253'402'300'799, std::nullopt, now_);
    ASSERT_EQ(all.points.size(), 1u);
    EXPECT_EQ(all.points[0].up, 1);
    EXPECT_EQ(history::history(*store_, 6, k_t0, k_t0 + 600, 60, now_).points.size(), 10u);
}

TEST_P(HistoryRecorder, AClockSetBackNeitherReopensNorShiftsWhatWasSummed) {
    rounds(7, k_t0, k_t0 + 1200, 1.0);            // 20 minutes
    rounds(7, k_t0 + 300, k_t0 + 400, 9.0);       // the clock steps back 15 minutes, for 100 s
    rounds(7, k_t0 + 1200, k_t0 + 1800, 1.0);     // and on
    now_ = k_t0 + 3 * 3600;
    recorder_->flush();
    const auto minutes = buckets(Level::minute, 7, k_t0, k_t0 + 3600);
    ASSERT_EQ(minutes.size(), 30u);
    for (std::size_t i = 0; i < minutes.size(); ++i) EXPECT_EQ(minutes[i].at, k_t0 + 60 * static_cast<std::int64_t>(i));
    // The 10 rounds of the stepped-back clock count at the latest time seen (minute 19), none is lost.
    EXPECT_EQ(minutes[19].rounds, 16u);
    const auto hours = buckets(Level::hour, 7, k_t0, k_t0 + k_day);
    ASSERT_EQ(hours.size(), 1u);
    EXPECT_EQ(hours[0].rounds, 190u);
}

TEST(HistoryQuery, StepsAreRoundedUpToWhatTheAgeKeeps) {
    const std::int64_t now = k_t0;
    EXPECT_EQ(choose_step(now - 3600, now, 1, now), 1);
    EXPECT_EQ(choose_step(now - 3600, now, 7, now), 10);
    EXPECT_EQ(choose_step(now - k_day, now, std::nullopt, now), 300);       // about 500 points
    EXPECT_EQ(choose_step(now - 3 * k_day, now - 2 * k_day - 7200, 10, now), 60);  // minutes only beyond 48 h
    EXPECT_EQ(choose_step(now - 20 * k_day, now - 19 * k_day, 60, now), 3600);   // hours only beyond 14 days
    EXPECT_EQ(choose_step(now - 365 * k_day, now, std::nullopt, now), k_day);
    EXPECT_EQ(choose_step(now - 365 * k_day, now, 3 * k_day + 1, now), 4 * k_day);
    EXPECT_EQ(choose_step(now - 2 * k_day, now, 1, now), 30);  // at most 10,000 points
}

TEST(HistoryQuery, UptimeCountsOnlyRecordedTime) {
    const auto event = [](std::int64_t at_ms, const char* status) {
        return store::StatusEvent{1, at_ms, status, "", std::nullopt, false};
    };
    const std::int64_t hour = 3'600'000;
    const std::int64_t now = 100 * hour;
    // Added an hour ago, one 6-minute outage: 0.9 over 24 h (the contract's example).
    EXPECT_NEAR(*uptime(std::nullopt,
                        {event(now - hour, "connected"), event(now - hour / 2, "disconnected"),
                         event(now - hour / 2 + hour / 10, "connected")},
                        now - 24 * hour, now),
                0.9, 1e-9);
    // Connected since before the window; gatewatch stopped for the last half of it.
    EXPECT_NEAR(*uptime(event(0, "connected"), {event(now - 12 * hour, "unknown")}, now - 24 * hour, now), 1.0, 1e-9);
    EXPECT_NEAR(*uptime(event(0, "disconnected"), {event(now - 6 * hour, "connected")}, now - 24 * hour, now), 0.25,
                1e-9);
    EXPECT_FALSE(uptime(std::nullopt, {}, now - 24 * hour, now).has_value());
    EXPECT_FALSE(uptime(event(0, "unknown"), {}, now - 24 * hour, now).has_value());
}

TEST_P(HistoryRecorder, ARestartHoursLaterStillSumsTheMinuteAndHourThatWereOpen) {
    rounds(5, k_t0, k_t0 + 3600, 1.0);  // 00:00:00 .. 00:59:50; minute 00:59 still open
    recorder_->flush();                  // then the process dies
    Recorder again(*store_, [this] { return now_; });
    for (std::int64_t t = k_t0 + 3 * 3600; t < k_t0 + 3 * 3600 + 120; t += 10) {
        now_ = t;
        again.record_round(5, t, true, 1.0, 0.0);
    }
    again.flush();
    const auto minutes = buckets(Level::minute, 5, k_t0, k_t0 + 3600);
    ASSERT_EQ(minutes.size(), 60u);
    EXPECT_EQ(minutes.back().rounds, 6u);
    const auto hours = buckets(Level::hour, 5, k_t0, k_t0 + k_day);
    ASSERT_EQ(hours.size(), 1u);
    EXPECT_EQ(std::pair(hours[0].at, hours[0].rounds), std::pair(k_t0, 360u));
}

namespace {
events::RoundFinished round_at(std::int64_t device, std::int64_t at, monitor::Status status, std::optional<double> ms) {
    const auto when = events::WallClock::time_point(std::chrono::seconds(at));
    return {device, "127.0.0.1", ms.has_value(), status, ms, ms ? 0.0 : 1.0, when, when, std::nullopt};
}
}  // namespace

// Several nodes: a location's view (rounds only; its status changes follow
// from them) is stored beside the device's own history, not in it.
TEST_P(HistoryRecorder, ALocationsViewIsKeptApartFromTheDevicesOwnHistory) {
    Recorder east(*store_, [this] { return now_; }, "east");
    for (std::int64_t t = k_t0; t < k_t0 + 600; t += 10) {
        now_ = t;
        const bool down = t >= k_t0 + 300;
        east.apply(round_at(8, t, down ? monitor::Status::disconnected : monitor::Status::connected,
                            down ? std::nullopt : std::optional(3.0)));
        recorder_->apply(round_at(8, t, monitor::Status::connected, 1.0));
    }
    now_ = k_t0 + 700;
    east.flush();
    recorder_->flush();

    const auto seen_east = history::history(*store_, 8, k_t0, k_t0 + 600, 60, now_, "east");
    ASSERT_EQ(seen_east.points.size(), 10u);
    EXPECT_EQ(seen_east.points[0].up, 1);
    EXPECT_NEAR(*seen_east.points[0].rtt_ms, 3.0, 0.02);
    EXPECT_EQ(seen_east.points[9].up, 0);
    const auto own = history::history(*store_, 8, k_t0, k_t0 + 600, 60, now_);
    ASSERT_EQ(own.points.size(), 10u);
    EXPECT_EQ(own.points[9].up, 1);
    EXPECT_NEAR(*own.points[9].rtt_ms, 1.0, 0.01);
    EXPECT_TRUE(history::history(*store_, 8, k_t0, k_t0 + 600, 60, now_, "west").points.empty());

    const auto changes = store_->events(8, "east", 0, INT64_MAX, 10);  // newest first
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(std::pair(changes[0].previous, changes[0].status), std::pair(std::string("connected"), std::string("disconnected")));
    EXPECT_EQ(changes[0].at_ms, (k_t0 + 300) * 1000);
    EXPECT_EQ(changes[0].location, "east");
    EXPECT_EQ(std::pair(changes[1].previous, changes[1].status), std::pair(std::string("unknown"), std::string("connected")));
    const auto before = store_->last_events_before({8}, "east", (k_t0 + 400) * 1000);
    ASSERT_EQ(before.size(), 1u);
    EXPECT_EQ(before[0].status, "disconnected");
    ASSERT_EQ(store_->events(8, "", 0, INT64_MAX, 10).size(), 1u);  // its own: unknown -> connected only

    now_ = k_t0 + 402 * k_day;  // retention removes every location's rows too
    recorder_->retain();
    EXPECT_TRUE(store_->events(8, "east", 0, INT64_MAX, 10).empty());
    EXPECT_TRUE(store_->chunks(8, "east", static_cast<int>(Level::hour), chunk_starts(Level::hour, k_t0, k_t0 + k_day)).empty());
}

// A round's status is what was recorded last, or a change is recorded: a
// device taken over from another node carries its status on without one.
TEST_P(HistoryRecorder, ARoundThatCarriesAStatusOnRecordsTheChangeOnce) {
    recorder_->apply(events::StatusChanged{9, "127.0.0.1", monitor::Status::unknown, monitor::Status::connected,
                                           events::WallClock::time_point(std::chrono::seconds(k_t0)), std::nullopt});
    recorder_->apply(round_at(9, k_t0, monitor::Status::connected, 1.0));
    recorder_->apply(round_at(9, k_t0 + 10, monitor::Status::connected, 1.0));
    Recorder taken_over(*store_, [this] { return now_; });
    taken_over.apply(round_at(10, k_t0 + 10, monitor::Status::disconnected, std::nullopt));
    taken_over.apply(round_at(10, k_t0 + 20, monitor::Status::disconnected, std::nullopt));
    now_ = k_t0 + 30;
    recorder_->flush();
    taken_over.flush();
    EXPECT_EQ(store_->events(9, "", 0, INT64_MAX, 10).size(), 1u);
    const auto carried = store_->events(10, "", 0, INT64_MAX, 10);
    ASSERT_EQ(carried.size(), 1u);
    EXPECT_EQ(std::pair(carried[0].previous, carried[0].status), std::pair(std::string("unknown"), std::string("disconnected")));
    EXPECT_EQ(carried[0].at_ms, (k_t0 + 10) * 1000);
}

// A device handed to another node in mid-period: its open chunks are written
// at once, still open, and the next node's rounds go on in them; nothing is
// lost or counted twice.
TEST_P(HistoryRecorder, AHandedOverDeviceGoesOnInTheSameChunksOnTheNextNode) {
    rounds(11, k_t0, k_t0 + 300, 1.0);  // nothing flushed yet
    recorder_->keep_only({12});
    const auto open = store_->chunks(11, "", static_cast<int>(Level::round), {k_t0});
    ASSERT_EQ(open.size(), 1u);
    EXPECT_FALSE(open[0].complete);
    EXPECT_EQ(decode_rounds(open[0].start, open[0].data).size(), 30u);

    Recorder next_node(*store_, [this] { return now_; });
    for (std::int64_t t = k_t0 + 300; t < k_t0 + 600; t += 10) {
        now_ = t;
        next_node.record_round(11, t, true, 2.0, 0.0);
    }
    now_ = k_t0 + 3 * 3600;
    next_node.flush();
    const auto chunks = store_->chunks(11, "", static_cast<int>(Level::round), {k_t0});
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(decode_rounds(chunks[0].start, chunks[0].data).size(), 60u);
    const auto minutes = buckets(Level::minute, 11, k_t0, k_t0 + 3600);
    ASSERT_EQ(minutes.size(), 10u);
    for (const auto& m : minutes) EXPECT_EQ(m.rounds, 6u);
    const auto hours = buckets(Level::hour, 11, k_t0, k_t0 + k_day);
    ASSERT_EQ(hours.size(), 1u);
    EXPECT_EQ(hours[0].rounds, 60u);
    // The first node, given the device back, reads what the other wrote.
    now_ = k_t0 + 3 * 3600 + 10;
    recorder_->record_round(11, now_, true, 1.0, 0.0);
    recorder_->flush();
    EXPECT_EQ(buckets(Level::hour, 11, k_t0, k_t0 + k_day).front().rounds, 60u);
}

INSTANTIATE_TEST_SUITE_P(Backends, HistoryRecorder, k_history_backends,
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });
