#include "api/validation.hpp"

#include <boost/url/parse.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

namespace gatewatch::api {
namespace json = boost::json;

std::optional<std::string> canonical_ip(std::string_view text) {
    if (text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    const std::string input(text);  // inet_pton wants a NUL-terminated string
    if (input.find('\0') != std::string::npos) return std::nullopt;
    unsigned char bytes[sizeof(in6_addr)];
    char out[INET6_ADDRSTRLEN];
    for (int family : {AF_INET, AF_INET6}) {
        if (inet_pton(family, input.c_str(), bytes) == 1 && inet_ntop(family, bytes, out, sizeof out) != nullptr)
            return std::string(out);  // glibc's inet_ntop writes RFC 5952 form
    }
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> url_problem(std::string_view url) {
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return std::pair{std::string("url_parsing"), std::string("Input should be a valid URL")};
    if (parsed->scheme() != "http" && parsed->scheme() != "https")
        return std::pair{std::string("url_scheme"), std::string("URL scheme should be 'http' or 'https'")};
    if (parsed->encoded_host().empty() || parsed->encoded_host().find('%') != boost::urls::pct_string_view::npos)
        return std::pair{std::string("url_parsing"), std::string("Input should be a valid URL, empty or invalid host")};
    const std::string_view port = parsed->port();
    if (parsed->has_port() && (port.empty() || port.size() > 5 || std::stoul(std::string(port)) - 1 > 65534))
        return std::pair{std::string("url_parsing"), std::string("Input should be a valid URL, invalid port number")};
    return std::nullopt;
}

bool is_email_address(std::string_view a) {
    const auto at = a.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.size() > 254) return false;
    constexpr std::string_view forbidden = "<>,;\"()\\";
    for (const unsigned char c : a)
        if (c <= 0x20 || c == 0x7f || forbidden.find(static_cast<char>(c)) != std::string_view::npos) return false;
    return a.find('@') == at && a.substr(at + 1).find('.') != std::string_view::npos;
}

bool is_valid_username(std::string_view username) {
    if (username.size() < 3 || username.size() > 32) return false;
    return std::all_of(username.begin(), username.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

std::size_t count_characters(std::string_view utf8) {
    return static_cast<std::size_t>(
        std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::optional<std::int64_t> parse_positive_id(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
    return value;
}

void ValidationErrors::add(json::array loc, std::string_view type, std::string_view msg) {
    errors_.push_back(json::object{{"type", type}, {"loc", std::move(loc)}, {"msg", msg}});
}

Response ValidationErrors::response() const { return json_response(422, json::object{{"detail", errors_}}); }

namespace {

json::array with(json::array loc, std::string_view key) {
    loc.emplace_back(key);
    return loc;
}

std::string plural(std::size_t n, std::string_view word) {
    return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

std::optional<std::string> read_text(const json::value& v, json::array loc, std::size_t min_chars,
                                     std::size_t max_chars, ValidationErrors& errors) {
    if (!v.is_string()) {
        errors.add(std::move(loc), "string_type", "Input should be a valid string");
        return std::nullopt;
    }
    const std::string_view s = v.as_string();
    const std::size_t n = count_characters(s);
    if (n < min_chars) {
        errors.add(std::move(loc), "string_too_short", "String should have at least " + plural(min_chars, "character"));
        return std::nullopt;
    }
    if (n > max_chars) {
        errors.add(std::move(loc), "string_too_long", "String should have at most " + plural(max_chars, "character"));
        return std::nullopt;
    }
    return std::string(s);
}

// Lax like pydantic: integral floats and numeric strings are integers too.
std::optional<std::int64_t> read_integer(const json::value& v, json::array loc, ValidationErrors& errors) {
    if (v.is_int64()) return v.as_int64();
    if (v.is_double()) {
        const double d = v.as_double();
        if (std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18) return static_cast<std::int64_t>(d);
        errors.add(std::move(loc), "int_from_float", "Input should be a valid integer, got a number with a fractional part");
        return std::nullopt;
    }
    if (v.is_string()) {
        const std::string_view s = v.as_string();
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return value;
        errors.add(std::move(loc), "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
        return std::nullopt;
    }
    if (v.is_uint64()) {
        errors.add(std::move(loc), "int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size");
        return std::nullopt;
    }
    errors.add(std::move(loc), "int_type", "Input should be a valid integer");
    return std::nullopt;
}

// Lax like pydantic: 0/1 and the usual words are booleans too.
std::optional<bool> parse_query_bool(std::string_view text) {
    std::string s(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static constexpr std::array truthy{"1", "on", "t", "true", "y", "yes"};
    static constexpr std::array falsy{"0", "off", "f", "false", "n", "no"};
    if (std::find(truthy.begin(), truthy.end(), s) != truthy.end()) return true;
    if (std::find(falsy.begin(), falsy.end(), s) != falsy.end()) return false;
    return std::nullopt;
}

std::optional<bool> read_boolean(const json::value& v, json::array loc, ValidationErrors& errors) {
    if (v.is_bool()) return v.as_bool();
    if (v.is_int64() && (v.as_int64() == 0 || v.as_int64() == 1)) return v.as_int64() == 1;
    if (v.is_string()) {
        if (auto parsed = parse_query_bool(v.as_string())) return parsed;
        errors.add(std::move(loc), "bool_parsing", "Input should be a valid boolean, unable to interpret input");
        return std::nullopt;
    }
    errors.add(std::move(loc), "bool_type", "Input should be a valid boolean");
    return std::nullopt;
}

std::optional<std::int64_t> read_positive_id(std::string_view text, json::array loc, ValidationErrors& errors) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    const bool whole = end == text.data() + text.size() && !text.empty();
    if (whole && ec == std::errc() && value > 0) return value;
    if (whole && ec == std::errc())
        errors.add(std::move(loc), "greater_than", "Input should be greater than 0");
    else if (whole && ec == std::errc::result_out_of_range)
        errors.add(std::move(loc), "int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size");
    else
        errors.add(std::move(loc), "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
    return std::nullopt;
}

std::optional<std::string> read_text(const json::value& v, json::array loc, const schema::Schema& schema,
                                     ValidationErrors& errors) {
    if (!schema.enumeration.empty()) return read_choice(v, std::move(loc), schema, errors);
    return read_text(v, std::move(loc), schema.min_length,
                     schema.max_length > 0 ? schema.max_length : std::numeric_limits<std::size_t>::max(), errors);
}

std::optional<std::int64_t> read_integer(const json::value& v, json::array loc, const schema::Schema& schema,
                                         ValidationErrors& errors) {
    const auto n = read_integer(v, loc, errors);
    if (!n) return n;
    if (schema.minimum && *n < *schema.minimum) {
        errors.add(std::move(loc), "greater_than_equal",
                   "Input should be greater than or equal to " + std::to_string(*schema.minimum));
        return std::nullopt;
    }
    if (schema.maximum && *n > *schema.maximum) {
        errors.add(std::move(loc), "less_than_equal",
                   "Input should be less than or equal to " + std::to_string(*schema.maximum));
        return std::nullopt;
    }
    return n;
}

std::optional<std::string> read_choice(const json::value& v, json::array loc, const schema::Schema& schema,
                                       ValidationErrors& errors) {
    const auto& choices = schema.enumeration;
    if (v.is_string() && std::find(choices.begin(), choices.end(), std::string_view(v.as_string())) != choices.end())
        return std::string(v.as_string());
    std::string msg = "Input should be ";
    for (std::size_t i = 0; i < choices.size(); ++i)
        msg += (i == 0 ? "'" : i + 1 == choices.size() ? " or '" : ", '") + std::string(choices[i]) + "'";
    errors.add(std::move(loc), "literal_error", msg);
    return std::nullopt;
}

JsonBody::JsonBody(std::string_view body, const schema::Schema& schema, ValidationErrors& errors)
    : schema_(schema), errors_(errors) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        errors_.add(json::array{"body"}, "missing", "Field required");
        return;
    }
    json::parser parser;
    boost::system::error_code ec;
    // write() insists on one complete JSON text: trailing data or a cut-off text is an error.
    const std::size_t consumed = parser.write(body.data(), body.size(), ec);
    if (ec) {
        errors_.add(json::array{"body", consumed}, "json_invalid", "JSON decode error");
        return;
    }
    root_ = parser.release();
    if (!root_.is_object()) {
        errors_.add(json::array{"body"}, "model_attributes_type",
                    "Input should be a valid dictionary or object to extract fields from");
        return;
    }
    object_ = &root_.as_object();
}

JsonBody::JsonBody(const json::value& value, json::array prefix, const schema::Schema& schema,
                   ValidationErrors& errors)
    : prefix_(std::move(prefix)), schema_(schema), errors_(errors) {
    if (!value.is_object()) {
        errors_.add(prefix_, "model_attributes_type", "Input should be a valid dictionary or object to extract fields from");
        return;
    }
    object_ = &value.as_object();
}

json::array JsonBody::loc(std::initializer_list<std::string_view> keys) const {
    json::array out = prefix_;
    for (const auto key : keys) out.emplace_back(key);
    return out;
}

const schema::Schema& JsonBody::field(std::string_view key) const { return *schema_.property(key).schema; }

bool JsonBody::has(std::string_view key) const { return raw(key) != nullptr; }

bool JsonBody::is_null(std::string_view key) const {
    const auto* v = raw(key);
    return v != nullptr && v->is_null();
}

const json::value* JsonBody::raw(std::string_view key) const {
    (void)schema_.property(key);  // declared, or a logic_error
    return object_ == nullptr ? nullptr : object_->if_contains(key);
}

const json::value* JsonBody::present(std::string_view key) {
    const auto* v = raw(key);
    if (v == nullptr && schema_.property(key).required && object_ != nullptr)
        errors_.add(with(prefix_, key), "missing", "Field required");
    return v;
}

std::optional<std::string> JsonBody::text(std::string_view key) {
    const auto* v = present(key);
    return v == nullptr ? std::nullopt : read_text(*v, with(prefix_, key), field(key), errors_);
}

std::optional<std::int64_t> JsonBody::integer(std::string_view key) {
    const auto* v = present(key);
    return v == nullptr ? std::nullopt : read_integer(*v, with(prefix_, key), field(key), errors_);
}

std::optional<bool> JsonBody::boolean(std::string_view key) {
    const auto* v = present(key);
    return v == nullptr ? std::nullopt : read_boolean(*v, with(prefix_, key), errors_);
}

std::optional<std::string> JsonBody::choice(std::string_view key) {
    const auto* v = present(key);
    return v == nullptr ? std::nullopt : read_choice(*v, with(prefix_, key), field(key), errors_);
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM); 't' and 'z' as RFC 3339 allows.
    std::size_t pos = 0;
    const auto digits = [&](std::size_t n, int& out) {
        if (pos + n > text.size()) return false;
        out = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const char c = text[pos + i];
            if (c < '0' || c > '9') return false;
            out = out * 10 + (c - '0');
        }
        pos += n;
        return true;
    };
    const auto expect = [&](std::string_view any_of) {
        if (pos >= text.size() || any_of.find(text[pos]) == std::string_view::npos) return false;
        ++pos;
        return true;
    };
    int year, month, day, hour, minute, second;
    if (!digits(4, year) || !expect("-") || !digits(2, month) || !expect("-") || !digits(2, day) ||
        !expect("Tt ") || !digits(2, hour) || !expect(":") || !digits(2, minute) || !expect(":") ||
        !digits(2, second))
        return std::nullopt;
    std::int64_t millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int scale = 100;
        const std::size_t first = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == first) return std::nullopt;
    }
    int offset_minutes = 0;
    if (expect("Zz")) {
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const int sign = text[pos++] == '-' ? -1 : 1;
        int oh, om;
        if (!digits(2, oh) || !expect(":") || !digits(2, om) || oh > 23 || om > 59) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: a leap second
    const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
    const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    return seconds * 1000 + millis;
}

}  // namespace gatewatch::api
