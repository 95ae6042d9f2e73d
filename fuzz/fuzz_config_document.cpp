// The configuration document's reader (gatewatch apply, PUT /config): any
// bytes give a document or a ConfigError, never a crash or another exception;
// and a document read back from its own YAML prints the same YAML again.
#include "api/config_document.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace doc = gatewatch::api::config_document;
namespace cfg = gatewatch::service::config;

namespace {
// Small: the fuzzer's inputs are short, and a billion-laughs stays cheap.
constexpr std::size_t k_max_visits = 100'000;

std::optional<cfg::ConfigDocument> read(std::string_view text) {
    try {
        return doc::read(text, nullptr, k_max_visits);
    } catch (const cfg::ConfigError& e) {
        if (e.problems.empty()) std::abort();  // an error names at least one problem
        return std::nullopt;
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto document = read(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!document) return 0;
    const std::string yaml = doc::to_yaml(*document);
    const auto again = read(yaml);
    if (!again) std::abort();                      // what we print, we read
    if (doc::to_yaml(*again) != yaml) std::abort();  // and it says the same
    return 0;
}
