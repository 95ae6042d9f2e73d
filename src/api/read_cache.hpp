#pragma once
// Memoized answers to the hottest reads: the bodies of GET /rooms/ and
// GET /devices/, and the account behind a token, kept for as long as the
// store's data_version() stays the same. Any committed write, by this process
// or another (the admin command line), changes the version and so retires
// every entry at once: nothing stale is ever served.
// Thread-safe; rendering happens outside the lock.
#include "store/store.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gatewatch::api {

class ReadCache {
public:
    enum class Body { rooms, devices };

    explicit ReadCache(store::Store& store) : store_(store) {}

    // The body for `which`, rendered by render() when not cached.
    template <typename Render>
    std::shared_ptr<const std::string> body(Body which, Render&& render) {
        const auto version = store_.data_version();
        if (auto cached = find_body(which, version)) return cached;
        auto fresh = std::make_shared<const std::string>(render());
        keep_body(which, version, fresh);
        return fresh;
    }

    // store.find_user(username), memoized.
    std::optional<store::User> find_user(const std::string& username);

private:
    std::shared_ptr<const std::string> find_body(Body which, std::uint64_t version);
    void keep_body(Body which, std::uint64_t version, std::shared_ptr<const std::string> body);
    void retire_if_changed(std::uint64_t version);  // with mutex_ held

    store::Store& store_;
    std::mutex mutex_;
    std::uint64_t version_ = 0;
    bool valid_ = false;
    std::shared_ptr<const std::string> bodies_[2];
    std::unordered_map<std::string, std::optional<store::User>> users_;  // by lower-case name
};

}  // namespace gatewatch::api
