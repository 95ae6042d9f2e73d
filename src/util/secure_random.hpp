#pragma once
// Unpredictable 64-bit values at the rate of a probe engine.
//
// libsodium's randombytes reads the kernel's generator on every call (one
// system call each), too dear for one value per probe at 100,000 probes a
// round; this draws a 256-bit key from randombytes once and expands it with
// ChaCha20 (libsodium's crypto_stream), 4 KiB at a time, as randombytes' own
// user-space generator does. Knowing any number of outputs says nothing
// about the others. Not thread-safe: one per thread. Call init_crypto() first.
#include <array>
#include <cstdint>

namespace gatewatch::util {

class SecureRandom {
public:
    SecureRandom();
    ~SecureRandom();
    SecureRandom(const SecureRandom&) = delete;
    SecureRandom& operator=(const SecureRandom&) = delete;

    std::uint64_t next();

private:
    void refill();

    std::array<unsigned char, 32> key_{};
    std::uint64_t nonce_ = 0;
    std::array<std::uint64_t, 512> buffer_{};
    std::size_t used_ = buffer_.size();
};

}  // namespace gatewatch::util
