#include "api/openapi.hpp"

#include "api/router.hpp"
#include "api/schemas.hpp"

#include <boost/json.hpp>

#include <map>
#include <string>

namespace gatewatch::api {
namespace json = boost::json;

namespace {

// "/devices/{device_id}/status" with "get" -> "get_devices_device_id_status".
std::string operation_id(const Route& route) {
    std::string id;
    for (char c : route.method) id.push_back(static_cast<char>(c - 'A' + 'a'));
    for (char c : route.pattern) {
        if (c == '/' || c == '-' || c == '.') id.push_back('_');
        else if (c != '{' && c != '}') id.push_back(c);
    }
    return id;
}

// The first segment names the group in Swagger UI: "devices", "rooms"...
std::string tag_of(std::string_view pattern) {
    pattern.remove_prefix(1);
    std::string tag(pattern.substr(0, pattern.find('/')));
    if (tag == "token" || tag == "users" || tag == "api-tokens" || tag == "protected-data") return "accounts";
    if (tag == "healthz" || tag == "readyz" || tag == "metrics" || tag == "openapi.json" || tag == "docs")
        return "operations";
    if (tag == "device_status" || tag == "ws" || tag == "uptime") return "status";
    return tag;
}

json::object content(std::string_view media_type, json::value schema) {
    json::object media{{"schema", std::move(schema)}};
    return json::object{{media_type, std::move(media)}};
}

json::object answer(std::string_view description, const schema::Schema* body, std::string_view media_type,
                    std::map<std::string, json::value>& components) {
    json::object r{{"description", description}};
    if (body != nullptr) r["content"] = content(media_type, schema::to_json_schema(*body, components));
    return r;
}

json::object operation(const Route& route, std::map<std::string, json::value>& components) {
    const Doc& doc = route.doc;
    json::object op{{"operationId", operation_id(route)},
                    {"summary", doc.summary},
                    {"tags", json::array{tag_of(route.pattern)}}};
    if (route.access == Access::admin) op["description"] = "Admin only.";

    json::array parameters;
    bool takes_input = false;
    for (std::string_view rest = route.pattern; !rest.empty();) {
        const auto open = rest.find('{');
        if (open == std::string_view::npos) break;
        const auto close = rest.find('}', open);
        parameters.push_back(json::object{{"name", rest.substr(open + 1, close - open - 1)},
                                          {"in", "path"},
                                          {"required", true},
                                          {"schema", json::object{{"type", "integer"}, {"minimum", 1}}}});
        rest.remove_prefix(close + 1);
        takes_input = true;
    }
    for (const Parameter& p : doc.query) {
        json::object parameter{{"name", p.name}, {"in", "query"}, {"required", false},
                               {"schema", schema::to_json_schema(*p.schema, components)}};
        if (!p.description.empty()) parameter["description"] = p.description;
        parameters.push_back(std::move(parameter));
        takes_input = true;
    }
    if (!parameters.empty()) op["parameters"] = std::move(parameters);

    if (doc.request != nullptr) {
        json::object body_content;
        const auto schema = schema::to_json_schema(*doc.request, components);
        if (route.body == Body::form) {
            body_content = content("application/x-www-form-urlencoded", schema);
        } else {
            body_content = content("application/json", schema);
            if (route.body == Body::json_or_csv)
                body_content["text/csv"] = json::object{
                    {"schema", schema::to_json_schema(schemas::bulk_devices_csv, components)}};
            if (route.body == Body::json_or_yaml) {
                body_content["application/yaml"] = json::object{{"schema", schema}};
                body_content["text/yaml"] = json::object{{"schema", schema}};
            }
        }
        op["requestBody"] = json::object{{"required", true}, {"content", std::move(body_content)}};
        takes_input = true;
    }

    json::object responses;
    const std::string success = std::to_string(doc.status);
    const std::string_view described = doc.status == 201   ? "Created"
                                       : doc.status == 202 ? "Accepted"
                                       : doc.status == 204 ? "No content"
                                       : doc.status == 101 ? "Switching protocols (a WebSocket)"
                                                           : "OK";
    responses[success] = answer(described, doc.response, doc.response_type, components);
    if (doc.response_type == "application/yaml" && doc.response != nullptr)  // the same, as JSON by Accept
        responses[success].as_object()["content"].as_object()["application/json"] =
            json::object{{"schema", schema::to_json_schema(*doc.response, components)}};
    const auto error = [&](std::string_view description) {
        return answer(description, &schemas::error, "application/json", components);
    };
    if (route.body != Body::none) responses["415"] = error("Unsupported media type");
    const bool needs_token = route.access == Access::user || route.access == Access::admin;
    if (needs_token || route.access == Access::optional_user)
        responses["401"] = error("Not authenticated, or the token is not valid");
    if (route.access == Access::admin || route.access == Access::optional_user)
        responses["403"] = error("Not enough permissions");
    if (route.pattern.find('{') != std::string_view::npos) responses["404"] = error("Not found");
    if (takes_input) responses["422"] = answer("Validation error", &schemas::validation_error, "application/json", components);
    for (const Answer& a : doc.errors) {
        const std::string code = std::to_string(a.status);
        std::string description(a.description);
        if (const auto* known = responses.if_contains(code))  // e.g. 404 of the path id too
            description = std::string(known->at("description").as_string()) + "; " + description;
        // readyz answers its usual body with the failing part named
        responses[code] = answer(description, a.status == 503 ? &schemas::readiness : &schemas::error,
                                 "application/json", components);
    }
    // Any request: a Host that is not one of allowed_hosts (the chain answers before the route).
    responses["421"] = error("Misdirected request: the Host is not one of allowed_hosts");
    op["responses"] = std::move(responses);

    const json::object oauth{{"OAuth2PasswordBearer", json::array{}}};
    const json::object api_token{{"APIToken", json::array{}}};
    if (needs_token) op["security"] = json::array{oauth, api_token};
    if (route.access == Access::optional_user) op["security"] = json::array{json::object{}, oauth, api_token};
    if (route.access == Access::anyone) op["security"] = json::array{};  // said, not forgotten
    return op;
}

}  // namespace

json::value openapi_document(std::string_view version) {
    std::map<std::string, json::value> components;
    json::object paths;
    for (const Route& route : route_table()) {
        json::value& item = paths[route.pattern];
        if (!item.is_object()) item.emplace_object();
        std::string method;
        for (char c : route.method) method.push_back(static_cast<char>(c - 'A' + 'a'));
        item.as_object()[method] = operation(route, components);
    }

    json::object schemas_out;
    for (auto& [name, schema] : components) schemas_out[name] = std::move(schema);
    json::object password_flow{{"tokenUrl", "/token"}, {"scopes", json::object{}}};
    json::object security_schemes{
        {"OAuth2PasswordBearer",
         json::object{{"type", "oauth2"}, {"flows", json::object{{"password", std::move(password_flow)}}}}},
        {"APIToken", json::object{{"type", "http"},
                                  {"scheme", "bearer"},
                                  {"description", "An API token (gw_...) from POST /api-tokens/"}}}};
    return json::object{
        {"openapi", "3.1.0"},
        {"info", json::object{{"title", "gatewatch"},
                              {"version", version},
                              {"description", "Live status of network gateways and devices: rooms, devices, "
                                              "status, history, notifications. Every path answers with and "
                                              "without its trailing slash."},
                              {"license", json::object{{"name", "All rights reserved"},
                                                       {"identifier", "LicenseRef-All-rights-reserved"}}}}},
        {"servers", json::array{json::object{{"url", "/"}}}},
        {"paths", std::move(paths)},
        {"components", json::object{{"schemas", std::move(schemas_out)}, {"securitySchemes", std::move(security_schemes)}}},
    };
}

}  // namespace gatewatch::api
