#pragma once
// Writes committed by another process (the admin command line, another
// gatewatch later) become the same events as our own.
//
// A thread reads the store's change feed every `every` (on SQLite a cheap
// PRAGMA while nothing changed) and publishes, for each change whose origin
// is not this store's, the event the service layer would have published:
// a device is read again and published as added, updated or removed; an
// account or a room as changed; a whole configuration written at once
// (`gatewatch apply`) as Reload. When the log no longer reaches back to what
// was read, or a read fails, it publishes Reload. stop() (or the destructor)
// joins the thread.
#include "events/event_bus.hpp"
#include "store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace gatewatch::service {

class ChangeFeed {
public:
    ChangeFeed(store::Store& store, events::EventBus& bus,
               std::chrono::milliseconds every = std::chrono::milliseconds(250));
    ~ChangeFeed();
    ChangeFeed(const ChangeFeed&) = delete;
    ChangeFeed& operator=(const ChangeFeed&) = delete;

    void start();
    void stop();
    // Reads and publishes what is new now (the thread's step; tests call it).
    void poll();
    // Asks the thread to read now rather than at its next interval (another
    // node's write was committed: PostgreSQL's NOTIFY gw_config).
    void wake();

private:
    void publish(const store::Change& change);

    store::Store& store_;
    events::EventBus& bus_;
    const std::chrono::milliseconds every_;
    std::uint64_t seen_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace gatewatch::service
