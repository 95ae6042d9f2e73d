// GET /devices/{id}/events, /devices/{id}/history, /devices/{id}/uptime and
// GET /uptime/: the contract's "History and uptime", read from the history
// store (history/query.hpp does the arithmetic).
#include "api/handlers.hpp"
#include "api/status_hub.hpp"
#include "api/validation.hpp"
#include "history/query.hpp"
#include "util/text.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace gatewatch::api::history_routes {
namespace json = boost::json;

namespace {

constexpr std::int64_t k_day_ms = 86'400'000;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(WallClock::now().time_since_epoch()).count();
}

std::string time_text(std::int64_t ms) { return format_time(WallClock::time_point(std::chrono::milliseconds(ms))); }

const std::string* query_value(const Call& call, std::string_view key) {
    const std::string* found = nullptr;
    for (const auto& [k, v] : call.query)
        if (k == key) found = &v;  // the last one wins, as FastAPI does
    return found;
}

// ?from=&to= (RFC 3339; default the last 24 h), in milliseconds.
std::optional<std::pair<std::int64_t, std::int64_t>> read_range(const Call& call, ValidationErrors& errors) {
    const std::int64_t now = now_ms();
    std::int64_t to = now;
    std::int64_t from = now - k_day_ms;
    bool ok = true;
    for (const auto* key : {"from", "to"}) {
        const std::string* text = query_value(call, key);
        if (text == nullptr) continue;
        const auto parsed = parse_rfc3339(*text);
        if (!parsed) {
            errors.add({"query", key}, "datetime_parsing", "Input should be a valid datetime (RFC 3339)");
            ok = false;
            continue;
        }
        (std::string_view(key) == "from" ? from : to) = *parsed;
    }
    if (ok && query_value(call, "from") == nullptr && query_value(call, "to") != nullptr) from = to - k_day_ms;
    if (ok && from > to) {
        errors.add({"query", "from"}, "value_error", "Value error, from must not be after to");
        ok = false;
    }
    if (!ok) return std::nullopt;
    return std::pair{from, to};
}

// An integer query parameter within [low, high].
std::optional<std::int64_t> read_bounded(const Call& call, std::string_view key, std::int64_t low, std::int64_t high,
                                         ValidationErrors& errors) {
    const std::string* text = query_value(call, key);
    if (text == nullptr) return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        errors.add({"query", key}, "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
        return std::nullopt;
    }
    if (value < low) {
        errors.add({"query", key}, "greater_than_equal", "Input should be greater than or equal to " + std::to_string(low));
        return std::nullopt;
    }
    if (value > high) {
        errors.add({"query", key}, "less_than_equal", "Input should be less than or equal to " + std::to_string(high));
        return std::nullopt;
    }
    return value;
}

// ?location= (several nodes): a location's view instead of the device's own
// history; "" when absent.
std::string read_location(const Call& call, ValidationErrors& errors) {
    const std::string* text = query_value(call, "location");
    if (text == nullptr) return {};
    if (text->empty()) {
        errors.add({"query", "location"}, "string_too_short", "String should have at least 1 character");
        return {};
    }
    if (text->size() > 64) {
        errors.add({"query", "location"}, "string_too_long", "String should have at most 64 characters");
        return {};
    }
    if (!util::is_node_label(*text)) {
        errors.add({"query", "location"}, "string_pattern_mismatch", "String should match pattern '^[A-Za-z0-9._-]+$'");
        return {};
    }
    return *text;
}

std::optional<Response> refuse(const AppContext& app, std::int64_t device_id) {
    if (app.history == nullptr) return error_response(503, "History is not kept by this server");
    if (!app.store.find_device(device_id)) return error_response(404, "Device not found");
    return std::nullopt;
}

// Rounded for the wire (RTTs to the microsecond, fractions to 1e-4 or 1e-6),
// and whole numbers as integers, as the status details write them.
json::value number(double v, double per_unit) {
    const double r = std::round(v * per_unit) / per_unit;
    if (r == std::trunc(r)) return static_cast<std::int64_t>(r);
    return r;
}
json::value optional_number(const std::optional<double>& v, double per_unit) {
    return v ? number(*v, per_unit) : json::value(nullptr);
}

struct Window {
    const char* name;
    std::int64_t ms;
};
constexpr Window k_windows[] = {{"24h", k_day_ms}, {"7d", 7 * k_day_ms}, {"30d", 30 * k_day_ms}, {"365d", 365 * k_day_ms}};

}  // namespace

