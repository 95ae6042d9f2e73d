#pragma once
// The shape of a JSON value, declared once and used twice: the body readers
// (api/validation.hpp) take a field's presence, length and range from it, and
// the OpenAPI document (api/openapi.hpp) prints it as JSON Schema 2020-12.
//
// Schemas are immutable objects with static storage (api/schemas.cpp), so a
// route row can point at them from a constexpr table; a named schema becomes
// a component ("#/components/schemas/<name>") wherever it is used. Pure data:
// no I/O, no locks.
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatewatch::api::schema {

enum class Type { object, array, string, integer, number, boolean, any };

struct Schema;

struct Property {
    std::string_view name;
    const Schema* schema = nullptr;
    bool required = false;
};

struct Schema {
    Type type = Type::any;
    std::string_view name{};         // a component when set
    std::string_view description{};
    bool nullable = false;           // null is a value too
    // strings: length in characters (code points); max 0 is unbounded
    std::size_t min_length = 0;
    std::size_t max_length = 0;
    std::string_view format{};       // "date-time", "ip", "password", "uri", "email"
    std::string_view pattern{};
    std::vector<std::string_view> enumeration{};
    // integers and numbers
    std::optional<std::int64_t> minimum{};
    std::optional<std::int64_t> maximum{};
    // objects: declared properties, and the value schema of any other key (a map)
    std::vector<Property> properties{};
    const Schema* values = nullptr;
    // arrays
    const Schema* items = nullptr;
    std::size_t max_items = 0;       // 0: unbounded
    std::size_t min_items = 0;
    // one of these shapes (documentation only: a reader takes one shape)
    std::vector<const Schema*> any_of{};

    // The declared property `key`; throws std::logic_error when there is none,
    // so a handler cannot read a field that the document does not show.
    [[nodiscard]] const Property& property(std::string_view key) const;
};

// This schema as JSON Schema: named schemas below the top are `$ref`s; each
// one met is added to `components` (name -> its full schema).
boost::json::value to_json_schema(const Schema& schema, std::map<std::string, boost::json::value>& components,
                                  bool expand_top = false);

}  // namespace gatewatch::api::schema
