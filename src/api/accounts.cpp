// POST /users/, POST /token, GET /users/me, GET /protected-data/,
// POST /users/me/password, POST /users/me/logout-all
#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/validation.hpp"
#include "auth/password.hpp"
#include "log/rate_limit.hpp"
#include "net/client_address.hpp"

#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <spdlog/spdlog.h>

namespace gatewatch::api::accounts {
namespace json = boost::json;

namespace {

constexpr std::string_view k_username_pattern = "String should match pattern '^[A-Za-z0-9_.-]+$'";
constexpr std::size_t k_max_password_chars = 128;

// The fields of an application/x-www-form-urlencoded body; the first of
// repeated keys wins. nullopt when the body is not valid form encoding.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body) {
    try {
        boost::urls::encoding_opts opts;
        opts.space_as_plus = true;
        std::vector<std::pair<std::string, std::string>> fields;
        if (body.empty()) return fields;
        for (auto param : boost::urls::params_view(body, opts))
            fields.emplace_back(std::string(param.key), std::string(param.value));
        return fields;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

const std::string* form_field(const std::vector<std::pair<std::string, std::string>>& fields, std::string_view key) {
    for (const auto& [k, v] : fields)
        if (k == key) return &v;
    return nullptr;
}

Response too_many(std::int64_t wait, std::string_view what) {
    Response r = error_response(429, "Too many " + std::string(what) + "; try again in " + std::to_string(wait) + " s");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
}

// The first account becomes admin. When none exists yet, a registration that
// does not come straight from this machine (another address, or through a
// proxy: any forwarding header) must show the setup code from the log, so a
// stranger who finds a fresh instance first cannot make it theirs.
std::optional<Response> refuse_first_account(const AppContext& app, const Call& call, const JsonBody& body) {
    if (app.setup_code == nullptr) return std::nullopt;
    if (net::is_loopback(call.request.client_address) && !call.request.forwarded) return std::nullopt;
    if (!app.store.list_users().empty()) return std::nullopt;
    const auto* given = body.raw("setup_code");
    if (given == nullptr || !given->is_string() || given->as_string().empty())
        return error_response(403, "Setup code required");
    if (!app.setup_code->matches(given->as_string())) {
        app.throttle.registered(net::client_key(call.request.client_address), auth::LoginThrottle::Clock::now());
        return error_response(403, "Invalid setup code");
    }
    return std::nullopt;
}

}  // namespace

Response register_user(const AppContext& app, const Call& call) {
    // A token is optional here: call.user when a valid one came; the 401 a
    // bad one earned is answered only when the caller needed to be an admin.
    const bool by_admin = call.user && call.user->role == store::Role::admin;

    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    std::optional<store::Role> role;
    if (!body.is_null("role"))
        if (const auto chosen = body.choice("role")) role = *chosen == "admin" ? store::Role::admin : store::Role::viewer;
    // Registration is open to anyone unless closed; then, and to choose a
    // role, the caller must be an admin.
    if (!by_admin && (!app.registration_open || role)) {
        if (call.credential_refusal) return *call.credential_refusal;
        return error_response(403, app.registration_open ? "Not enough permissions" : "Registration is closed");
    }

    auto username = body.text("username");
    if (username && !is_valid_username(*username)) {
        errors.add({"body", "username"}, "string_pattern_mismatch", k_username_pattern);
        username.reset();
    }
    const auto password = body.text("password");
    if (!errors.empty()) return errors.response();

    if (!by_admin) {
        // Each anonymous registration costs a password hash: throttled like a failed login.
        const auto client = net::client_key(call.request.client_address);
        const auto now = auth::LoginThrottle::Clock::now();
        if (const auto wait = app.throttle.check_registration(client, now)) return too_many(*wait, "registrations");
        app.throttle.registered(client, now);
        if (auto refused = refuse_first_account(app, call, body)) return std::move(*refused);
    }
    if (app.store.find_user(*username)) return error_response(409, "Username already registered");  // before hashing

    try {
        const auto user = app.services.accounts.create(*username, auth::hash_password(*password), role);
        spdlog::info("account created: {} ({})", user.username, store::to_string(user.role));
        return json_response(201, to_json(user));
    } catch (const store::UniqueViolation&) {
        return error_response(409, "Username already registered");
    }
}

Response login(const AppContext& app, const Call& call) {
    const auto fields = parse_form(call.request.body);
    const std::string* username = fields ? form_field(*fields, "username") : nullptr;
    const std::string* password = fields ? form_field(*fields, "password") : nullptr;
    const std::string* grant_type = fields ? form_field(*fields, "grant_type") : nullptr;
    ValidationErrors errors;
    if (username == nullptr) errors.add({"body", "username"}, "missing", "Field required");
    if (password == nullptr) errors.add({"body", "password"}, "missing", "Field required");
    if (grant_type != nullptr && *grant_type != "password")
        errors.add({"body", "grant_type"}, "string_pattern_mismatch", "String should match pattern '^password$'");
    if (!errors.empty()) return errors.response();

    // A name no account can have names no account: refused before it costs
    // any throttle state, database read or hashing.
    if (!is_valid_username(*username)) return unauthorized("Incorrect username or password");

    const auto client = net::client_key(call.request.client_address);
    const auto now = auth::LoginThrottle::Clock::now();
    if (const auto wait = app.throttle.check(*username, client, now)) return too_many(*wait, "failed logins");
    if (count_characters(*password) > k_max_password_chars) {  // no account has such a password: no hashing
        app.throttle.failed(*username, client, now);
        return unauthorized("Incorrect username or password");
    }
    const auto user = app.store.find_user(*username);
    if (!user) {
        auth::spend_verification_time(*password);
        app.throttle.failed(*username, client, now);
        return unauthorized("Incorrect username or password");
    }
    if (!auth::verify_password(*password, user->password_hash)) {
        app.throttle.failed(*username, client, now);
        return unauthorized("Incorrect username or password");
    }
    app.throttle.succeeded(*username, client, now);
    if (user->disabled) return error_response(403, "This account is disabled");  // only once the password is right

    if (auth::needs_rehash(user->password_hash)) {
        // An imported bcrypt hash (or older parameters): upgrade it now that we
        // know the password. A failure here must not fail the login.
        try {
            app.services.accounts.rehash(user->username, user->password_hash, auth::hash_password(*password));
            spdlog::info("password hash of {} upgraded to argon2id", user->username);
        } catch (const std::exception& e) {
            static log::RateLimit failures{std::chrono::seconds(1)};
            if (const auto skipped = failures.due())
                spdlog::warn("could not upgrade the password hash of {}: {} ({} more since the last line)",
                             user->username, e.what(), *skipped);
        }
    }
    Response r = json_response(200, json::object{{"access_token", issue_token(app, *user)}, {"token_type", "bearer"}});
    r.headers.emplace_back("Cache-Control", "no-store");  // RFC 6749 §5.1: tokens are not cached
    return r;
}

// An API token has no password and no sessions of its own.
std::optional<Response> refuse_api_token(const Call& call) {
    if (service::is_api_token_user(*call.user)) return error_response(403, "Not available with an API token");
    return std::nullopt;
}

Response change_password(const AppContext& app, const Call& call) {
    if (auto refused = refuse_api_token(call)) return *refused;
    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    const auto current = body.text("current_password");
    const auto fresh = body.text("new_password");
    if (!errors.empty()) return errors.response();

    // A stolen token must not become a way to guess the password: throttled as logins are.
    const auto& user = *call.user;
    const auto client = net::client_key(call.request.client_address);
    const auto now = auth::LoginThrottle::Clock::now();
    if (const auto wait = app.throttle.check(user.username, client, now)) return too_many(*wait, "failed attempts");
    if (!auth::verify_password(*current, user.password_hash)) {
        app.throttle.failed(user.username, client, now);
        return error_response(400, "Incorrect password");
    }
    app.throttle.succeeded(user.username, client, now);
    if (!app.services.accounts.revoke_tokens(user.username, auth::hash_password(*fresh)))
        return unauthorized("Could not validate credentials");  // deleted meanwhile
    spdlog::info("password of {} changed; older tokens revoked", user.username);
    return no_content();
}

Response logout_all(const AppContext& app, const Call& call) {
    if (auto refused = refuse_api_token(call)) return *refused;
    if (!app.services.accounts.revoke_tokens(call.user->username, std::nullopt))
        return unauthorized("Could not validate credentials");
    spdlog::info("tokens of {} revoked", call.user->username);
    return no_content();
}

Response me(const AppContext&, const Call& call) { return json_response(200, to_json(*call.user)); }

Response protected_data(const AppContext&, const Call& call) {
    return json_response(200,
                         json::object{{"message", "Hello " + call.user->username + ", this is protected data!"}});
}

}  // namespace gatewatch::api::accounts
