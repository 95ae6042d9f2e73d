#pragma once
// The engine's reads of the store's device list (monitor.cpp, step 1).
//
// A read asked for while the engine has targets to probe runs on a thread of
// its own (gw-load): at 100,000 devices it takes 0.08 s, and a database out
// of reach may take seconds, which the engine spends probing and receiving
// instead. Device events that come meanwhile are held and handed back after
// the list, in order: each is a no-op on a list that already has it, and a
// list may be older than the event. A read asked for meanwhile runs after
// the current one, with the narrowest spread asked for; a failed read is
// tried again a second later.
//
// A read asked for with nothing to probe (at start) runs on the engine's
// thread: nothing waits, and the list's memory is then reused by that thread
// (read on gw-load, it stayed in that thread's malloc arena: 23 MB more RSS
// at 100,000 devices in bench/steady_state.sh, even after malloc_trim).
//
// Every member is called on the engine's thread; `apply` and `replay` run
// there too.
#include "events/events.hpp"
#include "store/store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace gatewatch::monitor {

class DeviceLoader {
public:
    // Where new targets start: spread over this (none: one interval).
    using Spread = std::optional<std::chrono::nanoseconds>;
    using Apply = std::function<void(const std::vector<store::Device>&, Spread)>;
    using Replay = std::function<void(const events::Event&)>;
    using Idle = std::function<bool()>;  // true: nothing to probe, a read may block the engine

    // At most `max_held` events wait; past that the next read has them all.
    DeviceLoader(boost::asio::io_context& ioc, store::Store& store, std::size_t max_held, Idle idle, Apply apply,
                 Replay replay);
    ~DeviceLoader() { join(); }
    DeviceLoader(const DeviceLoader&) = delete;
    DeviceLoader& operator=(const DeviceLoader&) = delete;

    // Reads every device and applies the list: here when idle, else on
    // gw-load (or after the read in flight).
    void read(Spread spread);
    // True when a read is in flight and the event was held for after it.
    bool hold(const events::Event& event);
    // Waits for a read in flight to end (its list, posted to a stopped loop,
    // is dropped). After the engine's loop has stopped.
    void join();

private:
    void loaded(const std::vector<store::Device>& devices, Spread spread);
    void failed(const std::string& what, Spread spread);
    void ask_again(Spread spread);
    Spread take_again();
    void replay_held();

    boost::asio::io_context& ioc_;
    store::Store& store_;
    std::size_t max_held_;
    Idle idle_;
    Apply apply_;
    Replay replay_;
    std::thread thread_;
    bool loading_ = false;
    std::optional<Spread> again_;
    std::vector<events::Event> held_;
    boost::asio::steady_timer retry_;
};

}  // namespace gatewatch::monitor
