#pragma once
// Accounts: the rules above the store, and the events after it.
//
//  - The first account becomes admin, later ones viewer, unless a role is
//    given (decided inside the insert's transaction, so two first
//    registrations at once cannot both become admin).
//  - A password change and "log out everywhere" refuse every token issued
//    until now (the account's token generation moves on); a rehash after
//    login does not, and never overwrites a password changed meanwhile.
// Every committed change publishes AccountChanged, so open status sockets
// check their tokens again and the read cache forgets the account.
// Thread-safe; calls block on the store (and never hash: callers do).
#include "events/event_bus.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace gatewatch::service {

class Accounts {
public:
    Accounts(store::Store& store, events::EventBus& bus) : store_(store), bus_(bus) {}

    // Throws store::UniqueViolation when the name is taken.
    store::User create(const std::string& username, const std::string& password_hash, std::optional<store::Role> role);
    bool remove(const std::string& username);
    // Keeps tokens valid (an imported bcrypt hash upgraded at login); only
    // while the stored hash is still `old_hash`.
    bool rehash(const std::string& username, const std::string& old_hash, const std::string& password_hash);
    // Refuses every token of the account issued so far, and sets a new
    // password hash when given. False: no such account.
    bool revoke_tokens(const std::string& username, const std::optional<std::string>& new_password_hash);

    // Administration by id. Throws store::LastAdmin when no enabled admin
    // would be left; disabling refuses every token of the account at once.
    struct Patch {
        std::optional<store::Role> role;
        std::optional<bool> disabled;
    };
    std::optional<store::User> update(std::int64_t id, const Patch& patch);
    bool remove_by_id(std::int64_t id);

private:
    store::Store& store_;
    events::EventBus& bus_;
};

}  // namespace gatewatch::service
