#include "http/cors.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <stdexcept>

namespace gatewatch::http {

bool CorsPolicy::allows(std::string_view origin) const {
    return !origin.empty() && std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

std::vector<std::pair<std::string, std::string>> CorsPolicy::response_headers(std::string_view origin) const {
    if (!allows(origin)) return {};
    return {{"Access-Control-Allow-Origin", std::string(origin)}, {"Vary", "Origin"}};
}

std::optional<api::Response> CorsPolicy::preflight(std::string_view method, std::string_view origin,
                                                   std::string_view requested_method) const {
    if (method != "OPTIONS" || requested_method.empty() || !allows(origin)) return std::nullopt;
    api::Response r = api::no_content();
    r.headers = response_headers(origin);
    r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
    r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    r.headers.emplace_back("Access-Control-Max-Age", "600");
    return r;
}

bool CorsPolicy::allows_socket(std::string_view origin, std::string_view host) const {
    if (origin.empty() || allows(origin)) return true;
    // Same origin: the page was served by this very host.
    for (std::string_view scheme : {"http://", "https://"}) {
        if (origin.starts_with(scheme) && origin.substr(scheme.size()) == host) return true;
    }
    return false;
}

std::vector<std::string> parse_origins(std::string_view list) {
    std::vector<std::string> origins;
    for (const std::string_view item : util::split_list(list)) {
        const bool schemed = item.starts_with("http://") || item.starts_with("https://");
        const auto rest = schemed ? item.substr(item.find("://") + 3) : std::string_view();
        if (rest.empty() || rest.find_first_of("/?#* ") != std::string_view::npos) {
            throw std::invalid_argument("not an origin (scheme://host[:port]): " + std::string(item));
        }
        origins.emplace_back(item);
    }
    return origins;
}

}  // namespace gatewatch::http
