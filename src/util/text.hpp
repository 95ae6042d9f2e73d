#pragma once
// Small text helpers shared by the parsers of settings and headers. Pure.
#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

namespace gatewatch::util {

// Without spaces and tabs at either end.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "a, b,,c " -> {"a", "b", "c"}: trimmed, empty items dropped, in order.
inline std::vector<std::string_view> split_list(std::string_view list, char separator = ',') {
    std::vector<std::string_view> items;
    while (!list.empty()) {
        const auto at = list.find(separator);
        const auto item = trim(list.substr(0, at));
        if (!item.empty()) items.push_back(item);
        if (at == std::string_view::npos) break;
        list.remove_prefix(at + 1);
    }
    return items;
}

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF). Text that is not would make the JSON we answer with invalid.
// Returns the offset of the first byte that breaks it, or npos.
inline std::size_t invalid_utf8_at(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;   // overlong
            if (c == 0xED) high = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;   // overlong
            if (c == 0xF4) high = 0x8F;  // past U+10FFFF
        } else {
            return i;
        }
        if (i + length > s.size()) return i;
        for (std::size_t k = 1; k < length; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (k == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xBF)) return i;
        }
        i += length;
    }
    return std::string_view::npos;
}

// Equal without regard to ASCII case.
// A node name or a location: 1 to 64 letters, digits, '-', '_' or '.' (so
// never "*", which stands for "any location", and never a comma).
inline bool is_node_label(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (const char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace gatewatch::util
