#pragma once
// Throttling of failed logins and of anonymous registrations, so passwords
// cannot be guessed, nor accounts created, at speed.
//
// Failures fill leaky buckets (each drains one failure per `drain` interval):
//   per client                        20 failures, one drains every 3 s
//   per (account, client)              5 failures, one drains every 12 s
//   per account, from anywhere       100 failures, one drains every 1 s
// A client is net::client_key() of its address (IPv6 by /64). A login whose
// buckets are full is refused with 429 and Retry-After (the seconds until one
// failure drains) before any password is checked. A successful login empties
// only its (account, client) bucket: logging into one's own account does not
// buy more guesses at others. It also makes that pair known for 30 days: a
// known pair is not held back by the per-account bucket, so guesses from
// many addresses at once cannot lock the owner out of where they log in
// from (the per-client and per-pair buckets still apply to everyone). Anonymous registrations (each costs a password
// hash) fill a per-client bucket of their own, at the per-client rate.
//
// Memory is bounded whatever clients send: keys are 64-bit keyed hashes
// (SipHash, a key drawn at start), so a long name costs nothing to keep, and
// each table holds at most k_max_entries; when full, drained buckets go first,
// then the emptiest half. Callers pass only names already checked against the
// account syntax. Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace gatewatch::auth {

class LoginThrottle {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t k_max_entries = 65'536;  // per table

    LoginThrottle();

    // nullopt: the attempt may go on; else the seconds to wait (Retry-After).
    std::optional<std::int64_t> check(std::string_view account, std::string_view client, Clock::time_point now);
    void failed(std::string_view account, std::string_view client, Clock::time_point now);
    void succeeded(std::string_view account, std::string_view client, Clock::time_point now);

    // Anonymous registrations (and wrong setup codes) of a client.
    std::optional<std::int64_t> check_registration(std::string_view client, Clock::time_point now);
    void registered(std::string_view client, Clock::time_point now);

    // Buckets held in all tables (for tests and the abuse benchmark).
    [[nodiscard]] std::size_t size() const;

    struct Bucket {
        double level = 0;  // failures not yet drained
        Clock::time_point updated;
    };
    using Buckets = std::unordered_map<std::uint64_t, Bucket>;

private:
    [[nodiscard]] std::uint64_t key(std::string_view a, std::string_view b = {}) const;

    unsigned char hash_key_[16];  // crypto_shorthash_KEYBYTES
    mutable std::mutex mutex_;
    Buckets by_client_;
    Buckets by_account_client_;
    Buckets by_account_;
    Buckets registrations_by_client_;
    std::unordered_map<std::uint64_t, Clock::time_point> known_pairs_;  // (account, client) -> last success
};

}  // namespace gatewatch::auth
