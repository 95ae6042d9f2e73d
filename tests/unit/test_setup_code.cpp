#include "auth/password.hpp"
#include "auth/setup_code.hpp"
#include "util/secure_random.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace gatewatch;

TEST(SetupCode, MatchesItselfInAnySpellingAndNothingElse) {
    auth::init_crypto();
    const auth::SetupCode code;
    ASSERT_EQ(code.text().size(), 19u);  // four groups of four
    EXPECT_TRUE(code.matches(code.text()));
    std::string lower = code.text();
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(code.matches(lower));
    std::string plain;
    for (char c : code.text())
        if (c != '-') plain.push_back(c);
    EXPECT_TRUE(code.matches(" " + plain + " "));
    EXPECT_FALSE(code.matches(""));
    EXPECT_FALSE(code.matches(plain.substr(1)));
    EXPECT_FALSE(code.matches(plain + "A"));
    EXPECT_FALSE(code.matches(auth::SetupCode().text()));
}

TEST(SecureRandom, ValuesDoNotRepeatAcrossBlocks) {
    auth::init_crypto();
    util::SecureRandom a, b;
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 5000; ++i) {  // several 512-value blocks
        EXPECT_TRUE(seen.insert(a.next()).second);
        EXPECT_TRUE(seen.insert(b.next()).second) << "two generators share no stream";
    }
}
