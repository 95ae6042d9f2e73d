#include "api/router.hpp"

#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/validation.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <array>
#include <string_view>

namespace gatewatch::api {
namespace {

enum class Access { anyone, user, admin };

struct Route {
    std::string_view method;
    std::string_view pattern;  // "{name}" segments are positive 64-bit ids
    Access access;
    bool cpu_heavy;
    Handler handler;
};

// clang-format off
constexpr std::array k_routes = {
    Route{"POST",   "/users",                Access::anyone, true,  accounts::register_user},
    Route{"POST",   "/token",                Access::anyone, true,  accounts::login},
    Route{"GET",    "/users/me",             Access::user,   false, accounts::me},
    Route{"GET",    "/protected-data",       Access::user,   false, accounts::protected_data},
    Route{"GET",    "/rooms",                Access::user,   false, rooms::list},
    Route{"POST",   "/rooms",                Access::admin,  false, rooms::create},
    Route{"GET",    "/rooms/{room_id}",      Access::user,   false, rooms::get},
    Route{"PUT",    "/rooms/{room_id}",      Access::admin,  false, rooms::update},
    Route{"DELETE", "/rooms/{room_id}",      Access::admin,  false, rooms::remove},
    Route{"GET",    "/devices",              Access::user,   false, devices::list},
    Route{"POST",   "/devices",              Access::admin,  false, devices::create},
    Route{"GET",    "/devices/{device_id}",  Access::user,   false, devices::get},
    Route{"PUT",    "/devices/{device_id}",  Access::admin,  false, devices::update},
    Route{"DELETE", "/devices/{device_id}",  Access::admin,  false, devices::remove},
    Route{"GET",    "/devices/{device_id}/status", Access::user, false, status::one},
    Route{"GET",    "/device_status",        Access::user,   false, status::all},
    Route{"GET",    "/ws/status",            Access::user,   false, status::socket_without_upgrade},
};
// clang-format on

struct ParsedTarget {
    std::vector<std::string> segments;  // decoded, without a trailing empty one
    std::vector<std::pair<std::string, std::string>> query;
};

std::optional<ParsedTarget> parse_target(std::string_view target) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    ParsedTarget parsed;
    for (auto segment : url->segments()) parsed.segments.push_back(std::string(segment));
    if (!parsed.segments.empty() && parsed.segments.back().empty()) parsed.segments.pop_back();
    for (auto param : url->params()) parsed.query.emplace_back(std::string(param.key), std::string(param.value));
    return parsed;
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

const Route* find_route(const Request& request, const ParsedTarget& target, std::string& allowed) {
    for (const Route& route : k_routes) {
        if (!matches(route.pattern, target.segments)) continue;
        if (route.method == request.method) return &route;
        if (!allowed.empty()) allowed += ", ";
        allowed += route.method;
    }
    return nullptr;
}

}  // namespace

bool Router::is_cpu_heavy(const Request& request) const {
    const auto target = parse_target(request.target);
    if (!target) return false;
    std::string allowed;
    const Route* route = find_route(request, *target, allowed);
    return route != nullptr && route->cpu_heavy;
}

Response Router::handle(const Request& request) const {
    const auto target = parse_target(request.target);
    if (!target) return error_response(400, "Invalid request target");

    std::string allowed;
    const Route* route = find_route(request, *target, allowed);
    if (route == nullptr) {
        if (allowed.empty()) return error_response(404, "Not Found");
        Response r = error_response(405, "Method Not Allowed");
        r.headers.emplace_back("Allow", allowed);
        return r;
    }

    Call call{request, target->query, {}, std::nullopt};
    if (route->access != Access::anyone) {
        auto outcome = authenticate(app_, request.authorization);
        if (auto* failure = std::get_if<Response>(&outcome)) return std::move(*failure);
        call.user = std::move(std::get<store::User>(outcome));
        if (route->access == Access::admin && call.user->role != store::Role::admin) return forbidden();
    }

    ValidationErrors errors;
    const auto parts = split_pattern(route->pattern);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (!is_parameter(parts[i])) continue;
        const std::string_view name = parts[i].substr(1, parts[i].size() - 2);
        if (auto id = read_positive_id(target->segments[i], {"path", name}, errors)) call.ids.push_back(*id);
    }
    if (!errors.empty()) return errors.response();
    return route->handler(app_, call);
}

}  // namespace gatewatch::api
