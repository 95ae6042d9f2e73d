#include "api/read_cache.hpp"

#include "util/overloaded.hpp"

#include <algorithm>

namespace gatewatch::api {
namespace {
constexpr std::size_t k_max_users = 10'000;  // bounds memory if many accounts log in

std::string fold_case(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

constexpr std::size_t index(ReadCache::Body b) { return static_cast<std::size_t>(b); }

using util::Overloaded;
}  // namespace

void ReadCache::forget_bodies(bool rooms, bool devices) {
    for (auto [which, stale] : {std::pair{Body::rooms, rooms}, std::pair{Body::devices, devices}}) {
        if (!stale) continue;
        bodies_[index(which)].reset();
        ++body_generations_[index(which)];
    }
}

void ReadCache::apply(const events::Event& event) {
    std::lock_guard lock(mutex_);
    std::visit(Overloaded{
                   [&](const events::DeviceAdded&) { forget_bodies(false, true); },
                   [&](const events::DeviceUpdated&) { forget_bodies(false, true); },
                   [&](const events::DeviceRemoved&) { forget_bodies(false, true); },
                   [&](const events::RoomChanged&) { forget_bodies(true, false); },
                   [&](const events::AccountChanged& e) {
                       users_.erase(fold_case(e.username));
                       ++users_generation_;
                   },
                   [&](const events::Reload&) {
                       forget_bodies(true, true);
                       users_.clear();
                       ++users_generation_;
                   },
                   [](const auto&) {},  // rounds and status changes touch nothing here
               },
               event);
}

ReadCache::Found ReadCache::find_body(Body which) {
    std::lock_guard lock(mutex_);
    return {bodies_[index(which)], body_generations_[index(which)]};
}

void ReadCache::keep_body(Body which, std::uint64_t generation, std::shared_ptr<const std::string> body) {
    std::lock_guard lock(mutex_);
    if (body_generations_[index(which)] == generation) bodies_[index(which)] = std::move(body);
}

std::optional<store::User> ReadCache::find_user(const std::string& username) {
    const auto key = fold_case(username);
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        if (auto it = users_.find(key); it != users_.end()) return it->second;
        generation = users_generation_;
    }
    auto user = store_.find_user(username);
    std::lock_guard lock(mutex_);
    if (generation == users_generation_) {
        if (users_.size() >= k_max_users) users_.clear();
        users_.emplace(key, user);
    }
    return user;
}

}  // namespace gatewatch::api
