#include "cli/admin.hpp"

#include "api/validation.hpp"
#include "auth/password.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace gatewatch::cli {
namespace {

// One line from standard input; echo is off while a terminal types it.
std::optional<std::string> read_password() {
    const bool terminal = isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (terminal) {
        std::cerr << "Password: " << std::flush;
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    const bool got = static_cast<bool>(std::getline(std::cin, line));
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << '\n';
    }
    if (!got) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::optional<std::string> read_valid_password() {
    auto password = read_password();
    if (!password) {
        std::cerr << "error: no password on standard input\n";
        return std::nullopt;
    }
    const auto n = api::count_characters(*password);
    if (n < 8 || n > 128) {
        std::cerr << "error: the password must be 8 to 128 characters\n";
        return std::nullopt;
    }
    return password;
}

}  // namespace

int user_add(store::Store& store, const std::string& username, const std::string& role,
             const std::optional<std::string>& password_hash) {
    if (!api::is_valid_username(username)) {
        std::cerr << "error: a username is 3 to 32 of A-Z a-z 0-9 _ . -\n";
        return 1;
    }
    std::string hash;
    if (password_hash) {
        // Importing an account from the FastAPI app: its bcrypt hash is kept
        // and upgraded to argon2id at the first login.
        if (!password_hash->starts_with("$argon2id$") && !auth::is_bcrypt_hash(*password_hash)) {
            std::cerr << "error: --password-hash takes an argon2id or bcrypt ($2a$, $2b$, $2y$) hash\n";
            return 1;
        }
        hash = *password_hash;
    } else {
        const auto password = read_valid_password();
        if (!password) return 1;
        hash = auth::hash_password(*password);
    }
    try {
        const auto chosen = role == "admin" ? store::Role::admin : store::Role::viewer;
        const auto user = store.create_user({username, hash}, [&](bool) { return chosen; });
        std::cout << "created " << user.username << " (" << store::to_string(user.role) << ", id " << user.id << ")\n";
        return 0;
    } catch (const store::UniqueViolation&) {
        std::cerr << "error: username " << username << " is already registered\n";
        return 1;
    }
}

int user_passwd(store::Store& store, const std::string& username) {
    if (!store.find_user(username)) {
        std::cerr << "error: no user " << username << "\n";
        return 1;
    }
    const auto password = read_valid_password();
    if (!password) return 1;
    if (!store.revoke_tokens(username, auth::hash_password(*password))) {
        std::cerr << "error: no user " << username << "\n";
        return 1;
    }
    std::cout << "password of " << username << " changed; its older tokens no longer work\n";
    return 0;
}

int user_list(store::Store& store) {
    for (const auto& user : store.list_users())
        std::cout << user.id << '\t' << user.username << '\t' << store::to_string(user.role) << '\n';
    return 0;
}

int user_delete(store::Store& store, const std::string& username) {
    if (!store.delete_user(username)) {
        std::cerr << "error: no user " << username << "\n";
        return 1;
    }
    std::cout << "deleted " << username << "\n";
    return 0;
}

}  // namespace gatewatch::cli
