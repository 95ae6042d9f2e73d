#include "auth/secret.hpp"
#include "config/config.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>

using namespace gatewatch;
namespace fs = std::filesystem;


TEST(Secret, GeneratedOnceWithMode0600AndKept) {
    ASSERT_GE(sodium_init(), 0);
    TempDir dir;
    const auto first = auth::load_or_create_secret(dir.path, std::nullopt);
    EXPECT_EQ(first.size(), 32u);
    struct stat st {};
    ASSERT_EQ(stat((dir.path / "secret.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(auth::load_or_create_secret(dir.path, std::nullopt), first);
}

TEST(Secret, ConfiguredSecretMustHave32Bytes) {
    TempDir dir;
    EXPECT_THROW(auth::load_or_create_secret(dir.path, std::string()), config::ConfigError);
    EXPECT_THROW(auth::load_or_create_secret(dir.path, std::string(31, 'x')), config::ConfigError);
    EXPECT_EQ(auth::load_or_create_secret(dir.path, std::string(32, 'x')), std::string(32, 'x'));
    EXPECT_FALSE(fs::exists(dir.path / "secret.key"));
}

TEST(Secret, ReadableByOthersIsRefused) {
    ASSERT_GE(sodium_init(), 0);
    TempDir dir;
    (void)auth::load_or_create_secret(dir.path, std::nullopt);
    fs::permissions(dir.path / "secret.key", fs::perms::others_read, fs::perm_options::add);
    EXPECT_THROW(auth::load_or_create_secret(dir.path, std::nullopt), config::ConfigError);
}
