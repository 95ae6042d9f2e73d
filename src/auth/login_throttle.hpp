#pragma once
// Throttling of failed logins, so passwords cannot be guessed at speed.
//
// Failures fill leaky buckets (each drains one failure per `drain` interval):
//   per client address               20 failures, one drains every 3 s
//   per (account, client address)     5 failures, one drains every 12 s
//   per account, from anywhere      100 failures, one drains every 1 s
// A login whose buckets are full is refused with 429 and Retry-After (the
// seconds until one failure drains) before any password is checked.
// A successful login empties its address's and its account's buckets.
// An attacker elsewhere can lock a real user out only by filling the high
// per-account bucket, and only for as long as it takes to drain (seconds).
// Thread-safe; memory is bounded (the least recent entries are dropped).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace gatewatch::auth {

class LoginThrottle {
public:
    using Clock = std::chrono::steady_clock;

    // nullopt: the attempt may go on; else the seconds to wait (Retry-After).
    std::optional<std::int64_t> check(const std::string& account, const std::string& address, Clock::time_point now);
    void failed(const std::string& account, const std::string& address, Clock::time_point now);
    void succeeded(const std::string& account, const std::string& address);

    struct Bucket {
        double level = 0;  // failures not yet drained
        Clock::time_point updated;
    };
    using Buckets = std::unordered_map<std::string, Bucket>;

private:
    std::mutex mutex_;
    Buckets by_address_;
    Buckets by_account_address_;
    Buckets by_account_;
};

}  // namespace gatewatch::auth
