#include "api/read_cache.hpp"

#include <algorithm>

namespace gatewatch::api {
namespace {
constexpr std::size_t k_max_users = 10'000;  // bounds memory if many accounts log in

std::string fold_case(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}
}  // namespace

void ReadCache::retire_if_changed(std::uint64_t version) {
    if (valid_ && version == version_) return;
    // Everything was read at an older version (or a newer one, which is also
    // safe: the next call sees the newer version and retires it).
    version_ = version;
    valid_ = true;
    for (auto& body : bodies_) body.reset();
    users_.clear();
}

std::shared_ptr<const std::string> ReadCache::find_body(Body which, std::uint64_t version) {
    std::lock_guard lock(mutex_);
    retire_if_changed(version);
    return bodies_[static_cast<int>(which)];
}

void ReadCache::keep_body(Body which, std::uint64_t version, std::shared_ptr<const std::string> body) {
    std::lock_guard lock(mutex_);
    if (valid_ && version == version_) bodies_[static_cast<int>(which)] = std::move(body);
}

std::optional<store::User> ReadCache::find_user(const std::string& username) {
    // The version is read before the data, so what we keep is never older than it.
    const auto version = store_.data_version();
    const auto key = fold_case(username);
    {
        std::lock_guard lock(mutex_);
        retire_if_changed(version);
        if (auto it = users_.find(key); it != users_.end()) return it->second;
    }
    auto user = store_.find_user(username);
    std::lock_guard lock(mutex_);
    if (valid_ && version == version_) {
        if (users_.size() >= k_max_users) users_.clear();
        users_.emplace(key, user);
    }
    return user;
}

}  // namespace gatewatch::api
