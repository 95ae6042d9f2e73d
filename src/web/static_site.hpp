#pragma once
// The dashboard's built files (web/ after `vite build`), served at "/".
//
// load() reads the whole folder into memory once, at start: requests never
// touch the filesystem, so no path a client sends can reach outside it.
// find() answers only for files that were there: "/" is index.html, and a
// path that is not a file is not found (the dashboard routes by the URL's
// hash, so no fallback is needed and no client route can shadow an API path;
// the router asks here only for paths that no API route claims).
// Caching: Vite's hashed files under /assets/ are immutable for a year;
// everything else, index.html above all, is revalidated on every load.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gatewatch::web {

struct Asset {
    std::string body;
    std::string content_type;
    std::string cache_control;
    bool is_page = false;  // HTML: gets the dashboard's Content-Security-Policy
};

class StaticSite {
public:
    StaticSite() = default;  // empty: serves nothing

    // Throws std::runtime_error when `folder` has no index.html or cannot be read.
    static StaticSite load(const std::filesystem::path& folder);

    // `path` as requested, without the query (e.g. "/", "/assets/index-3f2a.js").
    [[nodiscard]] const Asset* find(std::string_view path) const;
    [[nodiscard]] std::size_t size() const { return assets_.size(); }
    [[nodiscard]] bool empty() const { return assets_.empty(); }

private:
    std::unordered_map<std::string, Asset> assets_;  // keyed by URL path
};

// The Content-Security-Policy of the dashboard's pages: only the page's own
// scripts, styles and connections (the WebSocket included); nothing inline.
inline constexpr std::string_view k_page_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The MIME type for a file name, by extension; application/octet-stream when unknown.
std::string_view content_type_for(std::string_view file_name);

}  // namespace gatewatch::web
