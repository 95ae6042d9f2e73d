#include "api/router.hpp"

#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/validation.hpp"
#include "util/text.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace gatewatch::api {

// What a route's body must be: a body of another Content-Type is 415 (a
// browser sends text/plain across sites without asking first, so a JSON body
// under that type is how another site's page would post here).
enum class Body { none, json, form, json_or_csv };

struct Route {
    std::string_view method;
    std::string_view pattern;  // "{name}" segments are positive 64-bit ids
    Access access;
    Body body;
    bool cpu_heavy;
    Handler handler;
};

namespace {

using enum Access;
using enum Body;

// clang-format off
constexpr std::array k_routes = {
    Route{"POST",   "/users",                      optional_user, json, true,  accounts::register_user},
    Route{"POST",   "/token",                      anyone,        form, true,  accounts::login},
    Route{"GET",    "/users/me",                   user,          none, false, accounts::me},
    Route{"GET",    "/users",                      admin,         none, false, users::list},
    Route{"PUT",    "/users/{user_id}",            admin,         json, false, users::update},
    Route{"DELETE", "/users/{user_id}",            admin,         none, false, users::remove},
    Route{"POST",   "/api-tokens",                 admin,         json, false, users::create_token},
    Route{"GET",    "/api-tokens",                 admin,         none, false, users::list_tokens},
    Route{"DELETE", "/api-tokens/{token_id}",      admin,         none, false, users::remove_token},
    Route{"POST",   "/users/me/password",          user,          json, true,  accounts::change_password},
    Route{"POST",   "/users/me/logout-all",        user,          none, false, accounts::logout_all},
    Route{"GET",    "/protected-data",             user,          none, false, accounts::protected_data},
    Route{"GET",    "/rooms",                      user,          none, false, rooms::list},
    Route{"POST",   "/rooms",                      admin,         json, false, rooms::create},
    Route{"GET",    "/rooms/{room_id}",            user,          none, false, rooms::get},
    Route{"PUT",    "/rooms/{room_id}",            admin,         json, false, rooms::update},
    Route{"DELETE", "/rooms/{room_id}",            admin,         none, false, rooms::remove},
    Route{"GET",    "/devices",                    user,          none, false, devices::list},
    Route{"POST",   "/devices",                    admin,         json, false, devices::create},
    // up to 100,000 rows: parsed and checked off the I/O threads (its body limit: http_session.cpp)
    Route{"POST",   "/devices/bulk",               admin,         json_or_csv, true, devices::bulk},
    Route{"GET",    "/devices/{device_id}",        user,          none, false, devices::get},
    Route{"PUT",    "/devices/{device_id}",        admin,         json, false, devices::update},
    Route{"DELETE", "/devices/{device_id}",        admin,         none, false, devices::remove},
    Route{"GET",    "/devices/{device_id}/status", user,          none, false, status::one},
    Route{"GET",    "/devices/{device_id}/events", user,          none, false, history_routes::events},
    Route{"GET",    "/devices/{device_id}/history", user,         none, false, history_routes::history},
    Route{"GET",    "/devices/{device_id}/uptime", user,          none, false, history_routes::device_uptime},
    // every device's events over the window: ~0.3 s at 100,000 devices, off the I/O threads
    Route{"GET",    "/uptime",                     user,          none, true,  history_routes::all_uptime},
    Route{"GET",    "/notifiers",                  user,          none, false, notifiers::list},
    Route{"POST",   "/notifiers",                  admin,         json, false, notifiers::create},
    Route{"GET",    "/notifiers/{notifier_id}",    user,          none, false, notifiers::get},
    Route{"PUT",    "/notifiers/{notifier_id}",    admin,         json, false, notifiers::update},
    Route{"DELETE", "/notifiers/{notifier_id}",    admin,         none, false, notifiers::remove},
    Route{"POST",   "/notifiers/{notifier_id}/test", admin,       none, false, notifiers::test},
    Route{"GET",    "/notifiers/{notifier_id}/deliveries", user,  none, false, notifiers::deliveries},
    Route{"GET",    "/maintenance",                user,          none, false, notifiers::list_maintenance},
    Route{"POST",   "/maintenance",                admin,         json, false, notifiers::create_maintenance},
    Route{"DELETE", "/maintenance/{window_id}",    admin,         none, false, notifiers::remove_maintenance},
    Route{"GET",    "/healthz",                    anyone,        none, false, operations::healthz},
    Route{"GET",    "/readyz",                     anyone,        none, false, operations::readyz},
    // rendered off the I/O threads: ~300 bytes a device
    Route{"GET",    "/metrics",                    optional_user, none, true,  operations::metrics},
    Route{"GET",    "/device_status",              user,          none, false, status::all},
    Route{"GET",    "/ws/status",                  user,          none, false, status::socket_without_upgrade},
};
// clang-format on

// The media type of a Content-Type header, if it is `type` with at most a
// charset=utf-8 parameter (any case, as RFC 9110 allows).
bool is_media_type(std::string_view header, std::string_view type) {
    using util::iequals;
    using util::trim;
    const auto semicolon = header.find(';');
    if (!iequals(trim(header.substr(0, semicolon)), type)) return false;
    if (semicolon == std::string_view::npos) return true;
    std::string_view parameter = trim(header.substr(semicolon + 1));
    std::string unquoted;
    for (char c : parameter)
        if (c != '"') unquoted.push_back(c);
    return iequals(unquoted, "charset=utf-8");
}

bool body_type_allowed(Body body, const Request& request) {
    if (body == Body::none || request.body.empty()) return true;  // an empty body is the validators' to answer (422)
    if (body == Body::json_or_csv)
        return is_media_type(request.content_type, "application/json") || is_media_type(request.content_type, "text/csv");
    return is_media_type(request.content_type,
                         body == Body::json ? "application/json" : "application/x-www-form-urlencoded");
}

std::vector<std::string_view> split_pattern(std::string_view pattern) {
    std::vector<std::string_view> parts;
    pattern.remove_prefix(1);
    while (!pattern.empty()) {
        const auto slash = pattern.find('/');
        parts.push_back(pattern.substr(0, slash));
        if (slash == std::string_view::npos) break;
        pattern.remove_prefix(slash + 1);
    }
    return parts;
}

bool is_parameter(std::string_view part) { return part.starts_with('{'); }

bool matches(std::string_view pattern, const std::vector<std::string>& segments) {
    const auto parts = split_pattern(pattern);
    if (parts.size() != segments.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (is_parameter(parts[i]) ? segments[i].empty() : parts[i] != segments[i]) return false;
    }
    return true;
}

// The dashboard's file at `path`, or the 404 of an unknown path.
Response static_file(const web::StaticSite* site, std::string_view method, std::string_view path) {
    const web::Asset* asset = site != nullptr ? site->find(path) : nullptr;
    if (asset == nullptr) return error_response(404, "Not Found");
    if (method != "GET") {
        Response r = error_response(405, "Method Not Allowed");
        r.headers.emplace_back("Allow", "GET");
        return r;
    }
    Response r;
    r.body = asset->body;
    r.content_type = asset->content_type;
    r.headers.emplace_back("Cache-Control", asset->cache_control);
    if (asset->is_page) r.headers.emplace_back("Content-Security-Policy", web::k_page_security_policy);
    return r;
}

}  // namespace