Response events(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    const auto range = read_range(call, errors);
    const auto limit = read_bounded(call, "limit", 1, 1000, errors);
    const auto location = read_location(call, errors);
    if (!errors.empty()) return errors.response();
    if (auto refused = refuse(app, call.ids[0])) return std::move(*refused);
    json::array out;
    for (const auto& e : app.history->events(call.ids[0], location, range->first, range->second,
                                             static_cast<std::size_t>(limit.value_or(100)))) {
        out.push_back(json::object{{"at", time_text(e.at_ms)},
                                   {"status", e.status},
                                   {"previous", e.previous},
                                   {"unreachable_via", e.unreachable_via ? json::value(*e.unreachable_via) : nullptr},
                                   {"muted", e.muted}});
    }
    return json_response(200, out);
}

Response history(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    const auto range = read_range(call, errors);
    const auto step = read_bounded(call, "step", 1, 400LL * 86400, errors);
    const auto location = read_location(call, errors);
    if (!errors.empty()) return errors.response();
    if (auto refused = refuse(app, call.ids[0])) return std::move(*refused);
    const auto points = history::history(*app.history, call.ids[0], range->first / 1000, range->second / 1000 + 1,
                                         step, now_ms() / 1000, location);
    json::array out;
    out.reserve(points.points.size());
    for (const auto& p : points.points) {
        out.push_back(json::object{
            {"at", time_text(p.at * 1000)},
            {"rtt_ms", optional_number(p.rtt_ms, 1e3)},
            {"rtt_ms_max", optional_number(p.rtt_ms_max, 1e3)},
            {"loss", number(p.loss, 1e4)},
            {"up", number(p.up, 1e4)}});
    }
    return json_response(200, json::object{{"device_id", call.ids[0]}, {"step_s", points.step_s}, {"points", out}});
}

Response device_uptime(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    const auto location = read_location(call, errors);
    if (!errors.empty()) return errors.response();
    if (auto refused = refuse(app, call.ids[0])) return std::move(*refused);
    const std::int64_t now = now_ms();
    // One read of the longest window; each shorter one is a part of it.
    const std::int64_t longest = now - std::end(k_windows)[-1].ms;
    const auto before = app.history->last_events_before({call.ids[0]}, location, longest);
    auto changes = app.history->events(call.ids[0], location, longest, now, 10'000'000);
    std::reverse(changes.begin(), changes.end());  // oldest first
    json::object out;
    for (const auto& w : k_windows) {
        const std::int64_t from = now - w.ms;
        const auto first = std::lower_bound(changes.begin(), changes.end(), from,
                                            [](const store::StatusEvent& e, std::int64_t t) { return e.at_ms < t; });
        std::optional<store::StatusEvent> start;
        if (first != changes.begin())
            start = *std::prev(first);
        else if (!before.empty())
            start = before.front();
        const auto value = history::uptime(start, std::vector<store::StatusEvent>(first, changes.end()), from, now);
        out[w.name] = optional_number(value, 1e6);
    }
    return json_response(200, out);
}

Response all_uptime(const AppContext& app, const Call& call) {
    if (app.history == nullptr) return error_response(503, "History is not kept by this server");
    std::int64_t window_ms = k_day_ms;
    if (const std::string* text = query_value(call, "window")) {
        const auto* found = std::find_if(std::begin(k_windows), std::end(k_windows),
                                         [&](const Window& w) { return *text == w.name; });
        if (found == std::end(k_windows)) {
            ValidationErrors errors;
            errors.add({"query", "window"}, "enum", "Input should be '24h', '7d', '30d' or '365d'");
            return errors.response();
        }
        window_ms = found->ms;
    }
    const std::int64_t now = now_ms();
    const std::int64_t from = now - window_ms;
    std::vector<store::Device> devices;
    std::vector<std::int64_t> ids;
    for (auto& d : app.store.list_devices(std::nullopt)) {
        if (!d.monitored) continue;
        ids.push_back(d.id);
        devices.push_back(std::move(d));
    }
    // Two reads for every device at once: the status each began the window
    // with, and the changes inside it (oldest first, grouped by device).
    std::unordered_map<std::int64_t, store::StatusEvent> before;
    for (auto& e : app.history->last_events_before(ids, "", from)) before.emplace(e.device_id, std::move(e));
    std::unordered_map<std::int64_t, std::vector<store::StatusEvent>> changes;
    for (auto& e : app.history->events_between(from, now)) changes[e.device_id].push_back(std::move(e));
    json::object out;
    for (const auto& d : devices) {
        const auto b = before.find(d.id);
        const auto c = changes.find(d.id);
        const auto value = history::uptime(b == before.end() ? std::nullopt : std::optional(b->second),
                                           c == changes.end() ? std::vector<store::StatusEvent>{} : c->second, from, now);
        out[d.ip] = optional_number(value, 1e6);
    }
    return json_response(200, out);
}

}  // namespace gatewatch::api::history_routes
