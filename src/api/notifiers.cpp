// /notifiers/, /notifiers/{id}, /notifiers/{id}/test, /notifiers/{id}/deliveries
// and /maintenance/, /maintenance/{id}: the contract's "Notifications".
#include "api/handlers.hpp"
#include "api/validation.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

namespace gatewatch::api::notifiers {
namespace json = boost::json;

namespace {

Response notifier_not_found() { return error_response(404, "Notifier not found"); }
Response window_not_found() { return error_response(404, "Maintenance window not found"); }

json::value null_if_empty(const std::string& text) { return text.empty() ? json::value(nullptr) : json::value(text); }

// A webhook URL is often the credential itself (Slack, ntfy): viewers see its origin only.
std::string redacted(const std::string& url) {
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return "…";
    std::string out = std::string(parsed->scheme()) + "://" + std::string(parsed->encoded_host_and_port());
    return out + "/…";
}

json::value to_json(const store::Notifier& n, bool for_admin) {
    const bool webhook = n.type == "webhook";
    json::array to(n.to.begin(), n.to.end());
    json::array events(n.events.begin(), n.events.end());
    return json::object{
        {"id", n.id},
        {"name", n.name},
        {"type", n.type},
        {"url", webhook ? null_if_empty(for_admin ? n.url : redacted(n.url)) : json::value(nullptr)},
        {"format", webhook ? json::value(n.format) : json::value(nullptr)},
        {"to", std::move(to)},
        {"events", std::move(events)},
        {"room_id", n.room_id ? json::value(*n.room_id) : json::value(nullptr)},
        {"enabled", n.enabled},
        {"has_secret", !n.secret.empty()},
    };
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(WallClock::now().time_since_epoch()).count();
}

json::value to_json(const store::MaintenanceWindow& w) {
    const std::int64_t now = now_ms();
    return json::object{
        {"id", w.id},
        {"name", w.name},
        {"start", wire::format_time_ms(w.start_ms)},
        {"end", wire::format_time_ms(w.end_ms)},
        {"room_id", w.room_id ? json::value(*w.room_id) : json::value(nullptr)},
        {"device_ids", json::array(w.device_ids.begin(), w.device_ids.end())},
        {"active", w.start_ms <= now && now < w.end_ms},
    };
}

json::value to_json(const store::Delivery& d) {
    boost::system::error_code ec;
    json::value event = json::parse(d.payload, ec);
    if (ec || !event.is_object()) event = json::object{};
    event.as_object()["delivery_id"] = d.id;
    return json::object{
        {"id", d.id},
        {"event", std::move(event)},
        {"device_id", d.device_id ? json::value(*d.device_id) : json::value(nullptr)},
        {"created", wire::format_time_ms(d.created_ms)},
        {"attempts", d.attempts},
        {"status", d.status},
        {"last_error", null_if_empty(d.last_error)},
        {"next_attempt", d.status == "pending" ? json::value(wire::format_time_ms(d.next_at_ms)) : json::value(nullptr)},
    };
}

std::optional<std::vector<std::string>> read_recipients(JsonBody& body, ValidationErrors& errors) {
    return read_list<std::string>(body, "to",
                                  [&](const json::value& v, json::array loc,
                                      const schema::Schema& item) -> std::optional<std::string> {
                                      auto text = read_text(v, loc, item, errors);
                                      if (text && !is_email_address(*text)) {
                                          errors.add(std::move(loc), "value_error",
                                                     "value is not a valid email address");
                                          return std::nullopt;
                                      }
                                      return text;
                                  });
}

std::optional<std::vector<std::string>> read_events(JsonBody& body, ValidationErrors& errors) {
    auto events = read_list<std::string>(
        body, "events", [&](const json::value& v, json::array loc, const schema::Schema& item) {
            return read_choice(v, std::move(loc), item, errors);
        });
    if (events) {  // a set: each once, in a stable order
        std::sort(events->begin(), events->end());
        events->erase(std::unique(events->begin(), events->end()), events->end());
    }
    return events;
}

// An absolute http(s) URL with a host.
std::optional<std::string> read_url(JsonBody& body, ValidationErrors& errors) {
    auto text = body.text("url");
    if (!text) return std::nullopt;
    if (const auto why = url_problem(*text)) {
        errors.add({"body", "url"}, why->first, why->second);
        return std::nullopt;
    }
    return text;
}

// secret: absent -> untouched, null or "" -> none, else 1..256 characters.
std::optional<std::string> read_secret(JsonBody& body) {
    if (!body.has("secret")) return std::nullopt;
    if (body.is_null("secret")) return std::string();
    return body.text("secret");
}

std::optional<std::optional<std::int64_t>> read_optional_id(JsonBody& body, std::string_view key) {
    if (!body.has(key)) return std::nullopt;
    if (body.is_null(key)) return std::optional<std::int64_t>();
    if (auto id = body.integer(key)) return std::optional<std::int64_t>(*id);
    return std::nullopt;
}

service::NotifierPatch read_notifier(JsonBody& body, ValidationErrors& errors) {
    service::NotifierPatch p;
    p.name = body.text("name");
    p.type = body.choice("type");
    p.url = read_url(body, errors);
    p.format = body.choice("format");
    p.to = read_recipients(body, errors);
    p.secret = read_secret(body);
    p.events = read_events(body, errors);
    p.room_id = read_optional_id(body, "room_id");
    p.enabled = body.boolean("enabled");
    return p;
}

template <typename Write>
Response write_notifier(Write&& write) {
    try {
        return write();
    } catch (const store::NotFound& e) {
        return error_response(404, e.entity == store::Entity::device ? "Device not found" : "Room not found");
    } catch (const service::Invalid& e) {
        ValidationErrors errors;
        errors.add({"body", e.field}, "value_error", std::string("Value error, ") + e.what());
        return errors.response();
    }
}

}  // namespace

Response list(const AppContext& app, const Call& call) {
    json::array out;
    const bool admin = call.user->role == store::Role::admin;
    for (const auto& n : app.store.list_notifiers()) out.push_back(to_json(n, admin));
    return json_response(200, out);
}

Response get(const AppContext& app, const Call& call) {
    const auto n = app.store.find_notifier(call.ids[0]);
    return n ? json_response(200, to_json(*n, call.user->role == store::Role::admin)) : notifier_not_found();
}

Response create(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    const auto p = read_notifier(body, errors);
    if (!errors.empty()) return errors.response();
    store::Notifier n;
    n.name = *p.name;
    n.type = *p.type;
    n.url = p.url.value_or("");
    n.format = p.format.value_or("json");
    n.to = p.to.value_or(std::vector<std::string>{});
    n.secret = p.secret.value_or("");
    n.events = p.events.value_or(std::vector<std::string>{"down", "up"});
    n.room_id = p.room_id.value_or(std::nullopt);
    n.enabled = p.enabled.value_or(true);
    return write_notifier([&] { return json_response(201, to_json(app.services.notifiers.create(n), true)); });
}

Response update(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    const auto p = read_notifier(body, errors);
    if (!errors.empty()) return errors.response();
    return write_notifier([&] {
        const auto n = app.services.notifiers.update(call.ids[0], p);
        return n ? json_response(200, to_json(*n, true)) : notifier_not_found();
    });
}

Response remove(const AppContext& app, const Call& call) {
    return app.services.notifiers.remove(call.ids[0]) ? no_content() : notifier_not_found();
}

Response test(const AppContext& app, const Call& call) {
    if (!app.services.notifiers.send_test(call.ids[0])) return notifier_not_found();
    return json_response(202, json::object{{"detail", "A test message is on its way"}});
}

Response deliveries(const AppContext& app, const Call& call) {
    std::int64_t limit = 50;
    for (const auto& [key, value] : call.query) {
        if (key != "limit") continue;
        ValidationErrors errors;
        const auto parsed = read_positive_id(value, {"query", "limit"}, errors);
        if (!errors.empty()) return errors.response();
        if (*parsed > 1000) {
            errors.add({"query", "limit"}, "less_than_equal", "Input should be less than or equal to 1000");
            return errors.response();
        }
        limit = *parsed;
    }
    if (!app.store.find_notifier(call.ids[0])) return notifier_not_found();
    json::array out;
    if (app.history != nullptr)
        for (const auto& d : app.history->deliveries(call.ids[0], static_cast<std::size_t>(limit)))
            out.push_back(to_json(d));
    return json_response(200, out);
}

Response list_maintenance(const AppContext& app, const Call&) {
    json::array out;
    for (const auto& w : app.store.list_maintenance()) out.push_back(to_json(w));
    return json_response(200, out);
}

Response create_maintenance(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    const auto name = body.text("name");
    std::optional<std::int64_t> times[2];
    const char* keys[2] = {"start", "end"};
    for (int i = 0; i < 2; ++i) {
        const auto text = body.text(keys[i]);
        if (!text) continue;
        times[i] = parse_rfc3339(*text);
        if (!times[i]) errors.add({"body", keys[i]}, "datetime_parsing", "Input should be a valid datetime (RFC 3339)");
    }
    if (times[0] && times[1] && *times[1] <= *times[0])
        errors.add({"body", "end"}, "value_error", "Value error, end must be after start");
    const auto room_id = read_optional_id(body, "room_id");
    const auto device_ids = read_list<std::int64_t>(
        body, "device_ids",
        [&](const json::value& v, json::array loc, const schema::Schema& item) { return read_integer(v, std::move(loc), item, errors); });
    if (!errors.empty()) return errors.response();
    store::MaintenanceWindow w;
    w.name = *name;
    w.start_ms = *times[0];
    w.end_ms = *times[1];
    w.room_id = room_id.value_or(std::nullopt);
    w.device_ids = device_ids.value_or(std::vector<std::int64_t>{});
    std::sort(w.device_ids.begin(), w.device_ids.end());
    w.device_ids.erase(std::unique(w.device_ids.begin(), w.device_ids.end()), w.device_ids.end());
    return write_notifier(
        [&] { return json_response(201, to_json(app.services.notifiers.create_maintenance(w))); });
}

Response remove_maintenance(const AppContext& app, const Call& call) {
    return app.services.notifiers.remove_maintenance(call.ids[0]) ? no_content() : window_not_found();
}

}  // namespace gatewatch::api::notifiers
