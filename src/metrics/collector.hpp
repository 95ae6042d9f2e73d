#pragma once
// The numbers behind GET /metrics (Prometheus text format 0.0.4), gathered
// as things happen, rendered when scraped.
//
// Devices: one slot per monitored device, its labels (device_id, name, ip,
// room) rendered when the device or its room changes, its status, RTT and
// loss stored in atomics by the RoundFinished events (an inline subscriber,
// on the engine's thread). The slot table is guarded by a shared mutex that
// rounds and scrapes both take shared, so a scrape never stalls the engine;
// only a device added, changed or removed takes it alone. Requests: the
// chain's metrics stage counts each answer by route pattern and code and
// times it (a histogram per route), under a mutex of their own (I/O threads).
// Notifications: counted by the sender. Probes and WebSocket clients are
// read from their owners at scrape time; process_* from /proc/self.
// render() runs where the scrape is handled (off the I/O threads: the route
// is CPU-heavy): about 300 bytes and 1 µs a device.
#include "events/events.hpp"
#include "store/store.hpp"

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gatewatch::metrics {

class Collector {
public:
    struct Sources {
        std::function<std::size_t()> websocket_clients;
        struct Probes {
            std::uint64_t answered = 0;
            std::uint64_t lost = 0;
        };
        std::function<Probes()> probes;
        std::string probe_method;  // "datagram", "raw" or "ping"
    };

    Collector(store::Store& store, std::string version);
    void set_sources(Sources sources);  // before the first scrape

    // Reads the monitored devices and the rooms' names from the store (at start, and on Reload).
    void load();
    // Every event, inline on the publisher's thread.
    void apply(const events::Event& event);

    void observe_request(std::string_view route, unsigned code, double seconds);
    void count_notification(std::string_view type, bool delivered);

    [[nodiscard]] std::string render() const;

private:
    struct Slot {
        std::int64_t room_id = 0;  // 0: none
        store::Device device;
        std::string labels;  // device_id="1",name="...",ip="...",room="..."
        std::atomic<int> up{-1};  // -1 unknown, 0, 1
        std::atomic<double> rtt_seconds{-1};  // < 0: none
        std::atomic<double> loss{-1};
    };
    struct RouteTiming {
        std::array<std::uint64_t, 13> buckets{};
        double sum = 0;
        std::uint64_t count = 0;
    };

    void put_device(const store::Device& device);  // under the exclusive lock
    std::string room_name(std::int64_t room_id);   // under the exclusive lock
    void relabel_room(std::int64_t room_id);

    store::Store& store_;
    const std::string version_;
    Sources sources_;
    const double started_at_;  // seconds since the epoch

    mutable std::shared_mutex devices_mutex_;
    std::unordered_map<std::int64_t, std::unique_ptr<Slot>> devices_;
    std::unordered_map<std::int64_t, std::string> rooms_;

    mutable std::mutex requests_mutex_;
    std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::string, RouteTiming> timings_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> notifications_;
};

// A label value as the text format wants it: \\ \" and \n escaped.
std::string escape_label(std::string_view value);

}  // namespace gatewatch::metrics
