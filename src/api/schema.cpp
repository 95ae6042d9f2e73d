#include "api/schema.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace gatewatch::api::schema {
namespace json = boost::json;

const Property& Schema::property(std::string_view key) const {
    for (const Property& p : properties)
        if (p.name == key) return p;
    throw std::logic_error("schema " + std::string(name) + " declares no field " + std::string(key));
}

namespace {

std::string_view type_name(Type type) {
    switch (type) {
        case Type::object: return "object";
        case Type::array: return "array";
        case Type::string: return "string";
        case Type::integer: return "integer";
        case Type::number: return "number";
        case Type::boolean: return "boolean";
        case Type::any: break;
    }
    return "";
}

json::object expand(const Schema& s, std::map<std::string, json::value>& components) {
    json::object o;
    if (s.type != Type::any) {
        if (s.nullable)
            o["type"] = json::array{type_name(s.type), "null"};
        else
            o["type"] = type_name(s.type);
    }
    if (!s.description.empty()) o["description"] = s.description;
    if (!s.format.empty()) o["format"] = s.format;
    if (!s.pattern.empty()) o["pattern"] = s.pattern;
    if (s.min_length > 0) o["minLength"] = s.min_length;
    if (s.max_length > 0) o["maxLength"] = s.max_length;
    if (s.minimum) o["minimum"] = *s.minimum;
    if (s.maximum) o["maximum"] = *s.maximum;
    if (!s.enumeration.empty()) {
        json::array values;
        for (auto v : s.enumeration) values.emplace_back(v);
        if (s.nullable) values.emplace_back(nullptr);
        o["enum"] = std::move(values);
    }
    if (s.type == Type::object) {
        json::object properties;
        json::array required;
        for (const Property& p : s.properties) {
            properties[p.name] = to_json_schema(*p.schema, components);
            if (p.required) required.emplace_back(p.name);
        }
        if (!properties.empty()) o["properties"] = std::move(properties);
        if (!required.empty()) o["required"] = std::move(required);
        if (s.values != nullptr) o["additionalProperties"] = to_json_schema(*s.values, components);
    }
    if (!s.any_of.empty()) {
        json::array shapes;
        for (const Schema* shape : s.any_of) shapes.push_back(to_json_schema(*shape, components));
        o["anyOf"] = std::move(shapes);
    }
    if (s.type == Type::array && s.items != nullptr) {
        o["items"] = to_json_schema(*s.items, components);
        if (s.max_items > 0) o["maxItems"] = s.max_items;
        if (s.min_items > 0) o["minItems"] = s.min_items;
    }
    return o;
}

}  // namespace

json::value to_json_schema(const Schema& s, std::map<std::string, json::value>& components, bool expand_top) {
    if (s.name.empty() || expand_top) return expand(s, components);
    const std::string name(s.name);
    if (!components.contains(name)) {
        components[name] = nullptr;  // placed first: a schema that refers to itself stops here
        components[name] = expand(s, components);
    }
    json::object ref{{"$ref", "#/components/schemas/" + name}};
    return ref;
}

}  // namespace gatewatch::api::schema
