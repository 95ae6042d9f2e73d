// /users/ (list), /users/{user_id} and /api-tokens/: the contract's
// "Accounts administration" (admin only).
#include "api/handlers.hpp"
#include "api/validation.hpp"

#include <boost/json.hpp>

namespace gatewatch::api::users {
namespace json = boost::json;

namespace {
Response user_not_found() { return error_response(404, "User not found"); }

std::optional<store::Role> read_role(JsonBody& body) {
    const auto chosen = body.choice("role");
    if (!chosen) return std::nullopt;
    return *chosen == "admin" ? store::Role::admin : store::Role::viewer;
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
    JsonBody body(call.request.body, call.body_schema(), errors);
    service::Accounts::Patch patch;
    patch.role = read_role(body);
    patch.disabled = body.boolean("disabled");
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
    JsonBody body(call.request.body, call.body_schema(), errors);
    const auto name = body.text("name");
    const auto role = read_role(body);
    std::optional<int> days;
    if (!body.is_null("expires_days"))
        if (const auto n = body.integer("expires_days")) days = static_cast<int>(*n);
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
