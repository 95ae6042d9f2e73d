// GET /healthz, /readyz, /metrics, /openapi.json and /docs: the contract's "Operations".
#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/openapi.hpp"
#include "metrics/collector.hpp"
#include "wire/representation.hpp"

#include <boost/json.hpp>

namespace gatewatch::api::operations {
namespace json = boost::json;

Response healthz(const AppContext&, const Call&) { return json_response(200, json::object{{"status", "ok"}}); }

// Ready: the store answers and the engine runs. 503 names what does not.
Response readyz(const AppContext& app, const Call&) {
    std::string store_state = "ok";
    try {
        (void)app.store.last_change();
    } catch (const std::exception& e) {
        store_state = std::string("error: ") + e.what();
    }
    const bool running = app.operations.monitor_running && app.operations.monitor_running();
    // Several nodes: a node without its lease probes nothing (coordinator.hpp).
    const std::string cluster = app.operations.cluster_state ? app.operations.cluster_state() : "ok";
    const bool ready = store_state == "ok" && running && cluster == "ok";
    json::object body{{"status", ready ? "ok" : "unavailable"},
                      {"store", store_state},
                      {"monitor", running ? "running" : "stopped"},
                      {"probe_method", app.operations.probe_method}};
    if (app.operations.cluster_state) body["cluster"] = cluster;
    return json_response(ready ? 200 : 503, body);
}

Response nodes(const AppContext& app, const Call&) {
    json::array out;
    if (app.operations.nodes) {
        try {
            for (const auto& n : app.operations.nodes())
                out.push_back(json::object{{"name", n.name},
                                           {"location", n.location},
                                           {"started", wire::format_time_ms(n.started_ms)},
                                           {"last_seen", wire::format_time_ms(n.last_seen_ms)},
                                           {"live", n.live},
                                           {"devices", n.devices},
                                           {"probe_method", n.probe_method},
                                           {"version", n.version}});
        } catch (const store::StoreError&) {
            return error_response(503, "The database is unreachable");
        }
    }
    return json_response(200, out);
}

// An admin's token or any API token (Prometheus), or none when metrics_public is set.
Response metrics(const AppContext& app, const Call& call) {
    if (!app.operations.metrics_public) {
        if (call.credential_refusal) return *call.credential_refusal;
        if (!call.user) return unauthorized("Not authenticated");
        if (call.user->role != store::Role::admin && !service::is_api_token_user(*call.user)) return forbidden();
    }
    if (app.operations.metrics == nullptr) return error_response(404, "Not Found");
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = app.operations.metrics->render();
    return r;
}

Response openapi(const AppContext& app, const Call&) {
    // The table is fixed at build time: the document is made once (~60 kB).
    static const std::string document = json::serialize(openapi_document(app.operations.version));
    Response r;
    r.body = document;
    return r;
}

// Swagger UI's page, built with the dashboard into docs/ (web/docs/).
Response docs(const AppContext& app, const Call&) {
    const web::Asset* page = app.site != nullptr ? app.site->find("/docs/index.html") : nullptr;
    if (page == nullptr) return error_response(404, "Swagger UI is not installed (no docs/ beside the dashboard)");
    Response r;
    r.body = page->body;
    r.content_type = page->content_type;
    r.headers.emplace_back("Cache-Control", page->cache_control);
    r.headers.emplace_back("Content-Security-Policy", web::k_page_security_policy);
    return r;
}

}  // namespace gatewatch::api::operations
