#include "api/authenticator.hpp"

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

AuthOutcome authenticate_token(const AppContext& app, std::string_view token) {
    const auto verified = app.tokens.verify(token, std::chrono::system_clock::now());
    if (verified.status != auth::TokenStatus::valid) return unauthorized("Could not validate credentials");
    auto user = app.cache.find_user(verified.subject);
    if (!user) return unauthorized("Could not validate credentials");
    return std::move(*user);
}

AuthOutcome authenticate(const AppContext& app, std::string_view authorization_header) {
    const auto token = bearer_token(authorization_header);
    if (!token) return unauthorized("Not authenticated");
    return authenticate_token(app, *token);
}

Response forbidden() { return error_response(403, "Not enough permissions"); }

}  // namespace gatewatch::api
