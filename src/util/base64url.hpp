#pragma once
// Base64url without padding (RFC 4648 §5), as JSON Web Tokens use it.
// decode returns nullopt on any character outside the alphabet or on padding.
#include <optional>
#include <string>
#include <string_view>

namespace gatewatch::util {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace gatewatch::util
