#include "api/router.hpp"

#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/schemas.hpp"
#include "api/validation.hpp"
#include "util/text.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <string_view>

namespace gatewatch::api {

namespace {

using enum Access;
using enum Body;
namespace s = schemas;

constexpr Parameter k_room_filter[] = {{"room_id", &s::query_room_id, "Only the devices of this room"}};
constexpr const char* k_location_note =
    "Several nodes: as this location's prober saw the device (its own view), instead of the device's combined status";
constexpr Parameter k_events_query[] = {{"from", &s::query_time, "Default: 24 hours before to"},
                                        {"to", &s::query_time, "Default: now"},
                                        {"limit", &s::query_limit, "Default 100"},
                                        {"location", &s::location_name, k_location_note}};
constexpr Parameter k_history_query[] = {{"from", &s::query_time, "Default: 24 hours before to"},
                                         {"to", &s::query_time, "Default: now"},
                                         {"step", &s::query_step, "Seconds, rounded up to a kept resolution"},
                                         {"location", &s::location_name, k_location_note}};
constexpr Parameter k_device_uptime_query[] = {{"location", &s::location_name, k_location_note}};
constexpr Parameter k_uptime_query[] = {{"window", &s::query_window, "Default 24h"}};
constexpr Parameter k_limit_query[] = {{"limit", &s::query_limit, "Default 50"}};
constexpr Parameter k_status_query[] = {{"detail", &s::query_bool, "Each device's status detail"}};
constexpr Parameter k_config_query[] = {{"dry_run", &s::query_bool, "Only answer what would change"},
                                        {"prune", &s::query_bool, "Also delete what the sections leave out"}};
constexpr Parameter k_socket_query[] = {{"token", &s::query_text, "The token, for browsers (no headers on a WebSocket)"},
                                        {"detail", &s::query_bool, "Status details instead of names"},
                                        {"delta", &s::query_bool, "A snapshot, then only what changed"}};

constexpr Answer k_register_errors[] = {{409, "Username already registered"},
                                        {429, "Too many registrations from this address; try again later"}};
constexpr Answer k_login_errors[] = {{401, "Incorrect username or password"},
                                     {403, "This account is disabled"},
                                     {429, "Too many failed logins; try again later"}};
constexpr Answer k_demote_errors[] = {{409, "The last admin cannot be demoted or disabled"}};
constexpr Answer k_delete_user_errors[] = {{409, "The last admin cannot be deleted"}};
constexpr Answer k_password_errors[] = {{400, "Incorrect password"},
                                        {403, "Not available with an API token"},
                                        {429, "Too many failed attempts; try again later"}};
constexpr Answer k_own_account_errors[] = {{403, "Not available with an API token"}};
constexpr Answer k_room_delete_errors[] = {{409, "Room still has devices; move or delete them first"}};
constexpr Answer k_device_errors[] = {{404, "Room not found, or Parent device not found"},
                                      {409, "IP address already in use"}};
constexpr Answer k_notifier_errors[] = {{404, "Room not found"}};
constexpr Answer k_window_errors[] = {{404, "Room not found, or Device not found"}};
constexpr Answer k_config_errors[] = {{409, "Another write made the document impossible meanwhile; nothing changed"}};
constexpr Answer k_ready_errors[] = {{503, "Not ready: the store or the probe engine (named in the body)"}};
constexpr Answer k_docs_errors[] = {{404, "Swagger UI is not installed (no docs/ beside the dashboard)"}};
constexpr Answer k_socket_errors[] = {{426, "Upgrade Required: a WebSocket"}};

// clang-format off
constexpr Route k_routes[] = {
    {"POST",   "/users",                      optional_user, json, true,  accounts::register_user,
     {"Register an account (the first is admin)", &s::user_create, 201, &s::user, k_register_errors}},
    {"POST",   "/token",                      anyone,        form, true,  accounts::login,
     {"Log in: the OAuth2 password flow", &s::token_form, 200, &s::token, k_login_errors}},
    {"GET",    "/users/me",                   user,          none, false, accounts::me,
     {"The account of the token", nullptr, 200, &s::user}},
    {"GET",    "/users",                      admin,         none, false, users::list,
     {"List accounts", nullptr, 200, &s::user_list}},
    {"PUT",    "/users/{user_id}",            admin,         json, false, users::update,
     {"Change an account's role or disable it", &s::user_update, 200, &s::user, k_demote_errors}},
    {"DELETE", "/users/{user_id}",            admin,         none, false, users::remove,
     {"Delete an account", nullptr, 204, nullptr, k_delete_user_errors}},
    {"POST",   "/api-tokens",                 admin,         json, false, users::create_token,
     {"Create an API token (shown once)", &s::api_token_create, 201, &s::api_token_created}},
    {"GET",    "/api-tokens",                 admin,         none, false, users::list_tokens,
     {"List API tokens", nullptr, 200, &s::api_token_list}},
    {"DELETE", "/api-tokens/{token_id}",      admin,         none, false, users::remove_token,
     {"Revoke an API token", nullptr, 204, nullptr}},
    {"POST",   "/users/me/password",          user,          json, true,  accounts::change_password,
     {"Change one's own password; older tokens stop working", &s::password_change, 204, nullptr, k_password_errors}},
    {"POST",   "/users/me/logout-all",        user,          none, false, accounts::logout_all,
     {"Revoke every token of one's account", nullptr, 204, nullptr, k_own_account_errors}},
    {"GET",    "/protected-data",             user,          none, false, accounts::protected_data,
     {"A greeting for the token's account", nullptr, 200, &s::message}},
    {"GET",    "/rooms",                      user,          none, false, rooms::list,
     {"List rooms", nullptr, 200, &s::room_list}},
    {"POST",   "/rooms",                      admin,         json, false, rooms::create,
     {"Create a room", &s::room_create, 201, &s::room}},
    {"GET",    "/rooms/{room_id}",            user,          none, false, rooms::get,
     {"A room", nullptr, 200, &s::room}},
    {"PUT",    "/rooms/{room_id}",            admin,         json, false, rooms::update,
     {"Change a room", &s::room_update, 200, &s::room}},
    {"DELETE", "/rooms/{room_id}",            admin,         none, false, rooms::remove,
     {"Delete an empty room", nullptr, 204, nullptr, k_room_delete_errors}},
    {"GET",    "/devices",                    user,          none, false, devices::list,
     {"List devices", nullptr, 200, &s::device_list, {}, k_room_filter}},
    {"POST",   "/devices",                    admin,         json, false, devices::create,
     {"Create a device", &s::device_create, 201, &s::device, k_device_errors}},
    // up to 100,000 rows: parsed and checked off the I/O threads (its body limit: http_session.cpp)
    {"POST",   "/devices/bulk",               admin,         json_or_csv, true, devices::bulk,
     {"Create many devices, all or nothing (JSON or CSV)", &s::bulk_devices, 201, &s::bulk_result}},
    {"GET",    "/devices/{device_id}",        user,          none, false, devices::get,
     {"A device", nullptr, 200, &s::device}},
    {"PUT",    "/devices/{device_id}",        admin,         json, false, devices::update,
     {"Change a device", &s::device_update, 200, &s::device, k_device_errors}},
    {"DELETE", "/devices/{device_id}",        admin,         none, false, devices::remove,
     {"Delete a device", nullptr, 204, nullptr}},
    {"GET",    "/devices/{device_id}/status", user,          none, false, status::one,
     {"A device's status detail", nullptr, 200, &s::device_status}},
    {"GET",    "/devices/{device_id}/events", user,          none, false, history_routes::events,
     {"A device's status changes, newest first", nullptr, 200, &s::event_list, {}, k_events_query}},
    {"GET",    "/devices/{device_id}/history", user,         none, false, history_routes::history,
     {"A device's round-trip times, loss and uptime over time", nullptr, 200, &s::history, {}, k_history_query}},
    {"GET",    "/devices/{device_id}/uptime", user,          none, false, history_routes::device_uptime,
     {"A device's uptime over 24 h, 7, 30 and 365 days", nullptr, 200, &s::uptime, {}, k_device_uptime_query}},
    // every device's events over the window: ~0.3 s at 100,000 devices, off the I/O threads
    {"GET",    "/uptime",                     user,          none, true,  history_routes::all_uptime,
     {"Every monitored device's uptime", nullptr, 200, &s::uptime_map, {}, k_uptime_query}},
    {"GET",    "/notifiers",                  user,          none, false, notifiers::list,
     {"List notifiers", nullptr, 200, &s::notifier_list}},
    {"POST",   "/notifiers",                  admin,         json, false, notifiers::create,
     {"Create a notifier", &s::notifier_create, 201, &s::notifier, k_notifier_errors}},
    {"GET",    "/notifiers/{notifier_id}",    user,          none, false, notifiers::get,
     {"A notifier", nullptr, 200, &s::notifier}},
    {"PUT",    "/notifiers/{notifier_id}",    admin,         json, false, notifiers::update,
     {"Change a notifier", &s::notifier_update, 200, &s::notifier, k_notifier_errors}},
    {"DELETE", "/notifiers/{notifier_id}",    admin,         none, false, notifiers::remove,
     {"Delete a notifier", nullptr, 204, nullptr}},
    {"POST",   "/notifiers/{notifier_id}/test", admin,       none, false, notifiers::test,
     {"Send a test message", nullptr, 202, &s::accepted}},
    {"GET",    "/notifiers/{notifier_id}/deliveries", user,  none, false, notifiers::deliveries,
     {"A notifier's latest deliveries", nullptr, 200, &s::delivery_list, {}, k_limit_query}},
    {"GET",    "/maintenance",                user,          none, false, notifiers::list_maintenance,
     {"List maintenance windows", nullptr, 200, &s::maintenance_list}},
    {"POST",   "/maintenance",                admin,         json, false, notifiers::create_maintenance,
     {"Create a maintenance window", &s::maintenance_create, 201, &s::maintenance_window, k_window_errors}},
    {"DELETE", "/maintenance/{window_id}",    admin,         none, false, notifiers::remove_maintenance,
     {"Delete a maintenance window", nullptr, 204, nullptr}},
    // the whole configuration as code (api/config.cpp): 100,000 devices are seconds of work, off the I/O threads
    {"GET",    "/config",                     admin,         none, true,  config_routes::get,
     {"The configuration as code: YAML, or JSON when Accept names it", nullptr, 200, &s::config_document, {}, {},
      "application/yaml"}},
    {"PUT",    "/config",                     admin,         json_or_yaml, true, config_routes::put,
     {"Make the store match a configuration; answers the plan", &s::config_document, 200, &s::config_plan,
      k_config_errors, k_config_query}},
    {"GET",    "/healthz",                    anyone,        none, false, operations::healthz,
     {"Liveness: 200 while the process serves", nullptr, 200, &s::health}},
    {"GET",    "/readyz",                     anyone,        none, false, operations::readyz,
     {"Readiness: the store and the probe engine (503 names what fails)", nullptr, 200, &s::readiness, k_ready_errors}},
    {"GET",    "/nodes",                      admin,         none, false, operations::nodes,
     {"The nodes sharing this database, live or seen within a day", nullptr, 200, &s::node_list}},
    // rendered off the I/O threads: ~300 bytes a device
    {"GET",    "/metrics",                    optional_user, none, true,  operations::metrics,
     {"Prometheus metrics (an admin's token or an API token, unless metrics_public)", nullptr, 200, &s::metrics_text,
      {}, {}, "text/plain"}},
    {"GET",    "/openapi.json",               anyone,        none, false, operations::openapi,
     {"This document (OpenAPI 3.1)", nullptr, 200, &s::openapi_document}},
    {"GET",    "/docs",                       anyone,        none, false, operations::docs,
     {"Swagger UI over this document", nullptr, 200, &s::html_page, k_docs_errors, {}, "text/html"}},
    {"GET",    "/device_status",              user,          none, false, status::all,
     {"Every monitored device's status", nullptr, 200, &s::status_map, {}, k_status_query}},
    {"GET",    "/ws/status",                  user,          none, false, status::socket_without_upgrade,
     {"The status WebSocket (upgrade): the status object at once, on each change and every 5 s",
      nullptr, 101, nullptr, k_socket_errors, k_socket_query}},
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
    if (body == Body::json_or_yaml)
        return is_media_type(request.content_type, "application/json") ||
               is_media_type(request.content_type, "application/yaml") || is_media_type(request.content_type, "text/yaml");
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

std::span<const Route> route_table() { return k_routes; }

const schema::Schema& Call::body_schema() const {
    if (request_schema == nullptr) throw std::logic_error("this route declares no request body");
    return *request_schema;
}

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
    Call call{request, prepared.query_, {}, std::move(user), std::move(refusal), route->doc.request};
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
