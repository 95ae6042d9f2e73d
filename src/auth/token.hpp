#pragma once
// HS256 JSON Web Tokens: issue and verify, nothing else.
//
// Contract:
//  - The header must be exactly HS256 ("alg":"HS256"; "typ", when present, "JWT").
//    Every other algorithm, "none" and HS384/HS512 included, is refused even if
//    signed with our key: the header is never trusted to choose the algorithm.
//  - The signature is compared in constant time over its base64url text, so a
//    re-encoded signature with other padding bits is refused too.
//  - "sub" (a non-empty string), "uid" (the account's id, a positive integer:
//    ids are never reused, so a deleted and re-created name is another
//    account), "iat" and "exp" (seconds since the epoch, UTC) are required;
//    a token is expired when now >= exp. "gen" (the account's token
//    generation when issued, a non-negative integer) is optional and 0 when
//    absent. Whether the account still accepts it is the caller's to decide
//    (api/authenticator).
//  - The key must be non-empty: the constructor throws on an empty one.
// Thread-safety: a TokenCodec is immutable after construction.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace gatewatch::auth {

enum class TokenStatus { valid, malformed, wrong_algorithm, bad_signature, expired };

struct VerifiedToken {
    TokenStatus status = TokenStatus::malformed;
    // Set when status == valid:
    std::string subject;
    std::int64_t user_id = 0;
    std::int64_t generation = 0;
    std::int64_t issued_at = 0;   // seconds since the epoch
    std::int64_t expires_at = 0;  // seconds since the epoch
};

class TokenCodec {
public:
    explicit TokenCodec(std::string key);

    [[nodiscard]] std::string issue(std::string_view subject, std::int64_t user_id, std::int64_t generation,
                                    std::int64_t issued_at, std::chrono::seconds lifetime) const;

    [[nodiscard]] VerifiedToken verify(std::string_view token,
                                       std::chrono::system_clock::time_point now) const;

private:
    [[nodiscard]] std::string sign(std::string_view signing_input) const;
    std::string key_;
};

}  // namespace gatewatch::auth
