#pragma once
// Input validation with FastAPI's error shape.
//
// Each problem becomes one entry of a 422 body
//   {"detail": [{"type": ..., "loc": ["body", "ip"], "msg": ...}, ...]}
// with pydantic's type names and messages, so a front end written for the
// FastAPI backend shows the same errors. Readers collect every problem of a
// body before answering, as pydantic does. Pure functions: no I/O, no locks.
#include "api/http_types.hpp"
#include "api/schema.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gatewatch::api {

// The canonical text of an IPv4 or IPv6 literal (RFC 5952 for IPv6), or
// nullopt for anything inet_pton refuses (zone ids, leading zeros, spaces...).
std::optional<std::string> canonical_ip(std::string_view text);

// Why `url` is not an absolute http(s) URL with a host and a valid port, as
// pydantic names it ({"url_parsing" or "url_scheme", message}); nullopt when it is.
std::optional<std::pair<std::string, std::string>> url_problem(std::string_view url);

// An e-mail address as the notifiers take one: local@domain.tld, at most 254
// bytes, nothing that would break a header (spaces, controls, <>,;"()\).
bool is_email_address(std::string_view address);

// 3 to 32 of A-Z a-z 0-9 _ . -
bool is_valid_username(std::string_view username);

// Unicode code points in UTF-8 text (what Python's len() counts).
std::size_t count_characters(std::string_view utf8);

// A positive 64-bit integer in decimal (a path or query id), or nullopt.
std::optional<std::int64_t> parse_positive_id(std::string_view text);

class ValidationErrors {
public:
    void add(boost::json::array loc, std::string_view type, std::string_view msg);
    [[nodiscard]] bool empty() const { return errors_.empty(); }
    [[nodiscard]] Response response() const;

private:
    boost::json::array errors_;
};

// The fields of a JSON object body, read by the rules of its schema (the
// route's declared request, api/schemas.hpp): whether a field is required,
// its length, range and choices. Construction records json_invalid,
// model_attributes_type (not an object) or missing (empty body). Unknown
// fields are ignored, as FastAPI does; reading a field the schema does not
// declare throws std::logic_error (the document would not show it).
class JsonBody {
public:
    JsonBody(std::string_view body, const schema::Schema& schema, ValidationErrors& errors);
    // One object inside a larger body (a row of a bulk request): its errors'
    // locations start with `prefix`, e.g. ["body", "devices", 3]. `value` must outlive this.
    JsonBody(const boost::json::value& value, boost::json::array prefix, const schema::Schema& schema,
             ValidationErrors& errors);

    // The location of a field of this object: prefix + keys.
    [[nodiscard]] boost::json::array loc(std::initializer_list<std::string_view> keys) const;
    [[nodiscard]] ValidationErrors& errors() const { return errors_; }
    // The declared schema of field `key`.
    [[nodiscard]] const schema::Schema& field(std::string_view key) const;

    [[nodiscard]] bool is_object() const { return object_ != nullptr; }
    [[nodiscard]] bool has(std::string_view key) const;
    [[nodiscard]] bool is_null(std::string_view key) const;

    // Each returns the value when present and valid; records an error when it
    // is invalid, or when it is missing and required.
    std::optional<std::string> text(std::string_view key);
    std::optional<std::int64_t> integer(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::string> choice(std::string_view key);  // one of the schema's enumeration
    [[nodiscard]] const boost::json::value* raw(std::string_view key) const;

private:
    // The value of `key`, or nullptr after recording `missing` when the schema requires it.
    const boost::json::value* present(std::string_view key);

    boost::json::value root_;
    boost::json::array prefix_{"body"};
    const schema::Schema& schema_;
    const boost::json::object* object_ = nullptr;
    ValidationErrors& errors_;
};

// Readers of single JSON values, shared by JsonBody and nested objects.
std::optional<std::string> read_text(const boost::json::value& v, boost::json::array loc, std::size_t min_chars,
                                     std::size_t max_chars, ValidationErrors& errors);
std::optional<std::int64_t> read_integer(const boost::json::value& v, boost::json::array loc,
                                         ValidationErrors& errors);
// The same, by a schema's rules (length; range; choices).
std::optional<std::string> read_text(const boost::json::value& v, boost::json::array loc,
                                     const schema::Schema& schema, ValidationErrors& errors);
std::optional<std::int64_t> read_integer(const boost::json::value& v, boost::json::array loc,
                                         const schema::Schema& schema, ValidationErrors& errors);
std::optional<std::string> read_choice(const boost::json::value& v, boost::json::array loc,
                                       const schema::Schema& schema, ValidationErrors& errors);
std::optional<bool> read_boolean(const boost::json::value& v, boost::json::array loc, ValidationErrors& errors);
// A positive id from text (path or query); records int_parsing, int_parsing_size or greater_than.
std::optional<std::int64_t> read_positive_id(std::string_view text, boost::json::array loc, ValidationErrors& errors);

// Field `key` of `body` as a JSON array of at most its schema's max_items
// (and at least min_items), each item read by `item(value, loc, items'
// schema)`; nullopt when absent or when any item is invalid (each recorded).
template <typename T, typename ReadItem>
std::optional<std::vector<T>> read_list(JsonBody& body, std::string_view key, ReadItem&& item) {
    ValidationErrors& errors = body.errors();
    const boost::json::value* raw = body.raw(key);
    const schema::Schema& list_schema = body.field(key);
    if (raw == nullptr) return std::nullopt;
    if (!raw->is_array()) {
        errors.add(body.loc({key}), "list_type", "Input should be a valid list");
        return std::nullopt;
    }
    const auto& array = raw->as_array();
    if (list_schema.max_items != 0 && array.size() > list_schema.max_items) {
        errors.add(body.loc({key}), "too_long",
                   "List should have at most " + std::to_string(list_schema.max_items) + " items after validation, not " +
                       std::to_string(array.size()));
        return std::nullopt;
    }
    if (array.size() < list_schema.min_items) {
        errors.add(body.loc({key}), "too_short",
                   "List should have at least " + std::to_string(list_schema.min_items) + " item after validation, not " +
                       std::to_string(array.size()));
        return std::nullopt;
    }
    std::vector<T> out;
    bool ok = true;
    for (std::size_t i = 0; i < array.size(); ++i) {
        auto loc = body.loc({key});
        loc.push_back(static_cast<std::int64_t>(i));
        if (auto value = item(array[i], std::move(loc), *list_schema.items))
            out.push_back(std::move(*value));
        else
            ok = false;
    }
    if (!ok) return std::nullopt;
    return out;
}

// An RFC 3339 date-time ("2026-11-25T04:00:00Z", "...T04:00:00.5+01:00"),
// as milliseconds since the epoch; nullopt for anything else.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

// A boolean written as text, as pydantic reads one (true/t/yes/y/on/1, false/f/no/n/off/0,
// any case); nullopt otherwise. Query parameters and JSON strings both use it.
std::optional<bool> parse_query_bool(std::string_view text);

}  // namespace gatewatch::api
