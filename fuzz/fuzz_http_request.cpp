// A raw HTTP request, as a client sends it, through Beast's parser (with the
// server's limits), the router and every handler, against a real SQLite
// store: paths, query strings, headers, form and JSON bodies.
// "Authorization: Bearer ADMIN" / "Bearer VIEWER" in the input stand for
// real tokens, so the fuzzer reaches the protected handlers too.
// It goes through the same chain as the server (Host, CORS, authentication).
// Oracles besides the sanitizers: a status in 100..599, every 401 with
// WWW-Authenticate, and every JSON answer parses as JSON.
#include "api/read_cache.hpp"
#include "api/router.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password.hpp"
#include "auth/token.hpp"
#include "log/logging.hpp"
#include "api/status_hub.hpp"
#include "http/middleware.hpp"
#include "store/sqlite_store.hpp"

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>

namespace gw = gatewatch;
namespace http = boost::beast::http;

namespace {

struct World {
    std::filesystem::path dir;
    std::unique_ptr<gw::store::SqliteStore> store;
    gw::auth::TokenCodec tokens{"fuzzing-secret-key-0123456789abcdef"};
    std::unique_ptr<gw::api::ReadCache> cache;
    gw::api::StatusHub hub;
    gw::auth::LoginThrottle throttle;
    gw::events::EventBus bus;
    std::unique_ptr<gw::service::Accounts> accounts;
    std::unique_ptr<gw::service::Rooms> rooms;
    std::unique_ptr<gw::service::Devices> devices;
    std::unique_ptr<gw::service::Notifiers> notifiers;
    std::unique_ptr<gw::service::ApiTokens> api_tokens;
    gw::events::Subscription cache_events, hub_events;
    std::unique_ptr<gw::api::Router> router;
    gw::http::HostPolicy hosts{"127.0.0.1", 8000, {"*"}};  // any Host: the handlers are what is fuzzed
    gw::http::CorsPolicy cors{{"https://ops.example"}};
    std::unique_ptr<gw::http::Chain> chain;
    std::string admin_token;
    std::string viewer_token;

    World() {
        spdlog::set_level(spdlog::level::off);
        gw::auth::init_crypto();
        char tmpl[] = "/tmp/gw-fuzz-XXXXXX";
        dir = mkdtemp(tmpl);
        store = std::make_unique<gw::store::SqliteStore>(dir / "fuzz.db");
        const auto hash = gw::auth::hash_password("fuzzing-password");
        cache = std::make_unique<gw::api::ReadCache>(*store);
        accounts = std::make_unique<gw::service::Accounts>(*store, bus);
        rooms = std::make_unique<gw::service::Rooms>(*store, bus);
        devices = std::make_unique<gw::service::Devices>(*store, bus);
        notifiers = std::make_unique<gw::service::Notifiers>(*store, bus, [](std::int64_t) {});
        api_tokens = std::make_unique<gw::service::ApiTokens>(*store, bus);
        cache_events = bus.subscribe_inline([this](const gw::events::Event& e) { cache->apply(e); });
        hub_events = bus.subscribe_inline([this](const gw::events::Event& e) { hub.apply(e); });
        accounts->create("admin", hash, gw::store::Role::admin);
        accounts->create("viewer", hash, gw::store::Role::viewer);
        router = std::make_unique<gw::api::Router>(gw::api::AppContext{*store, {*accounts, *rooms, *devices, *notifiers, *api_tokens}, tokens,
                                                                       *cache, hub, throttle, std::chrono::seconds(1800),
                                                                       true, nullptr});
        chain = std::make_unique<gw::http::Chain>(gw::http::Chain::standard(*router, hosts, cors));
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch()).count();
        admin_token = tokens.issue("admin", store->find_user("admin")->id, 0, now, std::chrono::hours(24));
        viewer_token = tokens.issue("viewer", store->find_user("viewer")->id, 0, now, std::chrono::hours(24));
    }
    ~World() { std::filesystem::remove_all(dir); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World world;
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (ec || !parser.is_done()) return 0;

    auto& message = parser.get();
    std::string authorization(message[http::field::authorization]);
    if (authorization == "Bearer ADMIN") authorization = "Bearer " + world.admin_token;
    if (authorization == "Bearer VIEWER") authorization = "Bearer " + world.viewer_token;
    gw::http::Exchange exchange({std::string(message.method_string()), std::string(message.target()),
                                 authorization, std::string(message[http::field::content_type]), message.body(),
                                 "127.0.0.1"},
                                *world.router);
    exchange.host = message[http::field::host];
    exchange.origin = message[http::field::origin];
    exchange.requested_method = message[http::field::access_control_request_method];
    gw::api::Response response;
    try {
        response = world.chain->serve(exchange);
    } catch (const std::exception&) {
        return 0;  // the server answers 500 and logs; the sanitizers still watch for worse
    }

    if (response.status < 100 || response.status > 599) std::abort();
    if (response.status == 401) {
        bool challenge = false;
        for (const auto& [name, value] : response.headers) challenge |= name == "WWW-Authenticate";
        if (!challenge) std::abort();
    }
    if (response.content_type == "application/json" && !response.body.empty()) {
        boost::json::parse(response.body, ec);
        if (ec) std::abort();
    }
    return 0;
}
