#include "api/read_cache.hpp"
#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace gatewatch;
namespace fs = std::filesystem;

namespace {
class ReadCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = std::make_unique<store::SqliteStore>(dir_.path / "db");
        cache_ = std::make_unique<api::ReadCache>(*store_);
    }
    std::string rooms_body() {
        return *cache_->body(api::ReadCache::Body::rooms, [&] {
            ++renders_;
            return std::to_string(store_->list_rooms().size());
        });
    }
    TempDir dir_;
    std::unique_ptr<store::SqliteStore> store_;
    std::unique_ptr<api::ReadCache> cache_;
    int renders_ = 0;
};
}  // namespace

TEST_F(ReadCacheTest, RendersOncePerDataVersion) {
    EXPECT_EQ(rooms_body(), "0");
    EXPECT_EQ(rooms_body(), "0");
    EXPECT_EQ(renders_, 1);
    store_->create_room({0, "A", std::nullopt});
    EXPECT_EQ(rooms_body(), "1");
    EXPECT_EQ(renders_, 2);
}

TEST_F(ReadCacheTest, WritesThroughAnotherConnectionAreSeenAtOnce) {
    EXPECT_EQ(rooms_body(), "0");
    store::SqliteStore other(dir_.path / "db");  // as the admin command line opens it
    other.create_room({0, "A", std::nullopt});
    EXPECT_EQ(rooms_body(), "1");

    other.create_user({"alice", "h", store::Role::viewer});
    EXPECT_TRUE(cache_->find_user("ALICE"));
    other.delete_user("alice");
    EXPECT_FALSE(cache_->find_user("alice"));
}
