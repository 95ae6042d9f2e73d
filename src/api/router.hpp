#pragma once
// Maps a request to its handler, in the order FastAPI answers:
//   unknown path -> 404 {"detail":"Not Found"}
//   known path, other method -> 405 {"detail":"Method Not Allowed"} + Allow
//   protected route -> authentication (401) and role (403), by the chain in
//                      front (http/middleware.hpp), which hands in the account
//   a body whose Content-Type the route does not take -> 415
//   path ids that are not positive 64-bit integers -> 422
//   then the handler.
// A path that no API route claims may be a file of the dashboard (GET only).
// Every path answers with and without its trailing slash. The route table is
// one block at the top of router.cpp; each row declares its bodies' schemas,
// which the handlers' readers and the OpenAPI document (api/openapi.hpp) both
// use. Thread-safe: handle() is const.
#include "api/app_context.hpp"
#include "api/handlers.hpp"
#include "api/http_types.hpp"
#include "api/schema.hpp"

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace gatewatch::api {

// Who may call a route: anyone; anyone, with the account of a token when one
// is sent (registration: an admin creating accounts); a user; an admin.
enum class Access { anyone, optional_user, user, admin };

// What a route's body must be: a body of another Content-Type is 415 (a
// browser sends text/plain across sites without asking first, so a JSON body
// under that type is how another site's page would post here).
enum class Body { none, json, form, json_or_csv, json_or_yaml };

// A query parameter, as the document shows it (the handler reads it).
struct Parameter {
    std::string_view name;
    const schema::Schema* schema = nullptr;
    std::string_view description{};
};

// An answer of a route besides its success and those that its access, path
// ids and body give every route (401, 403, 404 of an id, 415, 421, 422).
struct Answer {
    int status;
    std::string_view description;
};

// What a route takes and answers, declared once beside its row.
struct Doc {
    std::string_view summary;
    const schema::Schema* request = nullptr;   // the body's schema (json, form, or json of json_or_csv)
    int status = 200;                          // the success status
    const schema::Schema* response = nullptr;  // its body; none for 204
    std::span<const Answer> errors{};          // {"detail": "..."} answers of its own
    std::span<const Parameter> query{};
    std::string_view response_type = "application/json";
};

struct Route {
    std::string_view method;
    std::string_view pattern;  // "{name}" segments are positive 64-bit ids
    Access access;
    Body body;
    bool cpu_heavy;
    Handler handler;
    Doc doc;
};

// Every row of the route table, in order.
std::span<const Route> route_table();

// A request parsed and routed once; the server looks at cpu_heavy() and then
// hands it to Router::handle(), possibly on another thread.
class PreparedRequest {
public:
    [[nodiscard]] bool cpu_heavy() const;
    // The matched route's pattern ("/devices/{device_id}"), or empty.
    [[nodiscard]] std::string_view pattern() const;
    // Who may call the matched route (anyone when no route matched: a 404,
    // a 405 or a dashboard file).
    [[nodiscard]] Access access() const;

private:
    friend class Router;
    const Request* request_ = nullptr;
    bool valid_target_ = false;
    std::string path_;                   // as received, without the query
    std::vector<std::string> segments_;  // decoded, without a trailing empty one
    std::vector<std::pair<std::string, std::string>> query_;
    const Route* route_ = nullptr;
    std::string allowed_;  // methods of the path, when route_ is null
};

class Router {
public:
    explicit Router(AppContext app) : app_(app) {}

    // `request` must outlive the result.
    [[nodiscard]] PreparedRequest prepare(const Request& request) const;
    // `user`: the account the chain authenticated, when the route's access
    // names one; the router checks the role (403), never a token.
    // `refusal`: for Access::optional_user, the 401 a sent but invalid token earned.
    [[nodiscard]] Response handle(const PreparedRequest& prepared, std::optional<store::User> user,
                                  std::optional<Response> refusal = std::nullopt) const;

    // True when the request's handler hashes a password (login, registration) or
    // reads every device's history (GET /uptime/):
    // the server runs those on its hashing pool, not on an I/O thread.
    [[nodiscard]] bool is_cpu_heavy(const Request& request) const { return prepare(request).cpu_heavy(); }

    [[nodiscard]] const AppContext& app() const { return app_; }

private:
    AppContext app_;
};

}  // namespace gatewatch::api
