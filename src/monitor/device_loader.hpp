#pragma once
// The engine's reads of the store's device list (monitor.cpp, step 1).
//
// A read runs on a thread of its own (gw-load) and hands the list to the
// engine in pages of k_page devices by id, each applied as it comes, in
// order, so probing starts after the first page rather than the whole list
// (0.08 s at 100,000 devices from SQLite; a database out of reach may take
// seconds). gw-load reads a page only while at most one waits to be applied:
// the list is never whole in memory, and what gw-load allocates
// stays small (its malloc arena kept 23 MB more RSS at 100,000 devices when
// the list came whole).
//
// Device events that come during a read are held and handed back after its
// last page, in order: each is a no-op on a list that already has it, and a
// page may be older than the event. A read asked for meanwhile runs after
// the current one, with the narrowest spread asked for; a failed read is
// tried again a second later, from its first page.
//
// Every member but join() is called on the engine's thread; `apply` and
// `replay` run there too.
#include "events/events.hpp"
#include "store/store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace gatewatch::monitor {

class DeviceLoader {
public:
    static constexpr std::size_t k_page = 4096;  // devices a read asks the store for at once
    static constexpr std::size_t k_slice = 256;  // devices the engine applies in one go (device_loader.cpp)

    // Where new targets start: spread over this (none: one interval).
    using Spread = std::optional<std::chrono::nanoseconds>;
    struct Page {
        Spread spread;
        std::size_t expected = 0;  // devices in the store when the read began: where a device's place puts it
        bool first = false;  // a new read begins: forget what an unfinished one listed
        bool last = false;   // the read is whole: what it did not list is gone
    };
    using Apply = std::function<void(std::span<const store::Device>, const Page&)>;
    using Replay = std::function<void(const events::Event&)>;

    // At most `max_held` events wait; past that the next read has them all.
    DeviceLoader(boost::asio::io_context& ioc, store::Store& store, std::size_t max_held, Apply apply, Replay replay,
                 std::size_t page_size = k_page);
    ~DeviceLoader() { join(); }
    DeviceLoader(const DeviceLoader&) = delete;
    DeviceLoader& operator=(const DeviceLoader&) = delete;

    // Reads every device, a page at a time, now or after the read in flight.
    void read(Spread spread);
    // True when a read is in flight and the event was held for after it.
    bool hold(const events::Event& event);
    // Ends a read in flight (its pages, posted to a stopped loop, are
    // dropped) and waits for gw-load (and a store call it is in). After the
    // engine's loop has stopped; the loader reads nothing after it.
    void join();

private:
    void run(Spread spread);  // on gw-load
    // One page read by gw-load, or why the read failed.
    struct Delivery {
        std::shared_ptr<const std::vector<store::Device>> page;
        bool first = false, last = false;
        Spread spread;
        std::size_t expected = 0;
        std::optional<std::string> failure;
    };
    void arrive(Delivery delivery);
    void next_slice();
    void page_in(std::span<const store::Device> devices, bool first, bool last, Spread spread, std::size_t expected);
    void failed(const std::string& what, Spread spread);
    void ask_again(Spread spread);
    Spread take_again();
    void replay_held();

    boost::asio::io_context& ioc_;
    store::Store& store_;
    std::size_t max_held_;
    Apply apply_;
    Replay replay_;
    std::size_t page_size_;
    std::thread thread_;
    bool loading_ = false;
    std::optional<std::string> broken_;  // why a page of the read in flight could not be applied
    std::optional<Spread> again_;
    std::vector<events::Event> held_;
    std::deque<Delivery> arrived_;  // applied in order, by one chain of next_slice handlers
    std::size_t slice_from_ = 0;    // in arrived_.front()
    bool slicing_ = false;
    boost::asio::steady_timer retry_;

    // Shared with gw-load: pages posted and not yet applied, and the end.
    std::mutex mutex_;
    std::condition_variable applied_;
    std::size_t pages_ahead_ = 0;
    bool stopping_ = false;
};

}  // namespace gatewatch::monitor
