#pragma once
// Settings of `gatewatch serve` and the admin commands, and where they come from.
//
// Precedence: command-line flag > GATEWATCH_* environment variable > TOML file
// (--config / GATEWATCH_CONFIG) > built-in default. Every setting has all
// three spellings: flag --token-minutes, variable GATEWATCH_TOKEN_MINUTES,
// file key token_minutes.
// Invalid values are fatal at start: resolve() throws ConfigError with a
// message naming the setting.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef GATEWATCH_DEFAULT_WEB_ROOT
#define GATEWATCH_DEFAULT_WEB_ROOT "web"
#endif

namespace CLI {
class App;
}

namespace gatewatch::config {

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Settings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;
    std::filesystem::path data_dir = "data";
    // Where the data lives: empty (SQLite in data_dir), `sqlite:PATH` (the
    // main file; history.db beside it) or a postgresql:// URL (several nodes).
    std::string database;
    std::string node_name;             // empty: the host name
    std::string location = "default";  // where this node probes from
    bool cluster_notify = true;  // several nodes: LISTEN/NOTIFY, else polling only
    std::optional<std::string> secret_key;  // none: generated into data_dir
    std::chrono::minutes token_lifetime{30};
    bool registration_open = true;
    unsigned io_threads = 0;    // 0: one per core
    unsigned hash_threads = 0;  // 0: one per core, less one for I/O, at least one
    unsigned hash_queue = 256;  // logins waiting for a hashing thread before 503
    std::chrono::seconds request_timeout{10};  // to receive one whole request
    std::chrono::seconds idle_timeout{60};     // keep-alive connection with no request
    // Abuse limits: concurrent connections (and status WebSockets), in total and per client address.
    std::size_t max_connections = 16384;
    std::size_t max_connections_per_address = 256;
    std::size_t max_websockets = 10000;
    std::size_t max_websockets_per_address = 64;
    std::vector<std::string> cors_origins;  // origins allowed cross-origin access; empty: none
    std::vector<std::string> allowed_hosts;    // Host names answered besides the defaults (http/host_policy.hpp)
    std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For / Forwarded name the client
    std::string log_level = "info";
    std::string log_format = "text";  // text or json

    // The monitor.
    std::chrono::milliseconds probe_interval{10'000};
    std::chrono::milliseconds probe_timeout{1'000};
    std::chrono::milliseconds probe_spacing{250};
    int pings_per_round = 3;
    int up_after = 1;
    int down_after = 2;
    double max_probe_rate = 50'000;    // probes per second; 0: no cap
    std::string probe_method = "auto";  // auto, datagram, raw, ping
    std::chrono::milliseconds push_interval{5'000};  // WebSocket heartbeat

    // The history: how often rounds are written (status changes: within a second).
    std::chrono::milliseconds history_flush_interval{60'000};

    bool metrics_public = false;  // GET /metrics without a token

    // Notifications: the SMTP server email notifiers send through (none: email
    // deliveries fail with a clear error), and the first retry's delay (doubling after).
    std::string smtp_host;
    std::uint16_t smtp_port = 587;
    std::string smtp_from;
    std::string smtp_username;  // empty: no login
    std::string smtp_password;
    bool smtp_starttls = true;
    std::chrono::milliseconds notification_retry{10'000};

    // The dashboard. By default the folder the build wrote it to; a missing
    // default is a warning (API only), a missing folder that was asked for is fatal.
    std::filesystem::path web_root = GATEWATCH_DEFAULT_WEB_ROOT;
    bool web_root_given = false;
};

// The settings' declarations and the values given for them on the command
// line, in the environment and in the file. Each setting is declared once, in
// config.cpp's table; its flag and variable are spelled from its file key
// (probe_interval: --probe-interval, GATEWATCH_PROBE_INTERVAL).
class Overrides {
public:
    Overrides();
    ~Overrides();
    Overrides(const Overrides&) = delete;
    Overrides& operator=(const Overrides&) = delete;

    struct Table;
    [[nodiscard]] const Table& table() const { return *table_; }
    Table& table() { return *table_; }

private:
    std::unique_ptr<Table> table_;
};

// Declares every server setting on `app` (flag + GATEWATCH_* variable).
void add_server_options(CLI::App& app, Overrides& overrides);

// Declares only what the admin commands need (--config, --data-dir).
void add_data_options(CLI::App& app, Overrides& overrides);

// Merges defaults, the TOML file and the overrides; validates the result.
Settings resolve(const Overrides& overrides);

}  // namespace gatewatch::config
