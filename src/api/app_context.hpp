#pragma once
// What handlers may use: the services for writes, the store (and its read
// cache) for reads, the token codec, and the settings that shape answers.
// Handlers never reach the network or the configuration.
#include "api/read_cache.hpp"
#include "auth/login_throttle.hpp"
#include "auth/setup_code.hpp"
#include "auth/token.hpp"
#include "api/status_hub.hpp"
#include "service/accounts.hpp"
#include "service/api_tokens.hpp"
#include "service/config_as_code.hpp"
#include "service/devices.hpp"
#include "service/notifiers.hpp"
#include "store/history_store.hpp"
#include "store/nodes.hpp"
#include "store/store.hpp"
#include "web/static_site.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace gatewatch::metrics {
class Collector;
}

namespace gatewatch::api {

struct Services {
    service::Accounts& accounts;
    service::Rooms& rooms;
    service::Devices& devices;
    service::Notifiers& notifiers;
    service::ApiTokens& api_tokens;
};

// What the operations routes read (GET /readyz, /metrics).
struct Operations {
    metrics::Collector* metrics = nullptr;  // null: no /metrics (unit tests)
    std::function<bool()> monitor_running;
    // Several nodes: "ok" while this node holds its lease, else why not (empty function: one node, SQLite).
    std::function<std::string()> cluster_state;
    // GET /nodes/: the nodes sharing the database (on SQLite, this one).
    std::function<std::vector<store::NodeRow>()> nodes;
    std::string probe_method;
    bool metrics_public = false;  // /metrics without a token
    std::string version;          // the OpenAPI document's info.version
};

struct AppContext {
    store::Store& store;  // reads; every write goes through `services`
    Services services;
    const auth::TokenCodec& tokens;
    ReadCache& cache;
    StatusHub& hub;
    auth::LoginThrottle& throttle;
    std::chrono::seconds token_lifetime{30 * 60};
    bool registration_open = true;
    const web::StaticSite* site = nullptr;  // the dashboard, served where no API route matches
    const auth::SetupCode* setup_code = nullptr;  // null: the first account needs no code (tests)
    store::HistoryStore* history = nullptr;       // null: no history kept (unit tests of other parts)
    Operations operations{};
    service::config::ConfigAsCode* configuration = nullptr;  // GET/PUT /config; null: 404 (unit tests)
};

}  // namespace gatewatch::api
