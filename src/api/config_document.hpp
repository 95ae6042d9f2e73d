#pragma once
// The configuration document's text (service/config_as_code.hpp): YAML in
// and out through yaml-cpp, JSON out (JSON in is read as the YAML it is).
//
// read() checks every field with the API's own rules (lengths, IP literals,
// URLs, e-mail addresses, RFC 3339 times) and refuses what would pass
// silently elsewhere: unknown fields (a typo), a key twice in one mapping,
// more than one document, a quoted number or boolean. Every problem found
// (up to 100) comes back in one ConfigError, each with its line and column.
// `${NAME}` as the whole value of a notifier's `url` or `secret` is read from
// `environment`; an unset NAME leaves the value to keep (Credential).
//
// Hostile input is bounded: the text's size is the caller's to cap (the
// HTTP body limit, the command line's file limit); nesting deeper than
// yaml-cpp's guard is refused; an alias shares its anchor's node instead of
// copying it, and the reader stops after `max_visits` nodes, so a "billion
// laughs" document costs at most that many steps. Pure; no I/O.
#include "service/config_as_code.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gatewatch::api::config_document {

using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// About 18 nodes a device: 100,000 devices fit several times over.
constexpr std::size_t k_default_max_visits = 8'000'000;

service::config::ConfigDocument read(std::string_view text, const Environment& environment,
                                     std::size_t max_visits = k_default_max_visits);

// The document as YAML, with a header comment; `${NAME}` for credentials without a value.
std::string to_yaml(const service::config::ConfigDocument& document);
boost::json::value to_json(const service::config::ConfigDocument& document);

// "line 3, column 7: devices[2].ip: value is not a valid IPv4 or IPv6 address"
std::string to_text(const service::config::Problem& problem);

}  // namespace gatewatch::api::config_document
