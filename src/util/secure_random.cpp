#include "util/secure_random.hpp"

#include <sodium.h>

#include <cstring>

namespace gatewatch::util {

SecureRandom::SecureRandom() { randombytes_buf(key_.data(), key_.size()); }

SecureRandom::~SecureRandom() {
    sodium_memzero(key_.data(), key_.size());
    sodium_memzero(buffer_.data(), sizeof buffer_);
}

void SecureRandom::refill() {
    static_assert(crypto_stream_chacha20_KEYBYTES == 32 && crypto_stream_chacha20_NONCEBYTES == 8);
    unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
    std::memcpy(nonce, &nonce_, sizeof nonce);
    ++nonce_;  // a fresh nonce for every block: the key never repeats a keystream
    crypto_stream_chacha20(reinterpret_cast<unsigned char*>(buffer_.data()), sizeof buffer_, nonce, key_.data());
    used_ = 0;
}

std::uint64_t SecureRandom::next() {
    if (used_ == buffer_.size()) refill();
    const std::uint64_t value = buffer_[used_];
    buffer_[used_++] = 0;  // an output is used once and not kept
    return value;
}

}  // namespace gatewatch::util
