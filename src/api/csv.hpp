#pragma once
// CSV as RFC 4180 writes it (and spreadsheets export it): fields separated by
// commas, records by CRLF or LF, a field in double quotes may hold commas,
// line breaks and "" for a quote. A UTF-8 byte order mark at the start is
// skipped; blank lines are ignored. Pure; no allocation beyond the result.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gatewatch::api {

struct CsvTable {
    std::vector<std::vector<std::string>> records;
    std::vector<std::size_t> lines;  // the line each record starts on (1-based)
};

struct CsvError {
    std::size_t line = 0;
    std::string message;
};

// The records, or where and why the text is not CSV (an unterminated quote,
// text after a closing quote).
std::variant<CsvTable, CsvError> parse_csv(std::string_view text);

}  // namespace gatewatch::api
