// The engine's reads of the device list (monitor/device_loader.hpp): pages by
// id from gw-load, events held until the last page, a broken read tried
// again from its first page, and a stop that never waits on a loop that
// no longer runs.
#include "monitor/device_loader.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

using namespace gatewatch;
using namespace std::chrono_literals;
using monitor::DeviceLoader;

namespace {

struct Seen {
    std::vector<std::int64_t> ids;  // in the order the pages brought them
    std::vector<std::size_t> page_sizes;
    int firsts = 0, lasts = 0;
    std::vector<std::string> replayed;  // each held event's device name, when it came back
    std::size_t pages_before_replay = 0;
    std::vector<std::size_t> expected;  // each page's count of the whole list
};

class Loader : public ::testing::Test {
protected:
    TempDir dir;
    store::SqliteStore store{dir.path / "db"};
    boost::asio::io_context ioc;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
    std::vector<std::int64_t> ids;

    void create(int n) {
        for (int i = 1; i <= n; ++i) {
            store::Device d;
            d.name = std::to_string(i);  // (GCC 12 warns wrongly on "d" + to_string)
            d.ip = "127.0.1.";
            d.ip += d.name;
            ids.push_back(store.create_device(d).id);
        }
    }
    static events::Event added(const std::string& name) {
        store::Device d;
        d.name = name;
        return events::DeviceAdded{d};
    }
    // Runs the engine's loop until `done` holds (checked after each handler) or 20 s have passed.
    template <typename Done>
    void run_until(Done done) {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (!done() && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(100ms);
    }
};

TEST_F(Loader, PagesComeByIdAndHeldEventsAfterTheLast) {
    create(10);
    Seen seen;
    DeviceLoader loader(
        ioc, store, 100,
        [&](std::span<const store::Device> devices, const DeviceLoader::Page& page) {
            seen.page_sizes.push_back(devices.size());
            for (const auto& d : devices) seen.ids.push_back(d.id);
            seen.firsts += page.first;
            seen.lasts += page.last;
            seen.expected.push_back(page.expected);
        },
        [&](const events::Event& e) {
            seen.replayed.push_back(std::get<events::DeviceAdded>(e).device.name);
            seen.pages_before_replay = seen.page_sizes.size();
        },
        3);
    loader.read(std::nullopt);
    EXPECT_TRUE(loader.hold(added("during")));
    run_until([&] { return !seen.replayed.empty(); });

    EXPECT_EQ(seen.ids, ids);
    EXPECT_EQ(seen.page_sizes, (std::vector<std::size_t>{3, 3, 3, 1}));
    EXPECT_EQ(seen.firsts, 1);
    EXPECT_EQ(seen.lasts, 1);
    EXPECT_EQ(seen.expected, (std::vector<std::size_t>{10, 10, 10, 10}));
    EXPECT_EQ(seen.replayed, std::vector<std::string>{"during"});
    EXPECT_EQ(seen.pages_before_replay, 4u);
    EXPECT_FALSE(loader.hold(added("after")));  // no read in flight: the caller applies it
    loader.join();
}

TEST_F(Loader, PagesOfSeveralSlicesAreAppliedInOrderWhileGwLoadReadsAhead) {
    create(2000);  // pages of 600: each 3 slices (DeviceLoader::k_slice = 256), the last one 200
    std::vector<std::int64_t> applied;
    int firsts = 0, lasts = 0;
    std::size_t before_last = 0;
    DeviceLoader loader(
        ioc, store, 100,
        [&](std::span<const store::Device> devices, const DeviceLoader::Page& page) {
            std::this_thread::sleep_for(2ms);  // a slow engine: gw-load has the next pages posted meanwhile
            for (const auto& d : devices) applied.push_back(d.id);
            firsts += page.first;
            if (page.last) {
                ++lasts;
                before_last = applied.size();
            }
        },
        [](const events::Event&) {}, 600);
    loader.read(std::nullopt);
    run_until([&] { return lasts == 1; });
    EXPECT_EQ(applied, ids);  // in order: no slice of a page between another page's
    EXPECT_EQ(before_last, ids.size());  // the read ends with its last device
    EXPECT_EQ(firsts, 1);
    loader.join();
}

TEST_F(Loader, AListOfWholePagesEndsWithAnEmptyOne) {
    create(6);
    std::vector<std::size_t> sizes;
    bool last = false;
    DeviceLoader loader(
        ioc, store, 100,
        [&](std::span<const store::Device> devices, const DeviceLoader::Page& page) {
            sizes.push_back(devices.size());
            last = page.last;
        },
        [](const events::Event&) {}, 3);
    loader.read(std::nullopt);
    run_until([&] { return last; });
    EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 0}));
    loader.join();
}

TEST_F(Loader, APageThatCannotBeAppliedStartsTheReadAgain) {
    create(7);
    int pages = 0, reads = 0, whole = 0;
    std::vector<std::int64_t> last_read;
    DeviceLoader loader(
        ioc, store, 100,
        [&](std::span<const store::Device> devices, const DeviceLoader::Page& page) {
            if (page.first) {
                ++reads;
                last_read.clear();
            }
            if (++pages == 2) throw std::runtime_error("out of memory, say");
            for (const auto& d : devices) last_read.push_back(d.id);
            whole += page.last;
        },
        [](const events::Event&) {}, 3);
    loader.read(std::nullopt);
    run_until([&] { return whole == 1; });
    EXPECT_EQ(reads, 2);  // the broken one, then one from the first page
    EXPECT_EQ(whole, 1);  // the broken read's later pages were not applied (its last page included)
    EXPECT_EQ(last_read, ids);
    loader.join();
}

TEST_F(Loader, AStoreOutOfReachIsReadAgainEachSecondUntilItAnswers) {
    create(5);
    bool whole = false;
    std::vector<std::int64_t> listed;
    DeviceLoader loader(
        ioc, store, 100,
        [&](std::span<const store::Device> devices, const DeviceLoader::Page& page) {
            for (const auto& d : devices) listed.push_back(d.id);
            whole = page.last;
        },
        [](const events::Event&) {}, 2);
    store::sqlite::Connection other(dir.path / "db");
    other.exec("ALTER TABLE devices RENAME TO devices_away");  // every read fails
    loader.read(std::nullopt);
    const auto failing_until = std::chrono::steady_clock::now() + 3500ms;  // four failed reads
    run_until([&] { return std::chrono::steady_clock::now() > failing_until; });
    EXPECT_TRUE(listed.empty());
    other.exec("ALTER TABLE devices_away RENAME TO devices");
    run_until([&] { return whole; });
    EXPECT_EQ(listed, ids);
}

TEST_F(Loader, StoppingDoesNotWaitForALoopThatNoLongerRuns) {
    create(20);
    int applied = 0;
    DeviceLoader loader(
        ioc, store, 100, [&](std::span<const store::Device>, const DeviceLoader::Page&) { ++applied; },
        [](const events::Event&) {}, 1);
    loader.read(std::nullopt);
    std::this_thread::sleep_for(200ms);  // gw-load reads its pages ahead and waits for this loop
    loader.join();  // returns (a hang fails the test on ctest's timeout)
    EXPECT_EQ(applied, 0);
}

}  // namespace
