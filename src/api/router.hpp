#pragma once
// Maps a request to its handler, in the order FastAPI answers:
//   unknown path -> 404 {"detail":"Not Found"}
//   known path, other method -> 405 {"detail":"Method Not Allowed"} + Allow
//   protected route -> authentication (401) and role (403)
//   path ids that are not positive 64-bit integers -> 422
//   then the handler.
// Every path answers with and without its trailing slash. The route table is
// one block at the top of router.cpp. Thread-safe: handle() is const.
#include "api/app_context.hpp"
#include "api/http_types.hpp"

namespace gatewatch::api {

class Router {
public:
    explicit Router(AppContext app) : app_(app) {}

    [[nodiscard]] Response handle(const Request& request) const;

    // True when the request's handler hashes a password (login, registration):
    // the server runs those on its hashing pool, not on an I/O thread.
    [[nodiscard]] bool is_cpu_heavy(const Request& request) const;

    [[nodiscard]] const AppContext& app() const { return app_; }

private:
    AppContext app_;
};

}  // namespace gatewatch::api
