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

// Equal without regard to ASCII case.
inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace gatewatch::util