bool PreparedRequest::cpu_heavy() const { return route_ != nullptr && route_->cpu_heavy; }

std::string_view PreparedRequest::pattern() const { return route_ != nullptr ? route_->pattern : std::string_view(); }

Access PreparedRequest::access() const { return route_ != nullptr ? route_->access : Access::anyone; }

PreparedRequest Router::prepare(const Request& request) const {
    PreparedRequest p;
    p.request_ = &request;
    auto url = boost::urls::parse_origin_form(request.target);
    if (!url) return p;
    p.valid_target_ = true;
    p.path_ = std::string(url->encoded_path());
    for (auto segment : url->segments()) p.segments_.push_back(std::string(segment));
    if (!p.segments_.empty() && p.segments_.back().empty()) p.segments_.pop_back();
    for (auto param : url->params()) p.query_.emplace_back(std::string(param.key), std::string(param.value));
    for (const Route& route : k_routes) {
        if (!matches(route.pattern, p.segments_)) continue;
        if (route.method == request.method) {
            p.route_ = &route;
            return p;
        }
        if (!p.allowed_.empty()) p.allowed_ += ", ";
        p.allowed_ += route.method;
    }
    return p;
}

Response Router::handle(const PreparedRequest& prepared, std::optional<store::User> user,
                        std::optional<Response> refusal) const {
    if (!prepared.valid_target_) return error_response(400, "Invalid request target");
    const Route* route = prepared.route_;
    if (route == nullptr) {
        if (prepared.allowed_.empty()) return static_file(app_.site, prepared.request_->method, prepared.path_);
        Response r = error_response(405, "Method Not Allowed");
        r.headers.emplace_back("Allow", prepared.allowed_);
        return r;
    }

    const Request& request = *prepared.request_;
    Call call{request, prepared.query_, {}, std::move(user), std::move(refusal)};
    const bool needs_user = route->access == Access::user || route->access == Access::admin;
    // The chain answers 401 before this; a missing account here is a wiring fault, refused all the same.
    if (needs_user && !call.user) return unauthorized("Not authenticated");
    if (route->access == Access::admin && call.user->role != store::Role::admin) return forbidden();
    if (!body_type_allowed(route->body, request)) return error_response(415, "Unsupported media type");

    ValidationErrors errors;
    const auto parts = split_pattern(route->pattern);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (!is_parameter(parts[i])) continue;
        const std::string_view name = parts[i].substr(1, parts[i].size() - 2);
        if (auto id = read_positive_id(prepared.segments_[i], {"path", name}, errors)) call.ids.push_back(*id);
    }
    if (!errors.empty()) return errors.response();
    return route->handler(app_, call);
}

}  // namespace gatewatch::api
