#include "config/config.hpp"

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include <array>
#include <cstdlib>
#include <set>
#include <thread>

namespace gatewatch::config {
namespace {

// The TOML keys this version knows; any other key is a configuration error,
// so that a typo is not silently ignored.
const std::set<std::string, std::less<>> k_known_keys = {
    "host",         "port",        "data_dir",        "secret_key",   "token_minutes", "registration_open",
    "io_threads",   "hash_threads", "hash_queue",     "request_timeout", "idle_timeout", "log_level",
    "probe_interval", "probe_timeout", "probe_spacing", "pings_per_round", "up_after", "down_after",
    "max_probe_rate", "probe_method", "push_interval",
};

template <typename T>
std::optional<T> file_value(const toml::table& table, std::string_view key) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if constexpr (std::is_same_v<T, std::string>) {
        if (auto v = node->value<std::string>()) return v;
        throw ConfigError("config file: `" + std::string(key) + "` must be a string");
    } else if constexpr (std::is_same_v<T, bool>) {
        if (auto v = node->value<bool>()) return v;
        throw ConfigError("config file: `" + std::string(key) + "` must be true or false");
    } else if constexpr (std::is_same_v<T, double>) {
        if (auto v = node->value<double>()) return v;
        throw ConfigError("config file: `" + std::string(key) + "` must be a number");
    } else {
        if (auto v = node->value<std::int64_t>()) return static_cast<T>(*v);
        throw ConfigError("config file: `" + std::string(key) + "` must be an integer");
    }
}

// Applies `from` over `to` when set.
template <typename T, typename U>
void take(T& to, const std::optional<U>& from) {
    if (from) to = static_cast<T>(*from);
}

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

}  // namespace

void add_data_options(CLI::App& app, Overrides& o) {
    app.add_option("-c,--config", o.config_file, "TOML configuration file")->envname("GATEWATCH_CONFIG");
    app.add_option("--data-dir", o.data_dir, "Directory of the database and the generated secret [data]")
        ->envname("GATEWATCH_DATA_DIR");
}

void add_server_options(CLI::App& app, Overrides& o) {
    add_data_options(app, o);
    app.add_option("--host", o.host, "Address to listen on [127.0.0.1]")->envname("GATEWATCH_HOST");
    app.add_option("--port", o.port, "TCP port to listen on; 0 picks a free one [8000]")->envname("GATEWATCH_PORT");
    app.add_option("--secret-key", o.secret_key,
                   "Token signing secret, at least 32 bytes; prefer the environment variable [generated]")
        ->envname("GATEWATCH_SECRET_KEY");
    app.add_option("--token-minutes", o.token_minutes, "Lifetime of an access token in minutes [30]")
        ->envname("GATEWATCH_TOKEN_MINUTES");
    app.add_option("--registration-open", o.registration_open,
                   "true: anyone may register (the first account becomes admin); false: only admins create "
                   "accounts [true]")
        ->envname("GATEWATCH_REGISTRATION_OPEN");
    app.add_option("--io-threads", o.io_threads, "Threads serving HTTP; 0 means one per core [0]")
        ->envname("GATEWATCH_IO_THREADS");
    app.add_option("--hash-threads", o.hash_threads,
                   "Threads hashing passwords; 0 means one per core less one, at least one [0]")
        ->envname("GATEWATCH_HASH_THREADS");
    app.add_option("--hash-queue", o.hash_queue, "Logins that may wait for a hashing thread before 503 [256]")
        ->envname("GATEWATCH_HASH_QUEUE");
    app.add_option("--request-timeout", o.request_timeout,
                   "Seconds a client has to send a whole request before it is dropped [10]")
        ->envname("GATEWATCH_REQUEST_TIMEOUT");
    app.add_option("--idle-timeout", o.idle_timeout, "Seconds an idle keep-alive connection is kept [60]")
        ->envname("GATEWATCH_IDLE_TIMEOUT");
    app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off [info]")
        ->envname("GATEWATCH_LOG_LEVEL");
    app.add_option("--probe-interval", o.probe_interval, "Seconds between two rounds of probes of a device [10]")
        ->envname("GATEWATCH_PROBE_INTERVAL");
    app.add_option("--probe-timeout", o.probe_timeout, "Seconds to wait for one probe's answer [1]")
        ->envname("GATEWATCH_PROBE_TIMEOUT");
    app.add_option("--probe-spacing", o.probe_spacing, "Seconds between the probes of one round [0.25]")
        ->envname("GATEWATCH_PROBE_SPACING");
    app.add_option("--pings-per-round", o.pings_per_round, "Probes a round sends; it succeeds if any answers [3]")
        ->envname("GATEWATCH_PINGS_PER_ROUND");
    app.add_option("--up-after", o.up_after, "Successful rounds in a row before a device turns connected [1]")
        ->envname("GATEWATCH_UP_AFTER");
    app.add_option("--down-after", o.down_after, "Failed rounds in a row before a device turns disconnected [2]")
        ->envname("GATEWATCH_DOWN_AFTER");
    app.add_option("--max-probe-rate", o.max_probe_rate, "Probes per second over all devices; 0: no cap [50000]")
        ->envname("GATEWATCH_MAX_PROBE_RATE");
    app.add_option("--probe-method", o.probe_method,
                   "auto (datagram, else raw, else ping), datagram, raw or ping [auto]")
        ->envname("GATEWATCH_PROBE_METHOD");
    app.add_option("--push-interval", o.push_interval,
                   "Seconds between WebSocket status messages when nothing changes [5]")
        ->envname("GATEWATCH_PUSH_INTERVAL");
}

