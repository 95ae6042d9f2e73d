// GET /healthz, /readyz, /metrics, /openapi.json and /docs: the contract's "Operations".
#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/openapi.hpp"
#include "metrics/collector.hpp"

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
    const bool ready = store_state == "ok" && running;
    return json_response(ready ? 200 : 503,
                         json::object{{"status", ready ? "ok" : "unavailable"},
                                      {"store", store_state},
                                      {"monitor", running ? "running" : "stopped"},
                                      {"probe_method", app.operations.probe_method}});
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
