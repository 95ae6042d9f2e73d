#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

using gatewatch::auth::LoginThrottle;
using namespace std::chrono_literals;

namespace {
const auto t0 = LoginThrottle::Clock::time_point(1000s);
}

TEST(LoginThrottle, FiveFailuresForAnAccountFromAnAddressThenWait) {
    LoginThrottle throttle;
    for (int i = 0; i < 5; ++i) {
        ASSERT_FALSE(throttle.check("alice", "127.0.0.10", t0)) << i;
        throttle.failed("alice", "127.0.0.10", t0);
    }
    const auto wait = throttle.check("ALICE", "127.0.0.10", t0);  // accounts fold case
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, 12);  // one failure drains every 12 s
    EXPECT_TRUE(throttle.check("alice", "127.0.0.10", t0 + 11s));
    EXPECT_FALSE(throttle.check("alice", "127.0.0.10", t0 + 12s));
}

TEST(LoginThrottle, AnAttackerElsewhereDoesNotLockTheUserOut) {
    LoginThrottle throttle;
    for (int i = 0; i < 5; ++i) throttle.failed("alice", "127.0.0.20", t0);
    EXPECT_TRUE(throttle.check("alice", "127.0.0.20", t0));
    EXPECT_FALSE(throttle.check("alice", "127.0.0.10", t0));  // the real user, at home
}

TEST(LoginThrottle, ManyAccountsFromOneAddressAreThrottledToo) {
    LoginThrottle throttle;
    for (int i = 0; i < 20; ++i) throttle.failed("user" + std::to_string(i), "127.0.0.20", t0);
    EXPECT_TRUE(throttle.check("someone-new", "127.0.0.20", t0));
    EXPECT_FALSE(throttle.check("someone-new", "127.0.0.10", t0));
}

TEST(LoginThrottle, ADistributedAttackOnOneAccountIsSlowedButOnlyBriefly) {
    LoginThrottle throttle;
    for (int i = 0; i < 100; ++i) throttle.failed("alice", "127.18." + std::to_string(i / 250) + "." + std::to_string(i % 250), t0);
    const auto wait = throttle.check("alice", "127.0.0.10", t0);
    ASSERT_TRUE(wait);
    EXPECT_LE(*wait, 1);  // drains a failure a second: a lockout lasts seconds, not hours
    EXPECT_FALSE(throttle.check("alice", "127.0.0.10", t0 + 1s));
}

TEST(LoginThrottle, SuccessEmptiesTheBuckets) {
    LoginThrottle throttle;
    for (int i = 0; i < 4; ++i) throttle.failed("alice", "127.0.0.10", t0);
    throttle.succeeded("alice", "127.0.0.10", t0);
    for (int i = 0; i < 4; ++i) throttle.failed("alice", "127.0.0.10", t0);
    EXPECT_FALSE(throttle.check("alice", "127.0.0.10", t0));
}

TEST(LoginThrottle, SuccessDoesNotEmptyTheClientsBucket) {
    // An attacker who owns an account must not reset its address's bucket by
    // logging into it between guesses at others.
    LoginThrottle throttle;
    for (int i = 0; i < 19; ++i) throttle.failed("victim" + std::to_string(i), "127.0.0.20", t0);
    throttle.succeeded("mallory", "127.0.0.20", t0);
    throttle.failed("victim-last", "127.0.0.20", t0);
    EXPECT_TRUE(throttle.check("victim-next", "127.0.0.20", t0));
}

TEST(LoginThrottle, RegistrationsFillTheirOwnBucketPerClient) {
    LoginThrottle throttle;
    for (int i = 0; i < 20; ++i) {
        ASSERT_FALSE(throttle.check_registration("127.0.0.20", t0)) << i;
        throttle.registered("127.0.0.20", t0);
    }
    EXPECT_TRUE(throttle.check_registration("127.0.0.20", t0));
    EXPECT_FALSE(throttle.check_registration("127.0.0.21", t0));
    EXPECT_FALSE(throttle.check("someone", "127.0.0.20", t0));  // logging in is another matter
    EXPECT_FALSE(throttle.check_registration("127.0.0.20", t0 + 3s));  // one drains every 3 s
}

TEST(LoginThrottle, MemoryIsBoundedWhateverClientsSend) {
    LoginThrottle throttle;
    const std::string long_tail(10'000, 'x');
    for (int i = 0; i < 300'000; ++i)
        throttle.failed(std::to_string(i) + long_tail, "127.1." + std::to_string(i % 200) + ".1", t0 + std::chrono::milliseconds(i));
    EXPECT_LE(throttle.size(), 3 * LoginThrottle::k_max_entries);
}

TEST(LoginThrottle, AFullTableKeepsTheBucketsThatMatter) {
    LoginThrottle throttle;
    for (int i = 0; i < 5; ++i) throttle.failed("alice", "127.0.0.10", t0);  // alice's pair bucket is full
    // Churn with single failures from elsewhere (each bucket holds one failure).
    for (std::size_t i = 0; i < 2 * LoginThrottle::k_max_entries; ++i)
        throttle.failed("churn" + std::to_string(i), "127.2." + std::to_string(i % 250) + "." + std::to_string(i / 250 % 250), t0);
    EXPECT_TRUE(throttle.check("alice", "127.0.0.10", t0));
}

TEST(LoginThrottle, ManyAddressesCannotLockTheOwnerOutWhereTheyLogIn) {
    LoginThrottle throttle;
    throttle.succeeded("alice", "127.0.0.10", t0);  // alice's own machine
    for (int i = 0; i < 100; ++i) throttle.failed("alice", "127.20.0." + std::to_string(i), t0);  // the per-account bucket is full
    EXPECT_TRUE(throttle.check("alice", "127.0.0.11", t0)) << "a new place waits";
    EXPECT_FALSE(throttle.check("alice", "127.0.0.10", t0)) << "a known place does not";
    const auto later = t0 + std::chrono::hours(24 * 31);
    for (int i = 0; i < 100; ++i) throttle.failed("alice", "127.21.0." + std::to_string(i), later);
    EXPECT_TRUE(throttle.check("alice", "127.0.0.10", later)) << "known for 30 days, not for ever";
}
