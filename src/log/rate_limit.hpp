#pragma once
// A warning that may repeat (accept failing, a cap reached, the database
// unreadable) is written at most once per interval, with the count of the
// ones left out since; a flood of causes never becomes a flood of log lines.
//
//   static log::RateLimit accept_failures{std::chrono::seconds(1)};
//   if (auto skipped = accept_failures.due()) spdlog::warn("accept: {} ({} more)", ec.message(), *skipped);
//
// Thread-safe and lock-free.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace gatewatch::log {

class RateLimit {
public:
    explicit RateLimit(std::chrono::milliseconds interval) : interval_ns_(interval.count() * 1'000'000) {}

    // The number of occurrences left out since the last line, when a line is
    // due now; nullopt when this one is to be left out.
    std::optional<std::uint64_t> due() {
        const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count();
        std::int64_t last = last_ns_.load(std::memory_order_relaxed);
        if (last != 0 && now - last < interval_ns_) {
            skipped_.fetch_add(1, std::memory_order_relaxed);
            return std::nullopt;
        }
        if (!last_ns_.compare_exchange_strong(last, now)) {
            skipped_.fetch_add(1, std::memory_order_relaxed);
            return std::nullopt;
        }
        return skipped_.exchange(0, std::memory_order_relaxed);
    }

private:
    const std::int64_t interval_ns_;
    std::atomic<std::int64_t> last_ns_{0};
    std::atomic<std::uint64_t> skipped_{0};
};

}  // namespace gatewatch::log
