// The token verifier on arbitrary input: never crashes, and calls valid
// only a token whose third part is exactly the base64url HMAC-SHA256, under
// this key, of the first two (computed here independently with OpenSSL). The
// fuzzer cannot forge HMACs, so any other "valid" is a parsing bug, or a
// malleable signature encoding.
#include "auth/token.hpp"
#include "util/base64url.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using gatewatch::auth::TokenCodec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string key = "fuzzing-secret-key-0123456789abcdef";
    static const TokenCodec codec(key);
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    const auto verified = codec.verify(input, now);
    if (verified.status == gatewatch::auth::TokenStatus::valid) {
        const auto last_dot = input.rfind('.');
        if (last_dot == std::string_view::npos) std::abort();
        const std::string_view signing_input = input.substr(0, last_dot);
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_size = 0;
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
        const auto expected = gatewatch::util::base64url_encode(std::string_view(reinterpret_cast<char*>(mac), mac_size));
        if (input.substr(last_dot + 1) != expected) std::abort();
    }
    return 0;
}