Settings resolve(const Overrides& o) {
    Overrides file;
    if (o.config_file) {
        toml::table table;
        try {
            table = toml::parse_file(*o.config_file);
        } catch (const toml::parse_error& e) {
            throw ConfigError("config file " + *o.config_file + ": " + std::string(e.description()));
        }
        for (const auto& [key, value] : table) {
            if (!k_known_keys.contains(key.str()))
                throw ConfigError("config file " + *o.config_file + ": unknown setting `" + std::string(key.str()) + "`");
        }
        file.host = file_value<std::string>(table, "host");
        if (auto port = file_value<std::int64_t>(table, "port"))
            file.port = static_cast<std::uint16_t>(checked_range(*port, 0, 65535, "port"));
        file.data_dir = file_value<std::string>(table, "data_dir");
        file.secret_key = file_value<std::string>(table, "secret_key");
        file.token_minutes = file_value<std::int64_t>(table, "token_minutes");
        file.registration_open = file_value<bool>(table, "registration_open");
        file.io_threads = file_value<unsigned>(table, "io_threads");
        file.hash_threads = file_value<unsigned>(table, "hash_threads");
        file.hash_queue = file_value<unsigned>(table, "hash_queue");
        file.request_timeout = file_value<std::int64_t>(table, "request_timeout");
        file.idle_timeout = file_value<std::int64_t>(table, "idle_timeout");
        file.log_level = file_value<std::string>(table, "log_level");
        file.probe_interval = file_value<double>(table, "probe_interval");
        file.probe_timeout = file_value<double>(table, "probe_timeout");
        file.probe_spacing = file_value<double>(table, "probe_spacing");
        file.pings_per_round = file_value<std::int64_t>(table, "pings_per_round");
        file.up_after = file_value<std::int64_t>(table, "up_after");
        file.down_after = file_value<std::int64_t>(table, "down_after");
        file.max_probe_rate = file_value<double>(table, "max_probe_rate");
        file.probe_method = file_value<std::string>(table, "probe_method");
        file.push_interval = file_value<double>(table, "push_interval");
    }

    Settings s;
    for (const Overrides* layer : std::array<const Overrides*, 2>{&file, &o}) {
        take(s.host, layer->host);
        take(s.port, layer->port);
        if (layer->data_dir) s.data_dir = *layer->data_dir;
        if (layer->secret_key) s.secret_key = *layer->secret_key;
        if (layer->token_minutes)
            s.token_lifetime = std::chrono::minutes(checked_range(*layer->token_minutes, 1, 525600, "token_minutes"));
        take(s.registration_open, layer->registration_open);
        take(s.io_threads, layer->io_threads);
        take(s.hash_threads, layer->hash_threads);
        take(s.hash_queue, layer->hash_queue);
        if (layer->request_timeout)
            s.request_timeout = std::chrono::seconds(checked_range(*layer->request_timeout, 1, 3600, "request_timeout"));
        if (layer->idle_timeout)
            s.idle_timeout = std::chrono::seconds(checked_range(*layer->idle_timeout, 1, 86400, "idle_timeout"));
        take(s.log_level, layer->log_level);
        if (layer->probe_interval) s.probe_interval = checked_seconds(*layer->probe_interval, 0.1, 86400, "probe_interval");
        if (layer->probe_timeout) s.probe_timeout = checked_seconds(*layer->probe_timeout, 0.01, 60, "probe_timeout");
        if (layer->probe_spacing) s.probe_spacing = checked_seconds(*layer->probe_spacing, 0, 60, "probe_spacing");
        if (layer->pings_per_round) s.pings_per_round = static_cast<int>(checked_range(*layer->pings_per_round, 1, 16, "pings_per_round"));
        if (layer->up_after) s.up_after = static_cast<int>(checked_range(*layer->up_after, 1, 1000, "up_after"));
        if (layer->down_after) s.down_after = static_cast<int>(checked_range(*layer->down_after, 1, 1000, "down_after"));
        if (layer->max_probe_rate) {
            if (!(*layer->max_probe_rate >= 0)) throw ConfigError("max_probe_rate must be 0 (no cap) or more");
            s.max_probe_rate = *layer->max_probe_rate;
        }
        take(s.probe_method, layer->probe_method);
        if (layer->push_interval) s.push_interval = checked_seconds(*layer->push_interval, 0.1, 3600, "push_interval");
    }

    // CLI11 takes an empty variable for an unset one; an empty secret must
    // still stop gatewatch rather than fall back to a generated one.
    if (!o.secret_key) {
        if (const char* env = std::getenv("GATEWATCH_SECRET_KEY"); env != nullptr) s.secret_key = env;
    }

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (s.io_threads == 0) s.io_threads = cores;
    if (s.hash_threads == 0) s.hash_threads = std::max(1u, cores - 1);
    if (s.hash_queue == 0) throw ConfigError("hash_queue must be at least 1");
    if (s.host.empty()) throw ConfigError("host must not be empty");
    if (s.data_dir.empty()) throw ConfigError("data_dir must not be empty");
    static const std::set<std::string, std::less<>> methods = {"auto", "datagram", "raw", "ping"};
    if (!methods.contains(s.probe_method))
        throw ConfigError("probe_method must be auto, datagram, raw or ping; got `" + s.probe_method + "`");
    static const std::set<std::string, std::less<>> levels = {"trace", "debug", "info", "warn", "error", "off"};
    if (!levels.contains(s.log_level))
        throw ConfigError("log_level must be one of trace, debug, info, warn, error, off; got `" + s.log_level + "`");
    return s;
}

}  // namespace gatewatch::config
