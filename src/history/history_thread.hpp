#pragma once
// The recorder on a thread of its own ("gw-history"), fed by the bus, and
// the companion whose writes go in its transactions (notifications).
//
// A queued subscriber (a slow disk never stalls the engine; a queue that
// overflows loses rounds, which is logged, not the process). Flushes every
// `flush_interval`, status changes within a second, and runs retention once
// an hour on a helper thread so the queue keeps draining meanwhile. stop()
// records every known device `unknown` from when probing stopped (or now;
// Recorder::stop), writes what is pending and joins.
//
// Several nodes (`node_name` set): a second recorder keeps this location's
// view of the devices that list locations (the engine's LocationRound),
// and each Assignment hands over the devices this node no longer records
// (Recorder::keep_only): its own history only for those whose own status it
// publishes (Assignment::reported), the view for those it probes.
#include "events/event_bus.hpp"
#include "history/recorder.hpp"
#include "store/history_store.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace gatewatch::history {

// Work whose results must be stored in the same transaction as the status
// changes: the notifications' outbox (notify/dispatcher.hpp). Called on the
// history thread, told every event before the recorder.
class Companion {
public:
    struct Seen {
        bool muted = false;                     // a status change to record muted
        std::vector<store::Delivery> deliveries;  // to store with the next status changes
    };
    virtual ~Companion() = default;
    virtual Seen observe(const events::Event& event) = 0;
    // The deliveries handed over so far are committed.
    virtual void written() = 0;
};

struct HistoryOptions {
    std::chrono::milliseconds flush_interval{60'000};
    std::chrono::milliseconds retention_interval{3'600'000};
    std::size_t queue_capacity = 262'144;  // events: over 20 s of rounds at 100,000 devices
    std::string node_name{};  // several nodes: this node, whose LocationRounds are its own view
    std::string location{};   // and where it probes from
};

class HistoryThread {
public:
    // `companion` (may be null) must outlive the thread.
    HistoryThread(store::HistoryStore& store, events::EventBus& bus, HistoryOptions options,
                  Companion* companion = nullptr);
    ~HistoryThread();
    HistoryThread(const HistoryThread&) = delete;
    HistoryThread& operator=(const HistoryThread&) = delete;

    void start();
    // The engine stopped probing now: stop() records `unknown` from this time
    // (another node may take the devices over before stop() is called). The
    // first call counts.
    void probing_stopped();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::history
