#pragma once
// The scheduler's arithmetic, kept pure so it is tested without a clock.
//  - RateCap: a token bucket holding at most 10 ms of sends, so the global
//    cap also bounds any burst. A rate of 0 means no cap (benchmarks).
//  - spread_offset: where the i-th of the devices that join together starts
//    its first round, k of them expected: the first k evenly over the
//    interval in the order given (the device list's: targets probed one after
//    the other then sit side by side in memory), or at once when k is a
//    handful (up to 16); any beyond k (added after they were counted) by the
//    golden-ratio sequence, which spreads any number of them evenly.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace gatewatch::monitor {

class RateCap {
public:
    RateCap(double per_second, std::int64_t now_ns)
        : per_ns_(per_second / 1e9), capacity_(std::max(1.0, per_second / 100.0)), tokens_(capacity_), last_ns_(now_ns) {}

    // True (and one send taken) when a send may go now.
    bool try_take(std::int64_t now_ns) {
        if (per_ns_ <= 0) return true;
        refill(now_ns);
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

    // When the next send may go (now_ns when it may go at once).
    [[nodiscard]] std::int64_t next_allowed_ns(std::int64_t now_ns) {
        if (per_ns_ <= 0) return now_ns;
        refill(now_ns);
        if (tokens_ >= 1.0) return now_ns;
        return now_ns + static_cast<std::int64_t>((1.0 - tokens_) / per_ns_) + 1;
    }

private:
    void refill(std::int64_t now_ns) {
        if (now_ns > last_ns_) tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now_ns - last_ns_) * per_ns_);
        last_ns_ = std::max(last_ns_, now_ns);
    }
    double per_ns_;
    double capacity_;
    double tokens_;
    std::int64_t last_ns_;
};

inline std::int64_t spread_offset(std::size_t i, std::size_t k, std::int64_t interval_ns) {
    if (i < k) {
        if (k <= 16) return 0;
        return static_cast<std::int64_t>(static_cast<double>(interval_ns) * static_cast<double>(i) /
                                         static_cast<double>(k));
    }
    constexpr double golden = 0.6180339887498949;  // (sqrt(5) - 1) / 2
    const double step = static_cast<double>(i - k + 1) * golden;
    return static_cast<std::int64_t>(static_cast<double>(interval_ns) * (step - std::floor(step)));
}

}  // namespace gatewatch::monitor
