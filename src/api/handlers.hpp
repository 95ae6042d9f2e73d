#pragma once
// The handlers of the REST API, one function per contract row.
// Each receives the already-authenticated user (when its route needs one)
// and the parsed path ids; each returns the whole response. They may block on
// the store; login and registration also hash passwords (the router marks
// those routes CPU-heavy so the server runs them off the I/O threads).
#include "api/app_context.hpp"
#include "api/http_types.hpp"
#include "api/schema.hpp"
#include "wire/representation.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gatewatch::api {

struct Call {
    const Request& request;
    std::vector<std::pair<std::string, std::string>> query;  // decoded
    std::vector<std::int64_t> ids;                            // path ids, in order
    std::optional<store::User> user;                          // set on protected routes
    // Where a token is optional (Access::optional_user): the 401 that a sent
    // but invalid token earned, for the handler to answer if it needs the account.
    std::optional<Response> credential_refusal;
    // The route's declared request body (api/schemas.hpp), when it takes one.
    const schema::Schema* request_schema = nullptr;

    // The declared body; a route without one reading a body is a wiring fault (logic_error).
    [[nodiscard]] const schema::Schema& body_schema() const;
};

using Handler = Response (*)(const AppContext&, const Call&);

using wire::to_json;

namespace accounts {
Response register_user(const AppContext&, const Call&);
Response login(const AppContext&, const Call&);
Response me(const AppContext&, const Call&);
Response protected_data(const AppContext&, const Call&);
Response change_password(const AppContext&, const Call&);
Response logout_all(const AppContext&, const Call&);
}  // namespace accounts

namespace rooms {
Response list(const AppContext&, const Call&);
Response create(const AppContext&, const Call&);
Response get(const AppContext&, const Call&);
Response update(const AppContext&, const Call&);
Response remove(const AppContext&, const Call&);
}  // namespace rooms

namespace devices {
Response list(const AppContext&, const Call&);
Response create(const AppContext&, const Call&);
Response bulk(const AppContext&, const Call&);
Response get(const AppContext&, const Call&);
Response update(const AppContext&, const Call&);
Response remove(const AppContext&, const Call&);
}  // namespace devices

namespace status {
Response all(const AppContext&, const Call&);
Response one(const AppContext&, const Call&);
Response socket_without_upgrade(const AppContext&, const Call&);
}  // namespace status

namespace history_routes {
Response events(const AppContext&, const Call&);
Response history(const AppContext&, const Call&);
Response device_uptime(const AppContext&, const Call&);
Response all_uptime(const AppContext&, const Call&);
}  // namespace history_routes

namespace users {
Response list(const AppContext&, const Call&);
Response update(const AppContext&, const Call&);
Response remove(const AppContext&, const Call&);
Response create_token(const AppContext&, const Call&);
Response list_tokens(const AppContext&, const Call&);
Response remove_token(const AppContext&, const Call&);
}  // namespace users

namespace operations {
Response healthz(const AppContext&, const Call&);
Response readyz(const AppContext&, const Call&);
Response nodes(const AppContext&, const Call&);
Response metrics(const AppContext&, const Call&);
Response openapi(const AppContext&, const Call&);
Response docs(const AppContext&, const Call&);
}  // namespace operations

namespace notifiers {
Response list(const AppContext&, const Call&);
Response get(const AppContext&, const Call&);
Response create(const AppContext&, const Call&);
Response update(const AppContext&, const Call&);
Response remove(const AppContext&, const Call&);
Response test(const AppContext&, const Call&);
Response deliveries(const AppContext&, const Call&);
Response list_maintenance(const AppContext&, const Call&);
Response create_maintenance(const AppContext&, const Call&);
Response remove_maintenance(const AppContext&, const Call&);
}  // namespace notifiers

namespace config_routes {  // configuration as code (api/config.cpp)
Response get(const AppContext&, const Call&);
Response put(const AppContext&, const Call&);
}  // namespace config_routes

}  // namespace gatewatch::api
