#include "service/api_tokens.hpp"

#include "util/base64url.hpp"
#include "util/hmac.hpp"

#include <sodium.h>

#include <chrono>

namespace gatewatch::service {

namespace {
std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
constexpr std::int64_t k_touch_every_ms = 60'000;
}  // namespace

std::string ApiTokens::hash(std::string_view text) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    return util::to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

ApiTokens::Created ApiTokens::create(const std::string& name, store::Role role, std::optional<int> expires_days) {
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    Created out;
    out.secret = "gw_" + util::base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
    sodium_memzero(bytes, sizeof bytes);
    store::ApiToken t;
    t.name = name;
    t.role = role;
    t.hash = hash(out.secret);
    t.created_ms = now_ms();
    if (expires_days) t.expires_ms = t.created_ms + std::int64_t{*expires_days} * 86'400'000;
    out.token = store_.create_api_token(t);
    return out;
}

bool ApiTokens::remove(std::int64_t id) {
    if (!store_.delete_api_token(id)) return false;
    {
        std::lock_guard lock(touched_mutex_);
        touched_.erase(id);
    }
    bus_.publish(events::AccountChanged{""});  // sockets opened with it check again
    return true;
}

std::optional<store::ApiToken> ApiTokens::authenticate(std::string_view text) {
    if (!looks_like_one(text) || text.size() > 128) return std::nullopt;
    auto token = store_.find_api_token(hash(text));
    const std::int64_t now = now_ms();
    if (!token || (token->expires_ms && *token->expires_ms <= now)) return std::nullopt;
    bool touch = false;
    {
        std::lock_guard lock(touched_mutex_);
        auto& last = touched_[token->id];
        if (now - last >= k_touch_every_ms) {
            last = now;
            touch = true;
        }
    }
    if (touch) {
        try {
            store_.touch_api_token(token->id, now);
            token->last_used_ms = now;
        } catch (const store::StoreError&) {
            // last_used is a hint; the request goes on
        }
    }
    return token;
}

bool ApiTokens::still_valid(std::int64_t id) {
    const auto token = store_.find_api_token_by_id(id);
    return token && (!token->expires_ms || *token->expires_ms > now_ms());
}

store::User user_of(const store::ApiToken& token) {
    store::User u;
    u.id = -token.id;
    u.username = "api-token:" + std::to_string(token.id);
    u.role = token.role;
    return u;
}

bool is_api_token_user(const store::User& user) { return user.id < 0; }

}  // namespace gatewatch::service
