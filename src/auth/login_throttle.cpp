#include "auth/login_throttle.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace gatewatch::auth {
namespace {

using Clock = LoginThrottle::Clock;
using Buckets = LoginThrottle::Buckets;

struct Limit {
    double capacity;
    std::chrono::milliseconds drain;  // one failure drains every this long
};
// The documented rates (README, "Login throttling").
constexpr Limit k_by_address{20, std::chrono::milliseconds(3'000)};
constexpr Limit k_by_account_address{5, std::chrono::milliseconds(12'000)};
constexpr Limit k_by_account{100, std::chrono::milliseconds(1'000)};
constexpr std::size_t k_max_entries = 100'000;  // per map; past it the map is cleared (an attacker's churn)

std::string fold(const std::string& account) {
    std::string folded = account;
    std::transform(folded.begin(), folded.end(), folded.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return folded;
}

double drained(const LoginThrottle::Bucket& b, const Limit& limit, Clock::time_point now) {
    const double elapsed = std::chrono::duration<double, std::milli>(now - b.updated).count();
    return std::max(0.0, b.level - elapsed / static_cast<double>(limit.drain.count()));
}

// Seconds until one more attempt fits, or nullopt when it fits now.
std::optional<std::int64_t> wait_for(const Buckets& buckets, const std::string& key, const Limit& limit,
                                     Clock::time_point now) {
    const auto it = buckets.find(key);
    if (it == buckets.end()) return std::nullopt;
    const double level = drained(it->second, limit, now);
    if (level + 1.0 <= limit.capacity) return std::nullopt;
    const double wait_ms = (level + 1.0 - limit.capacity) * static_cast<double>(limit.drain.count());
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait_ms / 1000.0)));
}

void add_failure(Buckets& buckets, const std::string& key, const Limit& limit, Clock::time_point now) {
    if (buckets.size() >= k_max_entries) buckets.clear();
    LoginThrottle::Bucket& b = buckets[key];
    b.level = std::min(limit.capacity, drained(b, limit, now) + 1.0);
    b.updated = now;
}

}  // namespace

std::optional<std::int64_t> LoginThrottle::check(const std::string& account, const std::string& address,
                                                 Clock::time_point now) {
    const std::string folded = fold(account);
    std::lock_guard lock(mutex_);
    std::optional<std::int64_t> wait;
    for (auto w : {wait_for(by_address_, address, k_by_address, now),
                   wait_for(by_account_address_, folded + '\n' + address, k_by_account_address, now),
                   wait_for(by_account_, folded, k_by_account, now)}) {
        if (w && (!wait || *w > *wait)) wait = w;
    }
    return wait;
}

void LoginThrottle::failed(const std::string& account, const std::string& address, Clock::time_point now) {
    const std::string folded = fold(account);
    std::lock_guard lock(mutex_);
    add_failure(by_address_, address, k_by_address, now);
    add_failure(by_account_address_, folded + '\n' + address, k_by_account_address, now);
    add_failure(by_account_, folded, k_by_account, now);
}

void LoginThrottle::succeeded(const std::string& account, const std::string& address) {
    const std::string folded = fold(account);
    std::lock_guard lock(mutex_);
    by_address_.erase(address);
    by_account_address_.erase(folded + '\n' + address);
    by_account_.erase(folded);
}

}  // namespace gatewatch::auth
