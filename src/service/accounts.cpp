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

}  // namespace gatewatch::service
