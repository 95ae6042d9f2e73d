// IP literal parsing (device addresses): never crashes; what it accepts is
// canonical, i.e. parsing its own output gives the same text back.
#include "api/validation.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto canonical = gatewatch::api::canonical_ip(input);
    if (canonical) {
        const auto again = gatewatch::api::canonical_ip(*canonical);
        if (!again || *again != *canonical) std::abort();
    }
    return 0;
}
