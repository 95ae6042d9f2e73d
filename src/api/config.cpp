// GET /config and PUT /config: the contract's "Configuration as code".
//
// GET answers the document as YAML, or as JSON when Accept names
// application/json. PUT takes YAML (application/yaml, text/yaml) or JSON and
// answers the plan: {"dry_run", "prune", "summary", "create": [...],
// "change": [...], "delete": [...]}, 200 whether or not it was written (a
// dry run writes nothing). A bad document is 422 with FastAPI's shape, each
// problem's line and column in "ctx".
//
// `${NAME}` references are never read from the server's environment: that
// would let an admin of the API read the host's variables (into a webhook URL
// shown by GET /config, or a secret that signs requests to their receiver).
// Over HTTP a reference keeps the stored value, and a new notifier needs the
// value itself; `gatewatch apply` on the host reads its environment.
#include "api/config_document.hpp"
#include "api/handlers.hpp"
#include "api/validation.hpp"
#include "util/text.hpp"

#include <boost/json.hpp>

namespace gatewatch::api::config_routes {
namespace json = boost::json;
namespace cfg = service::config;

namespace {

bool wants_json(std::string_view accept) {
    for (const auto type : util::split_list(accept)) {
        const auto media = util::trim(type.substr(0, type.find(';')));
        if (util::iequals(media, "application/json")) return true;
        if (util::iequals(media, "application/yaml") || util::iequals(media, "text/yaml")) return false;
    }
    return false;
}

json::value to_json(const cfg::Plan& plan, bool dry_run, bool prune) {
    json::array create, change, remove;
    for (const auto& l : plan.lines) {
        json::object o{{"kind", l.kind}, {"key", l.key}, {"line", cfg::to_text(l)}};
        if (!l.note.empty()) o["note"] = l.note;
        switch (l.action) {
            case cfg::PlanLine::Action::create: create.push_back(std::move(o)); break;
            case cfg::PlanLine::Action::remove: remove.push_back(std::move(o)); break;
            case cfg::PlanLine::Action::change:
                o["field"] = l.field;
                o["from"] = l.from;
                o["to"] = l.to;
                change.push_back(std::move(o));
                break;
        }
    }
    return json::object{{"dry_run", dry_run},          {"prune", prune},
                        {"summary", cfg::summary(plan)}, {"create", std::move(create)},
                        {"change", std::move(change)},   {"delete", std::move(remove)}};
}

Response problems_response(const std::vector<cfg::Problem>& problems) {
    json::array detail;
    for (const auto& p : problems) {
        json::array loc{"body"};
        for (const auto& part : p.loc) {
            if (const auto* key = std::get_if<std::string>(&part))
                loc.push_back(json::value(*key));
            else
                loc.push_back(std::get<std::int64_t>(part));
        }
        json::object item{{"type", p.type}, {"loc", std::move(loc)}, {"msg", p.message}};
        if (p.at.line > 0) item["ctx"] = json::object{{"line", p.at.line}, {"column", p.at.column}};
        detail.push_back(std::move(item));
    }
    return json_response(422, json::object{{"detail", std::move(detail)}});
}

}  // namespace

Response get(const AppContext& app, const Call& call) {
    if (app.configuration == nullptr) return error_response(404, "Not Found");
    const auto document = app.configuration->current();
    if (wants_json(call.request.accept)) return json_response(200, config_document::to_json(document));
    Response r;
    r.body = config_document::to_yaml(document);
    r.content_type = "application/yaml; charset=utf-8";
    return r;
}

Response put(const AppContext& app, const Call& call) {
    if (app.configuration == nullptr) return error_response(404, "Not Found");
    bool flags[2] = {false, false};
    const char* names[2] = {"dry_run", "prune"};
    ValidationErrors errors;
    for (const auto& [key, value] : call.query)
        for (int i = 0; i < 2; ++i) {
            if (key != names[i]) continue;
            const auto parsed = parse_query_bool(value);
            if (!parsed) errors.add({"query", names[i]}, "bool_parsing", "Input should be a valid boolean");
            flags[i] = parsed.value_or(false);
        }
    if (!errors.empty()) return errors.response();
    try {
        const auto document = config_document::read(call.request.body, nullptr);
        const auto plan = app.configuration->apply(document, flags[1], flags[0]);
        return json_response(200, to_json(plan, flags[0], flags[1]));
    } catch (const cfg::ConfigError& e) {
        return problems_response(e.problems);
    } catch (const store::RoomNotEmpty& e) {
        return error_response(409, e.what());
    } catch (const store::UniqueViolation& e) {  // written meanwhile by another process
        return error_response(409, e.what());
    } catch (const store::NotFound& e) {
        return error_response(409, e.what());
    } catch (const store::DependencyCycle& e) {
        return error_response(409, e.what());
    }
}

}  // namespace gatewatch::api::config_routes
