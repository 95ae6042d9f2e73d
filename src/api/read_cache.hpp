#pragma once
// Memoized answers to the hottest reads: the bodies of GET /rooms/ and
// GET /devices/, and the account behind a token. Entries are kept until an
// event says they changed (apply(), subscribed inline to the event bus, so a
// write is forgotten before its 201 is sent); writes by another process
// reach it through the change feed within a fraction of a second.
// A read takes one short mutex hold and no database query when cached.
// Thread-safe; rendering happens outside the lock, and what was rendered
// while a change came in is not kept.
#include "events/events.hpp"
#include "store/store.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gatewatch::api {

class ReadCache {
public:
    enum class Body { rooms, devices };

    explicit ReadCache(store::Store& store) : store_(store) {}

    // Forgets what `event` makes stale.
    void apply(const events::Event& event);

    // The body for `which`, rendered by render() when not cached.
    template <typename Render>
    std::shared_ptr<const std::string> body(Body which, Render&& render) {
        const auto generation = find_body(which);
        if (generation.body) return generation.body;
        auto fresh = std::make_shared<const std::string>(render());
        keep_body(which, generation.number, fresh);
        return fresh;
    }

    // store.find_user(username), memoized.
    std::optional<store::User> find_user(const std::string& username);

private:
    struct Found {
        std::shared_ptr<const std::string> body;
        std::uint64_t number = 0;  // the generation it was looked up at
    };
    Found find_body(Body which);
    void keep_body(Body which, std::uint64_t generation, std::shared_ptr<const std::string> body);
    void forget_bodies(bool rooms, bool devices);  // with mutex_ held

    store::Store& store_;
    std::mutex mutex_;
    std::array<std::shared_ptr<const std::string>, 2> bodies_;
    std::array<std::uint64_t, 2> body_generations_{};
    std::unordered_map<std::string, std::optional<store::User>> users_;  // by lower-case name
    std::uint64_t users_generation_ = 0;
};

}  // namespace gatewatch::api
