#pragma once
// The token signing secret.
//
// A configured secret is used as given, but must be at least 32 bytes.
// Without one, 32 random bytes are generated at the first start and kept in
// <data_dir>/secret.key (mode 0600), so tokens survive a restart.
// Errors (too short, unreadable file, wrong permissions) throw
// config::ConfigError with a message for the operator. The secret is never logged.
#include <filesystem>
#include <optional>
#include <string>

namespace gatewatch::auth {

inline constexpr size_t k_min_secret_bytes = 32;

std::string load_or_create_secret(const std::filesystem::path& data_dir, const std::optional<std::string>& configured);

}  // namespace gatewatch::auth
