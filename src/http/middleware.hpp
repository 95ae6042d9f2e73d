#pragma once
// The chain every request passes through on its way to the route table, the
// WebSocket handshake included, in the manner of Drogon's filters and advices
// (before the handler, and after it on the way out):
//
//   metrics → access log → Host check → CORS → authentication → [handler]
//
// Each stage's before() may answer the request itself (the rest do not run);
// then every stage that was entered sees the answer in after(), innermost
// first (CORS adds its headers, the access log writes its line). A stage that
// needs the route asks the exchange, which the router matched once.
// Authentication is the only place that reads a token: handlers receive the
// current account in the exchange, and the status socket its grant.
//
// The chain is split so that the session can run the handler elsewhere (a
// password hash on the hashing pool): enter(), then the handler, then leave().
// serve() does all three in the caller's thread. Stages are immutable after
// construction: one chain serves every connection and thread at once.
// No Beast here: the chain is plain values, tested without a socket.
#include "api/authenticator.hpp"
#include "api/router.hpp"
#include "http/cors.hpp"
#include "http/host_policy.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gatewatch::http {

// One request on its way through the chain. Stays in place: `route` points
// into `request`.
struct Exchange {
    Exchange(api::Request req, const api::Router& router) : request(std::move(req)), route(router.prepare(request)) {}
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    api::Request request;
    std::string host;                    // the Host header (exactly one; several are refused before)
    std::string origin;                  // the Origin header, or empty
    std::string requested_method;        // Access-Control-Request-Method, or empty
    bool socket_upgrade = false;         // a WebSocket handshake to /ws/status
    const api::PreparedRequest route;    // matched once, before the chain
    std::optional<store::User> user;     // set by authentication for routes that name an account
    std::optional<api::Response> credential_refusal;  // a bad token where one is optional (the handler decides)
    std::optional<api::SocketGrant> grant;  // set by authentication for a socket handshake
    bool close_connection = false;       // a stage refused in a way that ends the connection
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::size_t entered = 0;             // stages whose before() ran (the chain's bookkeeping)
};

class Stage {
public:
    virtual ~Stage() = default;
    // An answer ends the request here; nullopt passes it on.
    virtual std::optional<api::Response> before(Exchange&) const { return std::nullopt; }
    // Every answer, the handler's or a stage's, on its way out.
    virtual void after(const Exchange&, api::Response&) const {}
};

class Chain {
public:
    Chain(const api::Router& router, std::vector<std::unique_ptr<Stage>> stages)
        : router_(router), stages_(std::move(stages)) {}

    // The chain of gatewatch's server: access log, Host, CORS, authentication.
    static Chain standard(const api::Router& router, const HostPolicy& hosts, const CorsPolicy& cors);

    // Runs the stages' before() in order; an answer when one refused.
    [[nodiscard]] std::optional<api::Response> enter(Exchange& exchange) const;
    // The route's handler with the account authentication found (not for a socket upgrade).
    [[nodiscard]] api::Response handle(const Exchange& exchange) const;
    // Runs after() of every stage entered, innermost first.
    void leave(const Exchange& exchange, api::Response& response) const;
    // enter(), handle() unless refused, leave(): in the caller's thread.
    [[nodiscard]] api::Response serve(Exchange& exchange) const;

    [[nodiscard]] const api::Router& router() const { return router_; }

private:
    const api::Router& router_;
    std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace gatewatch::http
