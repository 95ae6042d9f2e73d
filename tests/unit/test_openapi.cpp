// The OpenAPI document and the route table: one source, both directions.
#include "api/openapi.hpp"
#include "api/router.hpp"
#include "api/schemas.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>
#include <utility>

namespace json = boost::json;
using namespace gatewatch::api;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Every "$ref" below `v`.
void collect_refs(const json::value& v, std::set<std::string>& refs) {
    if (v.is_object()) {
        for (const auto& [key, child] : v.as_object()) {
            if (key == "$ref" && child.is_string()) refs.insert(std::string(child.as_string()));
            collect_refs(child, refs);
        }
    } else if (v.is_array()) {
        for (const auto& child : v.as_array()) collect_refs(child, refs);
    }
}

}  // namespace

TEST(OpenApi, EveryRouteIsAnOperationAndEveryOperationARoute) {
    const auto doc = openapi_document("1.2.3");
    EXPECT_EQ(doc.at("openapi"), "3.1.0");
    EXPECT_EQ(doc.at("info").at("version"), "1.2.3");
    std::set<std::pair<std::string, std::string>> routes, operations;
    for (const Route& r : route_table()) routes.emplace(lower(r.method), std::string(r.pattern));
    for (const auto& [path, item] : doc.at("paths").as_object())
        for (const auto& [method, op] : item.as_object()) operations.emplace(std::string(method), std::string(path));
    EXPECT_EQ(routes, operations);
    EXPECT_TRUE(routes.contains({"get", "/openapi.json"}));
}

TEST(OpenApi, EachOperationIsCompleteAndEveryReferenceResolves) {
    const auto doc = openapi_document("1");
    std::set<std::string> ids;
    for (const auto& [path, item] : doc.at("paths").as_object()) {
        for (const auto& [method, op] : item.as_object()) {
            const auto& o = op.as_object();
            EXPECT_TRUE(ids.insert(std::string(o.at("operationId").as_string())).second) << path;
            EXPECT_FALSE(o.at("summary").as_string().empty()) << path;
            EXPECT_FALSE(o.at("responses").as_object().empty()) << path;
            // a path id is declared as a parameter
            if (std::string_view(path).find('{') != std::string_view::npos) {
                EXPECT_TRUE(o.contains("parameters")) << path;
            }
        }
    }
    std::set<std::string> refs;
    collect_refs(doc, refs);
    const auto& components = doc.at("components").at("schemas").as_object();
    for (const auto& ref : refs) {
        ASSERT_TRUE(ref.starts_with("#/components/schemas/")) << ref;
        EXPECT_TRUE(components.contains(ref.substr(21))) << ref;
    }
    EXPECT_TRUE(components.contains("DeviceCreate"));
    EXPECT_TRUE(components.contains("ValidationError"));
}

TEST(OpenApi, TheDeclaredRulesAreTheOnesPrinted) {
    const auto doc = openapi_document("1");
    const auto& post_rooms = doc.at("paths").at("/rooms").at("post").as_object();
    EXPECT_EQ(post_rooms.at("requestBody").at("content").at("application/json").at("schema").at("$ref"),
              "#/components/schemas/RoomCreate");
    EXPECT_TRUE(post_rooms.at("responses").as_object().contains("201"));
    EXPECT_TRUE(post_rooms.at("responses").as_object().contains("403"));  // admin only
    const auto& room_create = doc.at("components").at("schemas").at("RoomCreate");
    const auto& name = room_create.at("properties").at("name");
    const auto& declared = *schemas::room_create.property("name").schema;
    EXPECT_EQ(name.at("maxLength").to_number<std::size_t>(), declared.max_length);
    EXPECT_EQ(room_create.at("required"), (json::array{"name"}));
    // the login form and the password flow
    EXPECT_TRUE(doc.at("paths").at("/token").at("post").at("requestBody").at("content").as_object().contains(
        "application/x-www-form-urlencoded"));
    EXPECT_EQ(doc.at("components").at("securitySchemes").at("OAuth2PasswordBearer").at("flows").at("password").at(
                  "tokenUrl"),
              "/token");
    // bulk takes CSV too
    EXPECT_TRUE(doc.at("paths").at("/devices/bulk").at("post").at("requestBody").at("content").as_object().contains(
        "text/csv"));
}
