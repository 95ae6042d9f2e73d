#include "api/read_cache.hpp"
#include "events/event_bus.hpp"
#include "service/accounts.hpp"
#include "service/change_feed.hpp"
#include "service/devices.hpp"
#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace gatewatch;

namespace {
class ReadCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = std::make_unique<store::SqliteStore>(dir_.path / "db");
        cache_ = std::make_unique<api::ReadCache>(*store_);
        subscription_ = bus_.subscribe_inline([this](const events::Event& e) { cache_->apply(e); });
    }
    std::string rooms_body() {
        return *cache_->body(api::ReadCache::Body::rooms, [&] {
            ++renders_;
            return std::to_string(store_->list_rooms().size());
        });
    }
    TempDir dir_;
    events::EventBus bus_;
    std::unique_ptr<store::SqliteStore> store_;
    std::unique_ptr<api::ReadCache> cache_;
    events::Subscription subscription_;
    int renders_ = 0;
};
}  // namespace

TEST_F(ReadCacheTest, RendersOnceUntilAWriteSaysOtherwise) {
    EXPECT_EQ(rooms_body(), "0");
    EXPECT_EQ(rooms_body(), "0");
    EXPECT_EQ(renders_, 1);
    service::Rooms(*store_, bus_).create({0, "A", std::nullopt});
    EXPECT_EQ(rooms_body(), "1") << "a write is seen by the next read";
    EXPECT_EQ(renders_, 2);
    service::Devices(*store_, bus_).create({0, "d", "127.0.0.1", std::nullopt, true, {}, std::nullopt, std::nullopt, 1});
    EXPECT_EQ(rooms_body(), "1");
    EXPECT_EQ(renders_, 2) << "a device write keeps the rooms";
}

TEST_F(ReadCacheTest, AnotherProcessesWritesArriveThroughTheChangeFeed) {
    service::ChangeFeed feed(*store_, bus_);
    EXPECT_EQ(rooms_body(), "0");
    store::SqliteStore other(dir_.path / "db");  // as the admin command line opens it
    other.create_room({0, "A", std::nullopt});
    feed.poll();
    EXPECT_EQ(rooms_body(), "1");

    other.create_user({"alice", "h"}, [](bool) { return store::Role::viewer; });
    feed.poll();
    EXPECT_TRUE(cache_->find_user("ALICE"));
    other.delete_user("alice");
    feed.poll();
    EXPECT_FALSE(cache_->find_user("alice"));
}

TEST_F(ReadCacheTest, AnAccountChangeIsSeenByTheNextLookup) {
    service::Accounts accounts(*store_, bus_);
    accounts.create("alice", "h", std::nullopt);
    EXPECT_EQ(cache_->find_user("alice")->token_generation, 0);
    accounts.revoke_tokens("alice", std::nullopt);
    EXPECT_EQ(cache_->find_user("alice")->token_generation, 1);
    accounts.remove("alice");
    EXPECT_FALSE(cache_->find_user("alice"));
}
