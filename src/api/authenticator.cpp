#include "api/authenticator.hpp"

#include "api/validation.hpp"

#include <boost/url/parse.hpp>
#include <strings.h>

namespace gatewatch::api {

std::optional<std::string_view> bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "bearer";
    if (authorization.size() <= scheme.size() || authorization[scheme.size()] != ' ' ||
        strncasecmp(authorization.data(), scheme.data(), scheme.size()) != 0)
        return std::nullopt;
    std::string_view token = authorization.substr(scheme.size() + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.empty()) return std::nullopt;
    return token;
}

namespace {

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool accepts(const store::User& user, std::int64_t user_id, std::int64_t generation) {
    return user.id == user_id && generation == user.token_generation && !user.disabled;
}

constexpr std::int64_t k_ten_years_s = 10LL * 366 * 86'400;

// A valid signature and expiry, and the very account it was issued to, which
// has not revoked it since.
std::variant<SocketGrant, Response> check_token(const AppContext& app, std::string_view token) {
    if (service::ApiTokens::looks_like_one(token)) {
        const auto api_token = app.services.api_tokens.authenticate(token);
        if (!api_token) return unauthorized("Could not validate credentials");
        SocketGrant grant;
        grant.user = service::user_of(*api_token);
        grant.expires_at = api_token->expires_ms ? *api_token->expires_ms / 1000 : now_seconds() + k_ten_years_s;
        grant.api_token_id = api_token->id;
        return grant;
    }
    const auto verified = app.tokens.verify(token, std::chrono::system_clock::now());
    if (verified.status != auth::TokenStatus::valid) return unauthorized("Could not validate credentials");
    auto user = app.cache.find_user(verified.subject);
    if (!user || !accepts(*user, verified.user_id, verified.generation))
        return unauthorized("Could not validate credentials");
    SocketGrant grant;
    grant.user = std::move(*user);
    grant.generation = verified.generation;
    grant.expires_at = verified.expires_at;
    return grant;
}

}  // namespace

std::string issue_token(const AppContext& app, const store::User& user) {
    return app.tokens.issue(user.username, user.id, user.token_generation, now_seconds(), app.token_lifetime);
}

bool still_valid(const AppContext& app, const SocketGrant& grant) {
    if (grant.api_token_id) return app.services.api_tokens.still_valid(*grant.api_token_id);
    const auto user = app.cache.find_user(grant.user.username);
    return user && accepts(*user, grant.user.id, grant.generation);
}

AuthOutcome authenticate_token(const AppContext& app, std::string_view token) {
    auto checked = check_token(app, token);
    if (auto* failure = std::get_if<Response>(&checked)) return std::move(*failure);
    return std::move(std::get<SocketGrant>(checked).user);
}

AuthOutcome authenticate(const AppContext& app, std::string_view authorization_header) {
    const auto token = bearer_token(authorization_header);
    if (!token) return unauthorized("Not authenticated");
    return authenticate_token(app, *token);
}

Response forbidden() { return error_response(403, "Not enough permissions"); }

bool is_status_socket_path(std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return path == "/ws/status" || path == "/ws/status/";
}

std::variant<SocketGrant, Response> authenticate_socket(const AppContext& app, const Request& request) {
    std::string token;
    bool detail = false;
    bool delta = false;
    if (auto url = boost::urls::parse_origin_form(request.target)) {
        for (auto param : url->params()) {
            if (param.key == "token") token = std::string(param.value);
            if (param.key == "detail") detail = parse_query_bool(param.value).value_or(false);
            if (param.key == "delta") delta = parse_query_bool(param.value).value_or(false);
        }
    }
    if (auto header = bearer_token(request.authorization)) token = std::string(*header);
    if (token.empty()) return unauthorized("Not authenticated");
    auto outcome = check_token(app, token);
    if (auto* grant = std::get_if<SocketGrant>(&outcome)) {
        grant->detail = detail || delta;  // deltas carry detail objects
        grant->delta = delta;
    }
    return outcome;
}

}  // namespace gatewatch::api
