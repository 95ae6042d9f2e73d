// /users/ (list), /users/{user_id} and /api-tokens/: the contract's
// "Accounts administration" (admin only).
#include "api/handlers.hpp"
#include "api/validation.hpp"

#include <boost/json.hpp>

namespace gatewatch::api::users {
namespace json = boost::json;

namespace {
constexpr std::size_t k_max_name = 100;

Response user_not_found() { return error_response(404, "User not found"); }

std::optional<store::Role> read_role(JsonBody& body, bool required, ValidationErrors& errors) {
    const json::value* raw = body.raw("role");
    if (raw == nullptr) {
        if (required) errors.add({"body", "role"}, "missing", "Field required");
        return std::nullopt;
    }
    if (raw->is_string() && raw->as_string() == "admin") return store::Role::admin;
    if (raw->is_string() && raw->as_string() == "viewer") return store::Role::viewer;
    errors.add({"body", "role"}, "literal_error", "Input should be 'viewer' or 'admin'");
    return std::nullopt;
}

json::value token_json(const store::ApiToken& t) {
    auto time_or_null = [](const std::optional<std::int64_t>& ms) {
        return ms ? json::value(wire::format_time_ms(*ms)) : json::value(nullptr);
    };
    return json::object{{"id", t.id},
                        {"name", t.name},
                        {"role", store::to_string(t.role)},
                        {"created", wire::format_time_ms(t.created_ms)},
                        {"expires", time_or_null(t.expires_ms)},
                        {"last_used", time_or_null(t.last_used_ms)}};
}
}  // namespace

Response list(const AppContext& app, const Call&) {
    json::array out;
    for (const auto& u : app.store.list_users()) out.push_back(to_json(u));
    return json_response(200, out);
}

Response update(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, errors);
    service::Accounts::Patch patch;
    patch.role = read_role(body, false, errors);
    patch.disabled = body.boolean("disabled", false);
    if (!errors.empty()) return errors.response();
    try {
        const auto user = app.services.accounts.update(call.ids[0], patch);
        return user ? json_response(200, to_json(*user)) : user_not_found();
    } catch (const store::LastAdmin&) {
        return error_response(409, "The last admin cannot be demoted or disabled");
    }
}

Response remove(const AppContext& app, const Call& call) {
    try {
        return app.services.accounts.remove_by_id(call.ids[0]) ? no_content() : user_not_found();
    } catch (const store::LastAdmin&) {
        return error_response(409, "The last admin cannot be deleted");
    }
}

Response create_token(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, errors);
    const auto name = body.text("name", true, 1, k_max_name);
    const auto role = read_role(body, true, errors);
    std::optional<int> days;
    if (body.has("expires_days") && !body.is_null("expires_days")) {
        if (const auto n = body.integer("expires_days", false)) {
            if (*n < 1)
                errors.add({"body", "expires_days"}, "greater_than_equal", "Input should be greater than or equal to 1");
            else if (*n > 3650)
                errors.add({"body", "expires_days"}, "less_than_equal", "Input should be less than or equal to 3650");
            else
                days = static_cast<int>(*n);
        }
    }
    if (!errors.empty()) return errors.response();
    const auto created = app.services.api_tokens.create(*name, *role, days);
    auto out = token_json(created.token).as_object();
    out.erase("last_used");
    out["token"] = created.secret;
    Response r = json_response(201, out);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

Response list_tokens(const AppContext& app, const Call&) {
    json::array out;
    for (const auto& t : app.store.list_api_tokens()) out.push_back(token_json(t));
    return json_response(200, out);
}

Response remove_token(const AppContext& app, const Call& call) {
    return app.services.api_tokens.remove(call.ids[0]) ? no_content() : error_response(404, "API token not found");
}

}  // namespace gatewatch::api::users
