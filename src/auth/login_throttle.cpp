#include "auth/login_throttle.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

namespace gatewatch::auth {
namespace {

using Clock = LoginThrottle::Clock;
using Buckets = LoginThrottle::Buckets;

struct Limit {
    double capacity;
    std::chrono::milliseconds drain;  // one failure drains every this long
};
// The documented rates (README, "Login throttling").
constexpr Limit k_by_client{20, std::chrono::milliseconds(3'000)};
constexpr Limit k_by_account_client{5, std::chrono::milliseconds(12'000)};
constexpr Limit k_by_account{100, std::chrono::milliseconds(1'000)};
constexpr auto k_known_for = std::chrono::hours(24 * 30);

static_assert(crypto_shorthash_KEYBYTES == 16 && crypto_shorthash_BYTES == 8);

double drained(const LoginThrottle::Bucket& b, const Limit& limit, Clock::time_point now) {
    const double elapsed = std::chrono::duration<double, std::milli>(now - b.updated).count();
    return std::max(0.0, b.level - elapsed / static_cast<double>(limit.drain.count()));
}

// Seconds until one more attempt fits, or nullopt when it fits now.
std::optional<std::int64_t> wait_for(const Buckets& buckets, std::uint64_t key, const Limit& limit,
                                     Clock::time_point now) {
    const auto it = buckets.find(key);
    if (it == buckets.end()) return std::nullopt;
    const double level = drained(it->second, limit, now);
    if (level + 1.0 <= limit.capacity) return std::nullopt;
    const double wait_ms = (level + 1.0 - limit.capacity) * static_cast<double>(limit.drain.count());
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait_ms / 1000.0)));
}

// Makes room in a full table: drained buckets first (they hold nothing), then,
// if that was not enough, the emptiest half. Each eviction pass frees at least
// half the table, so its O(n) cost spreads over as many insertions.
void make_room(Buckets& buckets, const Limit& limit, Clock::time_point now) {
    std::erase_if(buckets, [&](const auto& entry) { return drained(entry.second, limit, now) <= 0.0; });
    if (buckets.size() < LoginThrottle::k_max_entries * 3 / 4) return;
    std::vector<std::pair<double, std::uint64_t>> levels;
    levels.reserve(buckets.size());
    for (const auto& [key, bucket] : buckets) levels.emplace_back(drained(bucket, limit, now), key);
    const auto half = levels.begin() + static_cast<std::ptrdiff_t>(levels.size() / 2);
    std::nth_element(levels.begin(), half, levels.end());
    for (auto it = levels.begin(); it != half; ++it) buckets.erase(it->second);
}

void add_failure(Buckets& buckets, std::uint64_t key, const Limit& limit, Clock::time_point now) {
    if (buckets.size() >= LoginThrottle::k_max_entries && !buckets.contains(key)) make_room(buckets, limit, now);
    LoginThrottle::Bucket& b = buckets[key];
    b.level = std::min(limit.capacity, drained(b, limit, now) + 1.0);
    b.updated = now;
}

void keep_longest(std::optional<std::int64_t>& wait, std::optional<std::int64_t> w) {
    if (w && (!wait || *w > *wait)) wait = w;
}

}  // namespace

LoginThrottle::LoginThrottle() { crypto_shorthash_keygen(hash_key_); }

std::uint64_t LoginThrottle::key(std::string_view a, std::string_view b) const {
    // Account names compare without regard to ASCII case; a NUL separates the
    // two parts (neither a name nor an address contains one).
    std::string input;
    input.reserve(a.size() + 1 + b.size());
    for (unsigned char c : a) input.push_back(static_cast<char>(std::tolower(c)));
    input.push_back('\0');
    input.append(b);
    std::uint64_t out = 0;
    crypto_shorthash(reinterpret_cast<unsigned char*>(&out), reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), hash_key_);
    return out;
}

std::optional<std::int64_t> LoginThrottle::check(std::string_view account, std::string_view client,
                                                 Clock::time_point now) {
    const auto client_key = key({}, client), pair_key = key(account, client), account_key = key(account);
    std::lock_guard lock(mutex_);
    std::optional<std::int64_t> wait;
    keep_longest(wait, wait_for(by_client_, client_key, k_by_client, now));
    keep_longest(wait, wait_for(by_account_client_, pair_key, k_by_account_client, now));
    const auto known = known_pairs_.find(pair_key);
    if (known == known_pairs_.end() || now - known->second > k_known_for)
        keep_longest(wait, wait_for(by_account_, account_key, k_by_account, now));
    return wait;
}

void LoginThrottle::failed(std::string_view account, std::string_view client, Clock::time_point now) {
    const auto client_key = key({}, client), pair_key = key(account, client), account_key = key(account);
    std::lock_guard lock(mutex_);
    add_failure(by_client_, client_key, k_by_client, now);
    add_failure(by_account_client_, pair_key, k_by_account_client, now);
    add_failure(by_account_, account_key, k_by_account, now);
}

void LoginThrottle::succeeded(std::string_view account, std::string_view client, Clock::time_point now) {
    const auto pair_key = key(account, client);
    std::lock_guard lock(mutex_);
    by_account_client_.erase(pair_key);
    if (known_pairs_.size() >= k_max_entries && !known_pairs_.contains(pair_key)) {
        // Full: forget the pairs not seen for longest (half of them).
        std::vector<Clock::time_point> seen;
        seen.reserve(known_pairs_.size());
        for (const auto& [k, at] : known_pairs_) seen.push_back(at);
        const auto middle = seen.begin() + static_cast<std::ptrdiff_t>(seen.size() / 2);
        std::nth_element(seen.begin(), middle, seen.end());
        const auto cutoff = *middle;
        std::erase_if(known_pairs_, [&](const auto& entry) { return entry.second <= cutoff; });
    }
    known_pairs_[pair_key] = now;
}

std::optional<std::int64_t> LoginThrottle::check_registration(std::string_view client, Clock::time_point now) {
    const auto client_key = key({}, client);
    std::lock_guard lock(mutex_);
    return wait_for(registrations_by_client_, client_key, k_by_client, now);
}

void LoginThrottle::registered(std::string_view client, Clock::time_point now) {
    const auto client_key = key({}, client);
    std::lock_guard lock(mutex_);
    add_failure(registrations_by_client_, client_key, k_by_client, now);
}

std::size_t LoginThrottle::size() const {
    std::lock_guard lock(mutex_);
    return by_client_.size() + by_account_client_.size() + by_account_.size() + registrations_by_client_.size() +
           known_pairs_.size();
}

}  // namespace gatewatch::auth
