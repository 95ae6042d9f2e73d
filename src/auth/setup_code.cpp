#include "auth/setup_code.hpp"

#include <sodium.h>

#include <cctype>

namespace gatewatch::auth {
namespace {
constexpr std::string_view k_alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no I, O, 0, 1
constexpr std::size_t k_letters = 16;

std::string normalized(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (c == '-' || c == ' ') continue;
        out.push_back(static_cast<char>(std::toupper(c)));
        if (out.size() > k_letters) break;  // too long to match; no need to read on
    }
    return out;
}
}  // namespace

SetupCode::SetupCode() {
    static_assert(k_alphabet.size() == 32);
    for (std::size_t i = 0; i < k_letters; ++i) {
        if (i > 0 && i % 4 == 0) text_.push_back('-');
        text_.push_back(k_alphabet[randombytes_uniform(32)]);
    }
}

bool SetupCode::matches(std::string_view given) const {
    const std::string expected = normalized(text_);
    const std::string candidate = normalized(given);
    return candidate.size() == expected.size() &&
           sodium_memcmp(candidate.data(), expected.data(), expected.size()) == 0;
}

}  // namespace gatewatch::auth
