// The CSV reader of POST /devices/bulk: any bytes give records or an error,
// never a crash, and every record's line is within the text.
#include "api/csv.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = gatewatch::api::parse_csv(text);
    if (const auto* table = std::get_if<gatewatch::api::CsvTable>(&parsed)) {
        if (table->records.size() != table->lines.size()) std::abort();
        std::size_t bytes = 0;
        for (const auto& record : table->records)
            for (const auto& field : record) bytes += field.size();
        if (bytes > size) std::abort();  // a field holds only bytes of the text
    }
    return 0;
}
