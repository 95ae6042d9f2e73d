#pragma once
// The admin commands: `gatewatch user add|passwd|list|delete`.
//
// They open the same database as the server and are safe while it runs
// (SQLite WAL; writes wait on the busy timeout). Passwords are read from
// standard input (one line; no echo on a terminal), never from arguments,
// which other users can see in the process list.
// Each returns the process exit code: 0 done, 1 refused (with a message on
// stderr), and prints results on stdout.
#include "store/store.hpp"

#include <optional>
#include <string>

namespace gatewatch::cli {

int user_add(store::Store& store, const std::string& username, const std::string& role,
             const std::optional<std::string>& password_hash);
int user_passwd(store::Store& store, const std::string& username);
int user_list(store::Store& store);
int user_delete(store::Store& store, const std::string& username);

}  // namespace gatewatch::cli
