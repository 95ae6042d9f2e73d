#include "api/csv.hpp"

namespace gatewatch::api {

std::variant<CsvTable, CsvError> parse_csv(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    CsvTable table;
    std::vector<std::string> record;
    std::string field;
    std::size_t line = 1;
    std::size_t record_line = 1;
    bool record_has_content = false;
    std::size_t i = 0;
    const auto end_record = [&] {
        record.push_back(std::move(field));
        field.clear();
        const bool blank = record.size() == 1 && record[0].empty() && !record_has_content;
        if (!blank) {
            table.records.push_back(std::move(record));
            table.lines.push_back(record_line);
        }
        record.clear();
        record_has_content = false;
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"' && field.empty()) {  // only at the start of a field
            // A quoted field: until the closing quote; "" is a quote.
            const std::size_t opened = line;
            ++i;
            for (;;) {
                if (i >= text.size()) return CsvError{opened, "a quoted field is not closed"};
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (text[i] == '\n') ++line;
                field += text[i++];
            }
            record_has_content = true;
            if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                return CsvError{line, "text after a closing quote"};
            continue;
        }
        if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
            record_has_content = true;
            ++i;
            continue;
        }
        if (c == '\r' || c == '\n') {
            end_record();
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            ++i;
            ++line;
            record_line = line;
            continue;
        }
        field += c;
        record_has_content = true;
        ++i;
    }
    if (!field.empty() || !record.empty() || record_has_content) end_record();
    return table;
}

}  // namespace gatewatch::api
