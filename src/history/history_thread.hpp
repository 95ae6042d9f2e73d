#pragma once
// The recorder on a thread of its own ("gw-history"), fed by the bus.
//
// A queued subscriber (a slow disk never stalls the engine; a queue that
// overflows loses rounds, which is logged, not the process). Flushes every
// `flush_interval`, status changes within a second, and runs retention once
// an hour on a helper thread so the queue keeps draining meanwhile. stop()
// records every known device `unknown` from now (Recorder::stop), writes
// what is pending and joins.
#include "events/event_bus.hpp"
#include "history/recorder.hpp"
#include "store/history_store.hpp"

#include <chrono>
#include <memory>

namespace gatewatch::history {

struct HistoryOptions {
    std::chrono::milliseconds flush_interval{60'000};
    std::chrono::milliseconds retention_interval{3'600'000};
    std::size_t queue_capacity = 262'144;  // events: over 20 s of rounds at 100,000 devices
};

class HistoryThread {
public:
    HistoryThread(store::HistoryStore& store, events::EventBus& bus, HistoryOptions options);
    ~HistoryThread();
    HistoryThread(const HistoryThread&) = delete;
    HistoryThread& operator=(const HistoryThread&) = delete;

    void start();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::history
