#pragma once
// API tokens: long-lived bearer tokens for automation and Prometheus.
//
// A token is "gw_" + 32 random bytes in base64url, shown once at creation;
// only its SHA-256 is stored. authenticate() looks the hash up on every
// request (one indexed read), so a deleted token is refused at once; it
// records `last_used` at most once a minute per token (a write per request
// would serialise reads behind the writer). Deleting one publishes
// AccountChanged, so status sockets opened with it close. Thread-safe.
#include "events/event_bus.hpp"
#include "store/store.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gatewatch::service {

class ApiTokens {
public:
    ApiTokens(store::Store& store, events::EventBus& bus) : store_(store), bus_(bus) {}

    struct Created {
        store::ApiToken token;
        std::string secret;  // the token itself: shown once, never stored
    };
    Created create(const std::string& name, store::Role role, std::optional<int> expires_days);
    bool remove(std::int64_t id);

    // The stored token `text` names, when it exists and has not expired.
    std::optional<store::ApiToken> authenticate(std::string_view text);
    // Whether the token `id` still exists and has not expired (open sockets).
    bool still_valid(std::int64_t id);

    static bool looks_like_one(std::string_view text) { return text.starts_with("gw_"); }
    static std::string hash(std::string_view text);  // hex SHA-256

private:
    store::Store& store_;
    events::EventBus& bus_;
    std::mutex touched_mutex_;
    std::unordered_map<std::int64_t, std::int64_t> touched_;  // id -> when last_used was last written
};

// The account an API token acts as in handlers: id -(token id) (never an
// account's), username "api-token:<id>", the token's role.
store::User user_of(const store::ApiToken& token);
bool is_api_token_user(const store::User& user);

}  // namespace gatewatch::service
