#include "config/config.hpp"

#include "http/cors.hpp"
#include "http/host_policy.hpp"
#include "net/client_address.hpp"
#include "util/text.hpp"

#include <CLI/CLI.hpp>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <set>
#include <thread>
#include <vector>

namespace gatewatch::config {
namespace {

std::chrono::milliseconds checked_seconds(double value, double lo, double hi, const char* name) {
    if (!(value >= lo && value <= hi))
        throw ConfigError(std::string(name) + " must be between " + std::to_string(lo) + " and " +
                          std::to_string(hi) + " seconds, got " + std::to_string(value));
    return std::chrono::milliseconds(static_cast<std::int64_t>(value * 1000.0 + 0.5));
}

std::int64_t checked_range(std::int64_t value, std::int64_t lo, std::int64_t hi, const char* name) {
    if (value < lo || value > hi)
        throw ConfigError(std::string(name) + " must be between " + std::to_string(lo) + " and " +
                          std::to_string(hi) + ", got " + std::to_string(value));
    return value;
}

std::string flag_of(const std::string& key) {
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

std::string variable_of(const std::string& key) {
    std::string variable = "GATEWATCH_" + key;
    std::transform(variable.begin(), variable.end(), variable.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return variable;
}

template <typename T>
T file_value(const toml::node& node, const std::string& key) {
    if constexpr (std::is_same_v<T, std::string>) {
        if (auto v = node.value<std::string>()) return *v;
        throw ConfigError("config file: `" + key + "` must be a string");
    } else if constexpr (std::is_same_v<T, bool>) {
        if (auto v = node.value<bool>()) return *v;
        throw ConfigError("config file: `" + key + "` must be true or false");
    } else if constexpr (std::is_same_v<T, double>) {
        if (auto v = node.value<double>()) return *v;
        throw ConfigError("config file: `" + key + "` must be a number");
    } else {
        if (auto v = node.value<std::int64_t>()) return *v;
        throw ConfigError("config file: `" + key + "` must be an integer");
    }
}

// One setting: declared on the command line, read from the file, applied to
// Settings (the file's value first, then the flag's or variable's over it).
struct Entry {
    std::string key;
    bool admin_too;  // also an option of the admin commands
    std::function<void(CLI::App&)> declare;
    std::function<void(const toml::node&)> read_file;
    std::function<void(Settings&)> apply;
    std::function<bool()> given_on_command_line;
};

template <typename T, typename Apply>
Entry setting(std::string key, std::string help, Apply apply, bool admin_too = false) {
    auto from_command_line = std::make_shared<std::optional<T>>();  // flag, else variable (CLI11)
    auto from_file = std::make_shared<std::optional<T>>();
    Entry e;
    e.key = key;
    e.admin_too = admin_too;
    e.declare = [=](CLI::App& app) { app.add_option(flag_of(key), *from_command_line, help)->envname(variable_of(key)); };
    e.read_file = [=](const toml::node& node) { *from_file = file_value<T>(node, key); };
    e.apply = [=](Settings& s) {
        if (*from_file) apply(s, **from_file);
        if (*from_command_line) apply(s, **from_command_line);
    };
    e.given_on_command_line = [=] { return from_command_line->has_value(); };
    return e;
}

using std::int64_t;
using std::string;

// Every setting, once. The README's configuration table lists the same.
std::vector<Entry> all_settings() {
    return {
        setting<string>("data_dir", "Directory of the database and the generated secret [data]",
                        [](Settings& s, const string& v) { s.data_dir = v; }, true),
        setting<string>("database",
                        "sqlite:PATH, or a postgresql:// URL shared by several nodes; prefer the environment "
                        "variable when it holds a password [sqlite:DATA_DIR/gatewatch.db]",
                        [](Settings& s, const string& v) { s.database = v; }, true),
        setting<string>("node_name", "This node's name among several [the host name]",
                        [](Settings& s, const string& v) { s.node_name = v; }),
        setting<string>("location", "Where this node probes from [default]",
                        [](Settings& s, const string& v) { s.location = v; }),
        setting<bool>("cluster_notify",
                      "Several nodes: wake the others with LISTEN/NOTIFY; false (or a database without it): "
                      "they poll every 0.25 s [true]",
                      [](Settings& s, bool v) { s.cluster_notify = v; }),
        setting<string>("host", "Address to listen on [127.0.0.1]", [](Settings& s, const string& v) { s.host = v; }),
        setting<int64_t>("port", "TCP port to listen on; 0 picks a free one [8000]", [](Settings& s, int64_t v) {
            s.port = static_cast<std::uint16_t>(checked_range(v, 0, 65535, "port"));
        }),
        setting<string>("secret_key",
                        "Token signing secret, at least 32 bytes; prefer the environment variable [generated]",
                        [](Settings& s, const string& v) { s.secret_key = v; }),
        setting<int64_t>("token_minutes", "Lifetime of an access token in minutes [30]", [](Settings& s, int64_t v) {
            s.token_lifetime = std::chrono::minutes(checked_range(v, 1, 525600, "token_minutes"));
        }),
        setting<bool>("registration_open",
                      "true: anyone may register (the first account becomes admin); false: only admins create "
                      "accounts [true]",
                      [](Settings& s, bool v) { s.registration_open = v; }),
        setting<int64_t>("io_threads", "Threads serving HTTP; 0 means one per core [0]", [](Settings& s, int64_t v) {
            s.io_threads = static_cast<unsigned>(checked_range(v, 0, 1024, "io_threads"));
        }),
        setting<int64_t>("hash_threads", "Threads hashing passwords; 0 means one per core less one, at least one [0]",
                         [](Settings& s, int64_t v) {
                             s.hash_threads = static_cast<unsigned>(checked_range(v, 0, 1024, "hash_threads"));
                         }),
        setting<int64_t>("hash_queue", "Logins that may wait for a hashing thread before 503 [256]",
                         [](Settings& s, int64_t v) {
                             s.hash_queue = static_cast<unsigned>(checked_range(v, 1, 1'000'000, "hash_queue"));
                         }),
        setting<int64_t>("request_timeout", "Seconds a client has to send a whole request before it is dropped [10]",
                         [](Settings& s, int64_t v) {
                             s.request_timeout = std::chrono::seconds(checked_range(v, 1, 3600, "request_timeout"));
                         }),
        setting<int64_t>("idle_timeout", "Seconds an idle keep-alive connection is kept [60]",
                         [](Settings& s, int64_t v) {
                             s.idle_timeout = std::chrono::seconds(checked_range(v, 1, 86400, "idle_timeout"));
                         }),
        setting<int64_t>("max_connections", "Concurrent connections in all; past it, 503 [16384]",
                         [](Settings& s, int64_t v) { s.max_connections = static_cast<std::size_t>(checked_range(v, 1, 1'000'000, "max_connections")); }),
        setting<int64_t>("max_connections_per_address", "Concurrent connections from one client address [256]",
                         [](Settings& s, int64_t v) {
                             s.max_connections_per_address = static_cast<std::size_t>(checked_range(v, 1, 1'000'000, "max_connections_per_address"));
                         }),
        setting<int64_t>("max_websockets", "Concurrent status WebSockets in all; past it, closed with 1013 [10000]",
                         [](Settings& s, int64_t v) { s.max_websockets = static_cast<std::size_t>(checked_range(v, 1, 1'000'000, "max_websockets")); }),
        setting<int64_t>("max_websockets_per_address", "Concurrent status WebSockets from one client address [64]",
                         [](Settings& s, int64_t v) {
                             s.max_websockets_per_address = static_cast<std::size_t>(checked_range(v, 1, 1'000'000, "max_websockets_per_address"));
                         }),
        setting<string>("cors_origins",
                        "Origins allowed cross-origin access, comma-separated (https://ops.example); none by default",
                        [](Settings& s, const string& v) {
                            try {
                                s.cors_origins = http::parse_origins(v);
                            } catch (const std::invalid_argument& e) {
                                throw ConfigError(std::string("cors_origins: ") + e.what());
                            }
                        }),
        setting<string>("allowed_hosts",
                        "Host names (name or name:port, comma-separated; * for any) answered besides localhost, "
                        "127.0.0.1, [::1] and the listen address; others get 421 [none]",
                        [](Settings& s, const string& v) {
                            try {
                                s.allowed_hosts = http::parse_allowed_hosts(v);
                            } catch (const std::invalid_argument& e) {
                                throw ConfigError(std::string("allowed_hosts: ") + e.what());
                            }
                        }),
        setting<string>("trusted_proxies",
                        "Reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For / Forwarded name the client "
                        "[none: those headers are ignored]",
                        [](Settings& s, const string& v) {
                            const auto items = util::split_list(v);
                            s.trusted_proxies.assign(items.begin(), items.end());
                            try {
                                net::ProxyList check(s.trusted_proxies);
                            } catch (const std::invalid_argument& e) {
                                throw ConfigError(std::string("trusted_proxies: ") + e.what());
                            }
                        }),
        setting<string>("log_level", "trace, debug, info, warn, error or off [info]",
                        [](Settings& s, const string& v) { s.log_level = v; }),
        setting<string>("log_format", "text, or json: one object a line for log shippers [text]",
                        [](Settings& s, const string& v) {
                            if (v != "text" && v != "json")
                                throw ConfigError("log_format must be text or json; got `" + v + "`");
                            s.log_format = v;
                        }),
        setting<double>("probe_interval", "Seconds between two rounds of probes of a device [10]",
                        [](Settings& s, double v) { s.probe_interval = checked_seconds(v, 0.1, 86400, "probe_interval"); }),
        setting<double>("probe_timeout", "Seconds to wait for one probe's answer [1]",
                        [](Settings& s, double v) { s.probe_timeout = checked_seconds(v, 0.01, 60, "probe_timeout"); }),
        setting<double>("probe_spacing", "Seconds between the probes of one round [0.25]",
                        [](Settings& s, double v) { s.probe_spacing = checked_seconds(v, 0, 60, "probe_spacing"); }),
        setting<int64_t>("pings_per_round", "Probes a round sends; it succeeds if any answers [3]",
                         [](Settings& s, int64_t v) {
                             s.pings_per_round = static_cast<int>(checked_range(v, 1, 16, "pings_per_round"));
                         }),
        setting<int64_t>("up_after", "Successful rounds in a row before a device turns connected [1]",
                         [](Settings& s, int64_t v) { s.up_after = static_cast<int>(checked_range(v, 1, 1000, "up_after")); }),
        setting<int64_t>("down_after", "Failed rounds in a row before a device turns disconnected [2]",
                         [](Settings& s, int64_t v) {
                             s.down_after = static_cast<int>(checked_range(v, 1, 1000, "down_after"));
                         }),
        setting<double>("max_probe_rate", "Probes per second over all devices; 0: no cap [50000]",
                        [](Settings& s, double v) {
                            if (!(v >= 0)) throw ConfigError("max_probe_rate must be 0 (no cap) or more");
                            s.max_probe_rate = v;
                        }),
        setting<string>("probe_method", "auto (datagram, else raw, else ping), datagram, raw or ping [auto]",
                        [](Settings& s, const string& v) { s.probe_method = v; }),
        setting<double>("push_interval", "Seconds between WebSocket status messages when nothing changes [5]",
                        [](Settings& s, double v) { s.push_interval = checked_seconds(v, 0.1, 3600, "push_interval"); }),
        setting<double>("history_flush_interval",
                        "Seconds between two writes of the rounds' history (a crash loses at most this) [60]",
                        [](Settings& s, double v) {
                            s.history_flush_interval = checked_seconds(v, 0.1, 3600, "history_flush_interval");
                        }),
        setting<bool>("metrics_public", "Serve GET /metrics without a token (behind a firewall) [false]",
                      [](Settings& s, bool v) { s.metrics_public = v; }),
        setting<string>("smtp_host", "SMTP server of email notifiers [none]",
                        [](Settings& s, const string& v) { s.smtp_host = v; }),
        setting<int64_t>("smtp_port", "SMTP server's port [587]",
                         [](Settings& s, int64_t v) {
                             s.smtp_port = static_cast<std::uint16_t>(checked_range(v, 1, 65535, "smtp_port"));
                         }),
        setting<string>("smtp_from", "Sender address of notification emails [gatewatch@<host name>]",
                        [](Settings& s, const string& v) { s.smtp_from = v; }),
        setting<string>("smtp_username", "SMTP login; none: no login [none]",
                        [](Settings& s, const string& v) { s.smtp_username = v; }),
        setting<string>("smtp_password", "SMTP password (prefer the variable or the file to the flag) [none]",
                        [](Settings& s, const string& v) { s.smtp_password = v; }),
        setting<bool>("smtp_starttls", "Require STARTTLS before the login and the message [true]",
                      [](Settings& s, bool v) { s.smtp_starttls = v; }),
        setting<double>("notification_retry",
                        "Seconds before a failed notification is sent again, doubling each time, for 24 h [10]",
                        [](Settings& s, double v) {
                            s.notification_retry = checked_seconds(v, 0.1, 3600, "notification_retry");
                        }),
        setting<string>("web_root",
                        "Folder of the dashboard's built files; none: serve the API only [installed: "
                        "../share/gatewatch/dashboard beside the binary's folder; else the build's dashboard folder]",
                        [](Settings& s, const string& v) {
                            s.web_root = v;
                            s.web_root_given = true;
                        }),
    };
}

}  // namespace

struct Overrides::Table {
    std::optional<std::string> config_file;
    std::vector<Entry> settings = all_settings();
};

Overrides::Overrides() : table_(std::make_unique<Table>()) {}
Overrides::~Overrides() = default;

void add_data_options(CLI::App& app, Overrides& o) {
    app.add_option("-c,--config", o.table().config_file, "TOML configuration file")->envname("GATEWATCH_CONFIG");
    for (const Entry& e : o.table().settings)
        if (e.admin_too) e.declare(app);
}

void add_server_options(CLI::App& app, Overrides& o) {
    add_data_options(app, o);
    for (const Entry& e : o.table().settings)
        if (!e.admin_too) e.declare(app);
}

Settings resolve(const Overrides& o) {
    const auto& entries = o.table().settings;
    if (const auto& file = o.table().config_file) {
        toml::table table;
        try {
            table = toml::parse_file(*file);
        } catch (const toml::parse_error& e) {
            throw ConfigError("config file " + *file + ": " + std::string(e.description()));
        }
        for (const auto& [key, node] : table) {
            // Any key this version does not know is an error: a typo must not be ignored.
            const std::string_view name = key.str();  // (clang 14 cannot capture a structured binding)
            const auto known = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == name; });
            if (known == entries.end())
                throw ConfigError("config file " + *file + ": unknown setting `" + std::string(name) + "`");
            known->read_file(node);
        }
    }

