#pragma once
// Bearer-token authentication, for the chain's authentication stage
// (http/middleware.hpp), the only caller.
//
// A request without "Authorization: Bearer <jwt>" is 401 "Not authenticated";
// an API token ("gw_...", service/api_tokens.hpp) is accepted wherever a JWT
// is, as its own account (id below zero) with the token's role, until it is
// deleted or expires;
// a token that is malformed, badly signed, of another algorithm, expired,
// names a user who no longer exists, an account with another id (deleted and
// re-created), or was issued in an earlier token generation of the account
// (password changed, sessions revoked) is 401 "Could not validate credentials".
// Handlers receive the current user; they never parse tokens themselves.
#include "api/app_context.hpp"
#include "api/http_types.hpp"

#include <optional>
#include <string_view>
#include <variant>

namespace gatewatch::api {

// Either the authenticated user or the 401 response to send.
using AuthOutcome = std::variant<store::User, Response>;

// The token of an "Authorization: Bearer <token>" header (scheme without
// regard to case), or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization);

AuthOutcome authenticate_token(const AppContext& app, std::string_view token);
AuthOutcome authenticate(const AppContext& app, std::string_view authorization_header);

Response forbidden();  // 403 "Not enough permissions"

// A token for `user` in the generation of `user` as read: pass the row read
// before the password was checked, so that a password change committed
// meanwhile refuses the token.
std::string issue_token(const AppContext& app, const store::User& user);

// The WebSocket /ws/status/: a browser cannot set headers there, so the token
// may also come as ?token=<jwt>. On success, when the token expires.
struct SocketGrant {
    store::User user;
    std::int64_t generation = 0;  // the token's
    std::int64_t expires_at = 0;  // seconds since the epoch
    bool detail = false;          // ?detail=true: detail objects, as GET /device_status/?detail=true
    bool delta = false;           // ?detail=true&delta=true: a snapshot, then only what changed
    std::optional<std::int64_t> api_token_id;  // set when an API token opened it
};
std::variant<SocketGrant, Response> authenticate_socket(const AppContext& app, const Request& request);

// Whether the account behind a socket's grant still accepts its token: the
// same checks as at the handshake but the expiry (the socket keeps its own).
bool still_valid(const AppContext& app, const SocketGrant& grant);

// True when the request's path is /ws/status or /ws/status/.
bool is_status_socket_path(std::string_view target);

}  // namespace gatewatch::api
