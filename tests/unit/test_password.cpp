#include "auth/password.hpp"

#include <crypt.h>
#include <sodium.h>
#include <gtest/gtest.h>

using namespace gatewatch;

namespace {
class Password : public ::testing::Test {
protected:
    static void SetUpTestSuite() { auth::init_crypto(); }
};

// A bcrypt hash as passlib made them for the FastAPI app, with the given prefix.
std::string bcrypt(const std::string& password, const char* prefix) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn(prefix, 4, nullptr, 0, salt, sizeof salt) == nullptr) return {};
    crypt_data data{};
    const char* hash = crypt_rn(password.c_str(), salt, &data, sizeof data);
    return hash == nullptr ? std::string() : std::string(hash);
}
}  // namespace

TEST_F(Password, Argon2idRoundTrip) {
    const auto hash = auth::hash_password("correct horse");
    EXPECT_TRUE(hash.starts_with("$argon2id$"));
    EXPECT_TRUE(auth::verify_password("correct horse", hash));
    EXPECT_FALSE(auth::verify_password("correct horsf", hash));
    EXPECT_FALSE(auth::needs_rehash(hash));
}

TEST_F(Password, SaltMakesEqualPasswordsHashDifferently) {
    EXPECT_NE(auth::hash_password("same password"), auth::hash_password("same password"));
}

TEST_F(Password, BcryptVariantsVerifyAndAskForRehash) {
    for (const char* prefix : {"$2b$", "$2a$", "$2y$"}) {
        const auto hash = bcrypt("legacy-password", prefix);
        ASSERT_TRUE(hash.starts_with(prefix)) << prefix << " -> " << hash;
        EXPECT_TRUE(auth::verify_password("legacy-password", hash)) << prefix;
        EXPECT_FALSE(auth::verify_password("legacy-passwore", hash)) << prefix;
        EXPECT_TRUE(auth::needs_rehash(hash)) << prefix;
    }
}

TEST_F(Password, PasswordWithNulNeverMatchesBcrypt) {
    const auto hash = bcrypt("abc", "$2b$");
    EXPECT_FALSE(auth::verify_password(std::string("abc\0def", 7), hash));
}

TEST_F(Password, UnknownHashFormatsNeverMatch) {
    EXPECT_FALSE(auth::verify_password("x", ""));
    EXPECT_FALSE(auth::verify_password("x", "x"));
    EXPECT_FALSE(auth::verify_password("password", "$1$abc$def"));
    EXPECT_FALSE(auth::verify_password("password", "$argon2id$garbage"));
    EXPECT_FALSE(auth::verify_password("password", "$2b$04$short"));
}

TEST_F(Password, OtherArgon2ParametersAskForRehash) {
    // Hashed with weaker parameters than ours (1 pass, 8 MiB).
    char out[crypto_pwhash_argon2id_STRBYTES];
    ASSERT_EQ(crypto_pwhash_argon2id_str(out, "pw", 2, 1, 8u << 20), 0);
    EXPECT_TRUE(auth::verify_password("pw", out));
    EXPECT_TRUE(auth::needs_rehash(out));
}
