#include "web/static_site.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace gatewatch::web {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_immutable = "public, max-age=31536000, immutable";
constexpr std::string_view k_revalidate = "no-cache";

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::ostringstream out;
    out << in.rdbuf();
    return std::move(out).str();
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> k_types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".webp", "image/webp"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".wasm", "application/wasm"},
    }};
    for (const auto& [extension, type] : k_types) {
        if (file_name.ends_with(extension)) return type;
    }
    return "application/octet-stream";
}

StaticSite StaticSite::load(const fs::path& folder) {
    if (!fs::is_regular_file(folder / "index.html")) {
        throw std::runtime_error("no index.html in " + folder.string() + " (is the dashboard built?)");
    }
    StaticSite site;
    // Symbolic links are not followed out of the folder: only regular files
    // found by walking it are served, under their path relative to it.
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (!entry.is_regular_file() || entry.is_symlink()) continue;
        const std::string relative = fs::relative(entry.path(), folder).generic_string();
        Asset asset;
        asset.body = read_file(entry.path());
        asset.content_type = std::string(content_type_for(relative));
        asset.is_page = relative.ends_with(".html");
        asset.cache_control = std::string(relative.starts_with("assets/") ? k_immutable : k_revalidate);
        site.assets_.emplace("/" + relative, std::move(asset));
    }
    return site;
}

const Asset* StaticSite::find(std::string_view path) const {
    if (path == "/") path = "/index.html";
    const auto it = assets_.find(std::string(path));
    return it == assets_.end() ? nullptr : &it->second;
}

}  // namespace gatewatch::web
