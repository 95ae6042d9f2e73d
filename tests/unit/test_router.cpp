// The chain, router and handlers in process, with a real store: routing
// order, authentication and roles. The black-box tests walk the whole contract.
#include "api/router.hpp"
#include "http/middleware.hpp"
#include "auth/password.hpp"
#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"

#include <boost/json.hpp>
#include <crypt.h>
#include <gtest/gtest.h>

#include <filesystem>

using namespace gatewatch;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
class RouterTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { auth::init_crypto(); }
    void SetUp() override {
        store_ = std::make_unique<store::SqliteStore>(dir_.path / "db");
        cache_ = std::make_unique<api::ReadCache>(*store_);
        accounts_ = std::make_unique<service::Accounts>(*store_, bus_);
        rooms_ = std::make_unique<service::Rooms>(*store_, bus_);
        devices_ = std::make_unique<service::Devices>(*store_, bus_);
        notifiers_ = std::make_unique<service::Notifiers>(*store_, bus_, [](std::int64_t) {});
        api_tokens_ = std::make_unique<service::ApiTokens>(*store_, bus_);
        cache_events_ = bus_.subscribe_inline([this](const events::Event& e) { cache_->apply(e); });
        router_ = std::make_unique<api::Router>(api::AppContext{
            *store_, {*accounts_, *rooms_, *devices_, *notifiers_, *api_tokens_}, tokens_, *cache_, hub_, throttle_, 30min, true});
        chain_ = std::make_unique<http::Chain>(http::Chain::standard(*router_, hosts_, cors_));
        accounts_->create("admin", auth::hash_password("password1"), store::Role::admin);
        accounts_->create("viewer", auth::hash_password("password1"), store::Role::viewer);
    }
    std::string bearer(const std::string& user) const {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch()).count();
        const auto account = store_->find_user(user);
        return "Bearer " + tokens_.issue(user, account->id, account->token_generation, now, 5min);
    }
    api::Response call(std::string method, std::string target, std::string auth = {}, std::string body = {},
                       std::string content_type = "application/json") const {
        http::Exchange exchange({std::move(method), std::move(target), std::move(auth), std::move(content_type),
                                 std::move(body), "127.0.0.1"},
                                *router_);
        exchange.host = "localhost:8000";
        return chain_->serve(exchange);
    }
    static std::string detail(const api::Response& r) {
        return std::string(json::parse(r.body).as_object().at("detail").as_string());
    }

    TempDir dir_;
    auth::TokenCodec tokens_{std::string(32, 's')};
    api::StatusHub hub_;
    auth::LoginThrottle throttle_;
    std::unique_ptr<store::SqliteStore> store_;
    std::unique_ptr<api::ReadCache> cache_;
    events::EventBus bus_;
    std::unique_ptr<service::Accounts> accounts_;
    std::unique_ptr<service::Rooms> rooms_;
    std::unique_ptr<service::Devices> devices_;
    std::unique_ptr<service::Notifiers> notifiers_;
    std::unique_ptr<service::ApiTokens> api_tokens_;
    events::Subscription cache_events_;
    std::unique_ptr<api::Router> router_;
    http::HostPolicy hosts_{"127.0.0.1", 8000, {}};
    http::CorsPolicy cors_{{"https://ops.example"}};
    std::unique_ptr<http::Chain> chain_;
};
}  // namespace

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    auto r = call("GET", "/nowhere");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(detail(r), "Not Found");
    r = call("PATCH", "/rooms/1", bearer("admin"));
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(detail(r), "Method Not Allowed");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].second, "GET, PUT, DELETE");
}

TEST_F(RouterTest, PathsAnswerWithAndWithoutTrailingSlash) {
    EXPECT_EQ(call("GET", "/rooms", bearer("viewer")).status, 200u);
    EXPECT_EQ(call("GET", "/rooms/", bearer("viewer")).status, 200u);
    EXPECT_EQ(call("GET", "/users/me/", bearer("viewer")).status, 200u);
    EXPECT_EQ(call("GET", "/rooms?x=1", bearer("viewer")).status, 200u);
}

TEST_F(RouterTest, AuthenticationComesBeforeValidation) {
    auto r = call("GET", "/rooms/abc");
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(detail(r), "Not authenticated");
    EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
    r = call("GET", "/rooms/abc", bearer("viewer"));
    EXPECT_EQ(r.status, 422u);
}

TEST_F(RouterTest, ViewerWritesAreForbidden) {
    for (auto [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"POST", "/rooms"}, {"PUT", "/rooms/1"}, {"DELETE", "/rooms/1"},
             {"POST", "/devices"}, {"PUT", "/devices/1"}, {"DELETE", "/devices/1"}}) {
        auto r = call(method, target, bearer("viewer"), R"({"name":"x","ip":"127.0.0.1"})");
        EXPECT_EQ(r.status, 403u) << method << " " << target;
        EXPECT_EQ(detail(r), "Not enough permissions");
    }
    EXPECT_TRUE(store_->list_rooms().empty());
}

