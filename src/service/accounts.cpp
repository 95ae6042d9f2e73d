#include "service/accounts.hpp"

namespace gatewatch::service {

store::User Accounts::create(const std::string& username, const std::string& password_hash,
                             std::optional<store::Role> role) {
    auto user = store_.create_user({username, password_hash}, [&](bool first) {
        if (role) return *role;
        return first ? store::Role::admin : store::Role::viewer;
    });
    bus_.publish(events::AccountChanged{user.username});
    return user;
}

bool Accounts::remove(const std::string& username) {
    if (!store_.delete_user(username)) return false;
    bus_.publish(events::AccountChanged{username});
    return true;
}

bool Accounts::rehash(const std::string& username, const std::string& old_hash, const std::string& password_hash) {
    if (!store_.set_password_hash(username, old_hash, password_hash)) return false;
    bus_.publish(events::AccountChanged{username});
    return true;
}

bool Accounts::revoke_tokens(const std::string& username, const std::optional<std::string>& new_password_hash) {
    if (!store_.revoke_tokens(username, new_password_hash)) return false;
    bus_.publish(events::AccountChanged{username});
    return true;
}

std::optional<store::User> Accounts::update(std::int64_t id, const Patch& patch) {
    auto user = store_.update_user(id, [&](store::User& u) {
        if (patch.role) u.role = *patch.role;
        if (patch.disabled) u.disabled = *patch.disabled;
    });
    if (user) bus_.publish(events::AccountChanged{user->username});
    return user;
}

bool Accounts::remove_by_id(std::int64_t id) {
    const auto user = store_.delete_user_by_id(id);
    if (!user) return false;
    bus_.publish(events::AccountChanged{user->username});
    return true;
}

}  // namespace gatewatch::service
