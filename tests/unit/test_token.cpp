#include "auth/token.hpp"
#include "util/base64url.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace gatewatch;
using namespace std::chrono_literals;
using auth::TokenStatus;

namespace {
const std::string k_key(32, 'k');
const auto k_now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::int64_t k_now_s = 1'800'000'000;

// Builds a token by hand, as an attacker would: any header, any claims, any digest.
std::string forge(const std::string& header, const std::string& claims, const EVP_MD* digest, const std::string& key) {
    std::string input = util::base64url_encode(header) + "." + util::base64url_encode(claims);
    if (digest == nullptr) return input + ".";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(digest, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(input.data()),
         input.size(), mac, &len);
    return input + "." + util::base64url_encode(std::string(reinterpret_cast<char*>(mac), len));
}
}  // namespace

TEST(Token, IssuedTokenVerifiesWithSubjectAndExpiry) {
    auth::TokenCodec codec(k_key);
    const auto token = codec.issue("alice", 7, 2, k_now_s, 30min);
    const auto verified = codec.verify(token, k_now + 29min);
    EXPECT_EQ(verified.status, TokenStatus::valid);
    EXPECT_EQ(verified.subject, "alice");
    EXPECT_EQ(verified.user_id, 7);
    EXPECT_EQ(verified.generation, 2);
    EXPECT_EQ(verified.issued_at, 1'800'000'000);
    EXPECT_EQ(verified.expires_at, 1'800'000'000 + 1800);
}

TEST(Token, HeaderIsExactlyHs256Jwt) {
    auth::TokenCodec codec(k_key);
    const auto token = codec.issue("alice", 7, 2, k_now_s, 30min);
    EXPECT_EQ(util::base64url_decode(token.substr(0, token.find('.'))), R"({"alg":"HS256","typ":"JWT"})");
}

TEST(Token, ExpiredTokenIsRefused) {  // libjwt 1.10 does not check exp
    auth::TokenCodec codec(k_key);
    const auto token = codec.issue("alice", 7, 2, k_now_s, 30min);
    EXPECT_EQ(codec.verify(token, k_now + 30min).status, TokenStatus::expired);
    EXPECT_EQ(codec.verify(token, k_now + 31min).status, TokenStatus::expired);
}

TEST(Token, Hs384SignedWithTheSameKeyIsRefused) {  // libjwt 1.10 trusts the header's alg
    auth::TokenCodec codec(k_key);
    const auto token = forge(R"({"alg":"HS384","typ":"JWT"})", R"({"sub":"alice","exp":1900000000})", EVP_sha384(), k_key);
    EXPECT_EQ(codec.verify(token, k_now).status, TokenStatus::wrong_algorithm);
}

TEST(Token, AlgNoneIsRefused) {
    auth::TokenCodec codec(k_key);
    for (const char* alg : {"none", "None", "NONE"}) {
        const auto token = forge(std::string(R"({"alg":")") + alg + R"("})", R"({"sub":"alice","exp":1900000000})",
                                 nullptr, k_key);
        EXPECT_NE(codec.verify(token, k_now).status, TokenStatus::valid) << alg;
    }
}

TEST(Token, EmptyKeyIsRejectedAtConstruction) {  // libjwt 1.10 accepts any token with an empty key
    EXPECT_THROW(auth::TokenCodec(""), std::invalid_argument);
}

TEST(Token, OtherKeyIsRefused) {
    auth::TokenCodec ours(k_key);
    auth::TokenCodec theirs(std::string(32, 'x'));
    EXPECT_EQ(ours.verify(theirs.issue("alice", 7, 2, k_now_s, 30min), k_now).status, TokenStatus::bad_signature);
}

TEST(Token, TamperedClaimsAreRefused) {
    auth::TokenCodec codec(k_key);
    auto token = codec.issue("alice", 7, 2, k_now_s, 30min);
    const auto first = token.find('.');
    const auto second = token.find('.', first + 1);
    const auto evil = util::base64url_encode(R"({"sub":"admin","exp":1900000000})");
    token.replace(first + 1, second - first - 1, evil);
    EXPECT_EQ(codec.verify(token, k_now).status, TokenStatus::bad_signature);
}

TEST(Token, MissingClaimsAreMalformed) {
    auth::TokenCodec codec(k_key);
    const std::string header = R"({"alg":"HS256","typ":"JWT"})";
    EXPECT_EQ(codec.verify(forge(header, R"({"sub":"alice"})", EVP_sha256(), k_key), k_now).status,
              TokenStatus::malformed);
    EXPECT_EQ(codec.verify(forge(header, R"({"exp":1900000000})", EVP_sha256(), k_key), k_now).status,
              TokenStatus::malformed);
    EXPECT_EQ(codec.verify(forge(header, R"({"sub":"","exp":1900000000})", EVP_sha256(), k_key), k_now).status,
              TokenStatus::malformed);
    EXPECT_EQ(codec.verify(forge(header, R"({"sub":"alice","exp":"soon"})", EVP_sha256(), k_key), k_now).status,
              TokenStatus::malformed);
    EXPECT_EQ(codec.verify(forge(header, R"([1,2])", EVP_sha256(), k_key), k_now).status, TokenStatus::malformed);
}

TEST(Token, GarbageIsMalformed) {
    auth::TokenCodec codec(k_key);
    for (const char* garbage : {"", ".", "..", "a.b.c", "a.b.c.d", "not a token", "e30.e30.", "%%%.%%%.%%%"}) {
        EXPECT_EQ(codec.verify(garbage, k_now).status, TokenStatus::malformed) << garbage;
    }
}

TEST(Token, HandMadeHs256WithTheKeyIsAccepted) {
    // Another implementation (python-jose, PyJWT) with the same secret and claims.
    auth::TokenCodec codec(k_key);
    const auto token = forge(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"bob","uid":3,"iat":1799999990,"exp":1900000000})",
                             EVP_sha256(), k_key);
    const auto verified = codec.verify(token, k_now);
    EXPECT_EQ(verified.status, TokenStatus::valid);
    EXPECT_EQ(verified.subject, "bob");
    EXPECT_EQ(verified.user_id, 3);
    EXPECT_EQ(verified.issued_at, 1'799'999'990);
    EXPECT_EQ(verified.generation, 0) << "no gen: generation 0";
}

TEST(Token, WithoutAccountIdOrIssueTimeIsMalformed) {
    // The FastAPI app's tokens named only the user: a name can be deleted and
    // registered again by someone else, so such a token is refused.
    auth::TokenCodec codec(k_key);
    const std::string header = R"({"alg":"HS256","typ":"JWT"})";
    for (const char* claims : {R"({"sub":"bob","exp":1900000000})", R"({"sub":"bob","iat":1799999990,"exp":1900000000})",
                               R"({"sub":"bob","uid":3,"exp":1900000000})", R"({"sub":"bob","uid":0,"iat":1,"exp":1900000000})",
                               R"({"sub":"bob","uid":-4,"iat":1,"exp":1900000000})", R"({"sub":"bob","uid":"3","iat":1,"exp":1900000000})",
                               R"({"sub":"bob","uid":3,"iat":1,"gen":-1,"exp":1900000000})", R"({"sub":"bob","uid":3,"iat":1,"gen":"1","exp":1900000000})"}) {
        EXPECT_EQ(codec.verify(forge(header, claims, EVP_sha256(), k_key), k_now).status, TokenStatus::malformed) << claims;
    }
}