    Settings s;
    for (const Entry& e : entries) e.apply(s);

    // CLI11 takes an empty variable for an unset one; an empty secret must
    // still stop gatewatch rather than fall back to a generated one.
    const auto secret = std::find_if(entries.begin(), entries.end(), [](const Entry& e) { return e.key == "secret_key"; });
    if (!secret->given_on_command_line()) {
        if (const char* env = std::getenv("GATEWATCH_SECRET_KEY"); env != nullptr) s.secret_key = env;
    }

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (s.io_threads == 0) s.io_threads = cores;
    if (s.hash_threads == 0) s.hash_threads = std::max(1u, cores - 1);
    if (s.host.empty()) throw ConfigError("host must not be empty");
    if (s.data_dir.empty()) throw ConfigError("data_dir must not be empty");
    const bool postgres = s.database.starts_with("postgresql://") || s.database.starts_with("postgres://");
    if (!s.database.empty() && !postgres && !(s.database.starts_with("sqlite:") && s.database.size() > 7))
        throw ConfigError("database must be sqlite:PATH or a postgresql:// URL");
    if (s.node_name.empty()) {
        char host[256] = {};
        s.node_name = ::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0' ? host : "gatewatch";
    }
    for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"node_name", s.node_name},
                                     std::pair<const char*, const std::string&>{"location", s.location}}) {
        if (!util::is_node_label(value)) throw ConfigError(std::string(key) + " must be 1 to 64 letters, digits, '-', '_' or '.'; got `" + value + "`");
    }
    static const std::set<std::string, std::less<>> methods = {"auto", "datagram", "raw", "ping"};
    if (!methods.contains(s.probe_method))
        throw ConfigError("probe_method must be auto, datagram, raw or ping; got `" + s.probe_method + "`");
    static const std::set<std::string, std::less<>> levels = {"trace", "debug", "info", "warn", "error", "off"};
    if (!levels.contains(s.log_level))
        throw ConfigError("log_level must be one of trace, debug, info, warn, error, off; got `" + s.log_level + "`");
    return s;
}

}  // namespace gatewatch::config
