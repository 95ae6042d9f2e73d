#pragma once
// HMAC-SHA256 (OpenSSL): the tokens' signature and the webhooks'. Pure.
#include <string>
#include <string_view>

namespace gatewatch::util {

// The 32 raw bytes of HMAC-SHA256(key, message). Throws std::runtime_error if OpenSSL fails.
std::string hmac_sha256(std::string_view key, std::string_view message);

// Lower-case hexadecimal of `bytes`.
std::string to_hex(std::string_view bytes);

}  // namespace gatewatch::util
