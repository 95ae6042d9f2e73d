// POST /users/, POST /token, GET /users/me, GET /protected-data/
#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/validation.hpp"
#include "auth/password.hpp"

#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <spdlog/spdlog.h>

namespace gatewatch::api::accounts {
namespace json = boost::json;

namespace {

constexpr std::string_view k_username_pattern = "String should match pattern '^[A-Za-z0-9_.-]+$'";

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

// Registration is open to anyone unless closed; then, and to choose a role,
// the caller must be an admin. Returns the refusal, or nullopt to go on.
std::optional<Response> refuse_registration(const AppContext& app, const Call& call, bool wants_role) {
    if (app.registration_open && !wants_role) return std::nullopt;
    const std::string_view refusal = app.registration_open ? "Not enough permissions" : "Registration is closed";
    if (!bearer_token(call.request.authorization)) return error_response(403, refusal);
    auto outcome = authenticate(app, call.request.authorization);
    if (auto* failure = std::get_if<Response>(&outcome)) return std::move(*failure);
    if (std::get<store::User>(outcome).role != store::Role::admin) return error_response(403, refusal);
    return std::nullopt;
}

}  // namespace

Response register_user(const AppContext& app, const Call& call) {
    if (auto refusal = refuse_registration(app, call, false)) return *refusal;

    ValidationErrors errors;
    JsonBody body(call.request.body, errors);
    auto username = body.text("username", true, 3, 32);
    if (username && !is_valid_username(*username)) {
        errors.add({"body", "username"}, "string_pattern_mismatch", k_username_pattern);
        username.reset();
    }
    const auto password = body.text("password", true, 8, 128);
    std::optional<store::Role> role;
    if (const auto* raw = body.raw("role"); raw != nullptr && !raw->is_null()) {
        if (raw->is_string() && raw->as_string() == "admin")
            role = store::Role::admin;
        else if (raw->is_string() && raw->as_string() == "viewer")
            role = store::Role::viewer;
        else
            errors.add({"body", "role"}, "enum", "Input should be 'admin' or 'viewer'");
    }
    if (!errors.empty()) return errors.response();
    if (role) {
        if (auto refusal = refuse_registration(app, call, true)) return *refusal;
    }

    try {
        const auto user = app.store.create_user({*username, auth::hash_password(*password), role});
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

    const auto& address = call.request.client_address;
    const auto now = auth::LoginThrottle::Clock::now();
    if (const auto wait = app.throttle.check(*username, address, now)) {
        Response r = error_response(429, "Too many failed logins; try again in " + std::to_string(*wait) + " s");
        r.headers.emplace_back("Retry-After", std::to_string(*wait));
        return r;
    }
    const auto user = app.store.find_user(*username);
    if (!user) {
        auth::spend_verification_time(*password);
        app.throttle.failed(*username, address, now);
        return unauthorized("Incorrect username or password");
    }
    if (!auth::verify_password(*password, user->password_hash)) {
        app.throttle.failed(*username, address, now);
        return unauthorized("Incorrect username or password");
    }
    app.throttle.succeeded(*username, address);

    if (auth::needs_rehash(user->password_hash)) {
        // An imported bcrypt hash (or older parameters): upgrade it now that we
        // know the password. A failure here must not fail the login.
        try {
            app.store.set_password_hash(user->username, auth::hash_password(*password));
            spdlog::info("password hash of {} upgraded to argon2id", user->username);
        } catch (const std::exception& e) {
            spdlog::warn("could not upgrade the password hash of {}: {}", user->username, e.what());
        }
    }
    const auto token = app.tokens.issue(user->username, std::chrono::system_clock::now(), app.token_lifetime);
    Response r = json_response(200, json::object{{"access_token", token}, {"token_type", "bearer"}});
    r.headers.emplace_back("Cache-Control", "no-store");  // RFC 6749 §5.1: tokens are not cached
    return r;
}

Response me(const AppContext&, const Call& call) { return json_response(200, to_json(*call.user)); }

Response protected_data(const AppContext&, const Call& call) {
    return json_response(200,
                         json::object{{"message", "Hello " + call.user->username + ", this is protected data!"}});
}

}  // namespace gatewatch::api::accounts
