#pragma once
// Password hashing.
//
// New hashes are argon2id (libsodium, OWASP's parameters: 2 passes, 19 MiB).
// verify() also accepts bcrypt hashes ($2a$, $2b$, $2y$) through libcrypt, for
// accounts imported from the FastAPI application; needs_rehash() then says the
// caller should store a fresh argon2id hash after the next successful login.
//
// Every function here is CPU- and memory-heavy and blocks: call them off the
// I/O threads. All are thread-safe. Call sodium_init() (init_crypto) first.
#include <string>
#include <string_view>

namespace gatewatch::auth {

// Initialises libsodium; throws when it cannot. Safe to call more than once.
void init_crypto();

std::string hash_password(std::string_view password);

// True when `password` matches `stored_hash` (argon2id or bcrypt).
// Unknown hash formats never match.
bool verify_password(std::string_view password, std::string_view stored_hash);

// True for a bcrypt hash, or an argon2id hash made with other parameters.
bool needs_rehash(std::string_view stored_hash);

// Spends the time of one verification, for logins naming an unknown user, so
// that an unknown user and a wrong password cost the same.
void spend_verification_time(std::string_view password);

bool is_bcrypt_hash(std::string_view stored_hash);

}  // namespace gatewatch::auth
