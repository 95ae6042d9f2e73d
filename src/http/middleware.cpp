#include "http/middleware.hpp"

#include "metrics/collector.hpp"

#include <spdlog/spdlog.h>

namespace gatewatch::http {

namespace {

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// One line per request, whoever answered it.
class AccessLog final : public Stage {
public:
    void after(const Exchange& exchange, api::Response& response) const override {
        const auto elapsed =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - exchange.started);
        const std::string_view path = path_of(exchange.request.target);
        if (exchange.socket_upgrade && exchange.grant && response.status == 101) {
            spdlog::info("GET {} 101 ({})", path, exchange.grant->user.username);
            return;
        }
        spdlog::info("{} {} {} {:.2f}ms", exchange.request.method, path, response.status, elapsed.count());
    }
};

// Counts and times every answer by route pattern (metrics/collector.hpp);
// outermost, so it sees the answers of every other stage too.
class Metrics final : public Stage {
public:
    explicit Metrics(metrics::Collector& collector) : collector_(collector) {}
    void after(const Exchange& exchange, api::Response& response) const override {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - exchange.started).count();
        const std::string_view route = exchange.route.pattern();
        collector_.observe_request(route.empty() ? std::string_view("other") : route, response.status, seconds);
    }

private:
    metrics::Collector& collector_;
};

// Only the names gatewatch is known by (DNS rebinding): 421, and the
// connection ends, as a misdirected connection should.
class HostCheck final : public Stage {
public:
    explicit HostCheck(const HostPolicy& hosts) : hosts_(hosts) {}
    std::optional<api::Response> before(Exchange& exchange) const override {
        if (hosts_.allows(exchange.host)) return std::nullopt;
        exchange.close_connection = true;
        return api::error_response(421, "Misdirected request");
    }

private:
    const HostPolicy& hosts_;
};

// Preflights, the allowed origins' headers, and the Origin of a socket.
class Cors final : public Stage {
public:
    explicit Cors(const CorsPolicy& cors) : cors_(cors) {}
    std::optional<api::Response> before(Exchange& exchange) const override {
        if (exchange.socket_upgrade) {
            if (cors_.allows_socket(exchange.origin, exchange.host)) return std::nullopt;
            exchange.close_connection = true;
            return api::error_response(403, "Origin not allowed");
        }
        return cors_.preflight(exchange.request.method, exchange.origin, exchange.requested_method);
    }
    void after(const Exchange& exchange, api::Response& response) const override {
        if (exchange.socket_upgrade) return;
        for (auto& header : cors_.response_headers(exchange.origin)) response.headers.push_back(std::move(header));
    }

private:
    const CorsPolicy& cors_;
};

// The current account from the bearer token (or, for a socket, ?token=),
// for the routes that name one; 401 otherwise. Roles are the router's.
class Authentication final : public Stage {
public:
    explicit Authentication(const api::AppContext& app) : app_(app) {}
    std::optional<api::Response> before(Exchange& exchange) const override {
        if (exchange.socket_upgrade) {
            auto grant = api::authenticate_socket(app_, exchange.request);
            if (auto* refusal = std::get_if<api::Response>(&grant)) {
                exchange.close_connection = true;
                return std::move(*refusal);
            }
            exchange.grant = std::get<api::SocketGrant>(std::move(grant));
            return std::nullopt;
        }
        const api::Access access = exchange.route.access();
        if (access == api::Access::anyone) return std::nullopt;
        const bool optional = access == api::Access::optional_user;
        if (optional && !api::bearer_token(exchange.request.authorization)) return std::nullopt;
        auto outcome = api::authenticate(app_, exchange.request.authorization);
        if (auto* refusal = std::get_if<api::Response>(&outcome)) {
            if (!optional) return std::move(*refusal);
            exchange.credential_refusal = std::move(*refusal);
            return std::nullopt;
        }
        exchange.user = std::get<store::User>(std::move(outcome));
        return std::nullopt;
    }

private:
    const api::AppContext& app_;
};

}  // namespace

Chain Chain::standard(const api::Router& router, const HostPolicy& hosts, const CorsPolicy& cors) {
    std::vector<std::unique_ptr<Stage>> stages;
    if (router.app().operations.metrics != nullptr)
        stages.push_back(std::make_unique<Metrics>(*router.app().operations.metrics));
    stages.push_back(std::make_unique<AccessLog>());
    stages.push_back(std::make_unique<HostCheck>(hosts));
    stages.push_back(std::make_unique<Cors>(cors));
    stages.push_back(std::make_unique<Authentication>(router.app()));
    return Chain(router, std::move(stages));
}

std::optional<api::Response> Chain::enter(Exchange& exchange) const {
    while (exchange.entered < stages_.size()) {
        auto answer = stages_[exchange.entered++]->before(exchange);
        if (answer) return answer;
    }
    return std::nullopt;
}

api::Response Chain::handle(const Exchange& exchange) const {
    return router_.handle(exchange.route, exchange.user, exchange.credential_refusal);
}

void Chain::leave(const Exchange& exchange, api::Response& response) const {
    for (std::size_t i = exchange.entered; i > 0; --i) stages_[i - 1]->after(exchange, response);
}

api::Response Chain::serve(Exchange& exchange) const {
    auto refusal = enter(exchange);
    api::Response response = refusal ? std::move(*refusal) : handle(exchange);
    leave(exchange, response);
    return response;
}

}  // namespace gatewatch::http
