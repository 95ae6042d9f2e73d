#include "auth/password.hpp"

#include <crypt.h>
#include <sodium.h>

#include <memory>
#include <stdexcept>

namespace gatewatch::auth {
namespace {

constexpr unsigned long long k_opslimit = 2;
constexpr size_t k_memlimit = 19u * 1024u * 1024u;

bool verify_bcrypt(std::string_view password, std::string_view stored_hash) {
    // crypt() reads C strings: a password with a NUL byte could only match a
    // shorter one, so it never matches.
    if (password.find('\0') != std::string_view::npos) return false;
    const std::string phrase(password);
    const std::string setting(stored_hash);
    auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the stack
    const char* computed = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
    if (computed == nullptr) return false;
    const std::string_view result(computed);
    return result.size() == stored_hash.size() &&
           sodium_memcmp(result.data(), stored_hash.data(), result.size()) == 0;
}

const std::string& dummy_hash() {
    static const std::string hash = hash_password("gatewatch-dummy-password");
    return hash;
}

}  // namespace

void init_crypto() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

bool is_bcrypt_hash(std::string_view stored_hash) {
    return stored_hash.starts_with("$2a$") || stored_hash.starts_with("$2b$") || stored_hash.starts_with("$2y$");
}

std::string hash_password(std::string_view password) {
    char out[crypto_pwhash_argon2id_STRBYTES];
    if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), k_opslimit, k_memlimit) != 0)
        throw std::runtime_error("argon2id hashing failed (out of memory?)");
    return out;
}

bool verify_password(std::string_view password, std::string_view stored_hash) {
    if (stored_hash.starts_with("$argon2id$")) {
        const std::string hash(stored_hash);  // libsodium wants a NUL-terminated string
        return crypto_pwhash_argon2id_str_verify(hash.c_str(), password.data(), password.size()) == 0;
    }
    if (is_bcrypt_hash(stored_hash)) return verify_bcrypt(password, stored_hash);
    return false;
}

bool needs_rehash(std::string_view stored_hash) {
    if (!stored_hash.starts_with("$argon2id$")) return true;
    const std::string hash(stored_hash);
    return crypto_pwhash_argon2id_str_needs_rehash(hash.c_str(), k_opslimit, k_memlimit) != 0;
}

void spend_verification_time(std::string_view password) {
    (void)verify_password(password, dummy_hash());
}

}  // namespace gatewatch::auth