TEST_F(RouterTest, TokenOfDeletedUserIsRefused) {
    const auto token = bearer("viewer");
    store_->delete_user("viewer");
    auto r = call("GET", "/users/me", token);
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(detail(r), "Could not validate credentials");
}

TEST_F(RouterTest, IdsThatAreNotPositive64BitIntegersAre422) {
    for (const char* id : {"0", "-1", "abc", "1.5", "99999999999999999999"}) {
        auto r = call("GET", std::string("/devices/") + id, bearer("viewer"));
        EXPECT_EQ(r.status, 422u) << id;
        EXPECT_EQ(json::parse(r.body).at("detail").at(0).at("loc"), (json::array{"path", "device_id"})) << id;
    }
}

TEST_F(RouterTest, LoginIsCpuHeavyAndReadsAreNot) {
    EXPECT_TRUE(router_->is_cpu_heavy({"POST", "/token", "", "", "", ""}));
    EXPECT_TRUE(router_->is_cpu_heavy({"POST", "/users/", "", "", "", ""}));
    EXPECT_FALSE(router_->is_cpu_heavy({"GET", "/rooms", "", "", "", ""}));
}

TEST_F(RouterTest, LoginUpgradesBcryptHashToArgon2id) {
    // $2b$04$ hash of "legacy-pass1" as passlib made it for the FastAPI app.
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    ASSERT_NE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt), nullptr);
    crypt_data data{};
    const std::string bcrypt_hash = crypt_rn("legacy-pass1", salt, &data, sizeof data);
    accounts_->create("legacy", bcrypt_hash, store::Role::viewer);
    auto r = call("POST", "/token", "", "username=legacy&password=legacy-pass1", "application/x-www-form-urlencoded");
    EXPECT_EQ(r.status, 200u);
    const auto stored = store_->find_user("legacy")->password_hash;
    EXPECT_TRUE(stored.starts_with("$argon2id$"));
    EXPECT_TRUE(auth::verify_password("legacy-pass1", stored));
}

// The chain's order: a foreign Host is refused before anything reads a token,
// and CORS headers reach a refusal from a later stage.
TEST_F(RouterTest, ChainChecksHostFirstAndCorsHeadersReachRefusals) {
    http::Exchange foreign({"GET", "/rooms", "", "", "", "127.0.0.1"}, *router_);
    foreign.host = "evil.example:8000";
    auto r = chain_->serve(foreign);
    EXPECT_EQ(r.status, 421u);
    EXPECT_TRUE(foreign.close_connection);

    http::Exchange cross({"GET", "/rooms", "", "", "", "127.0.0.1"}, *router_);
    cross.host = "localhost:8000";
    cross.origin = "https://ops.example";
    r = chain_->serve(cross);
    EXPECT_EQ(r.status, 401u);
    bool allow_origin = false;
    for (const auto& [name, value] : r.headers) allow_origin |= name == "Access-Control-Allow-Origin" && value == cross.origin;
    EXPECT_TRUE(allow_origin);
    EXPECT_FALSE(cross.close_connection);
}

// Registration takes a token but needs none: a stale one is ignored unless
// the request needed an admin, and then its 401 is the answer.
TEST_F(RouterTest, OptionalTokenIsCheckedOnlyWhereItMatters) {
    const std::string bad = "Bearer not-a-token";
    EXPECT_EQ(call("POST", "/users/", bad, R"({"username":"newcomer","password":"password1"})").status, 201u);
    auto r = call("POST", "/users/", bad, R"({"username":"boss","password":"password1","role":"admin"})");
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(detail(r), "Could not validate credentials");
    r = call("POST", "/users/", bearer("admin"), R"({"username":"boss","password":"password1","role":"admin"})");
    EXPECT_EQ(r.status, 201u);
    EXPECT_EQ(store_->find_user("boss")->role, store::Role::admin);
}

// The socket handshake goes through the same chain: its grant comes from
// ?token=, a foreign Origin is refused, and nothing reaches a handler.
TEST_F(RouterTest, SocketHandshakeIsAuthenticatedByTheChain) {
    const std::string token = bearer("viewer").substr(7);
    http::Exchange good({"GET", "/ws/status/?token=" + token + "&delta=true", "", "", "", "127.0.0.1"}, *router_);
    good.host = "localhost:8000";
    good.socket_upgrade = true;
    EXPECT_FALSE(chain_->enter(good).has_value());
    ASSERT_TRUE(good.grant.has_value());
    EXPECT_EQ(good.grant->user.username, "viewer");
    EXPECT_TRUE(good.grant->delta);

    http::Exchange foreign_origin({"GET", "/ws/status/?token=" + token, "", "", "", "127.0.0.1"}, *router_);
    foreign_origin.host = "localhost:8000";
    foreign_origin.origin = "https://evil.example";
    foreign_origin.socket_upgrade = true;
    auto refusal = chain_->enter(foreign_origin);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->status, 403u);
    EXPECT_FALSE(foreign_origin.grant.has_value());

    http::Exchange anonymous({"GET", "/ws/status/", "", "", "", "127.0.0.1"}, *router_);
    anonymous.host = "localhost:8000";
    anonymous.socket_upgrade = true;
    refusal = chain_->enter(anonymous);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->status, 401u);
}
