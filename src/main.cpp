// gatewatch: wires configuration, store, authentication, API and server.
#include "api/router.hpp"
#include "api/openapi.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password.hpp"
#include "auth/secret.hpp"
#include "auth/token.hpp"
#include "cli/admin.hpp"
#include "cli/config_commands.hpp"
#include "config/config.hpp"
#include "http/server.hpp"
#include "log/logging.hpp"
#include "monitor/monitor.hpp"
#include "api/status_hub.hpp"
#include "cluster/coordinator.hpp"
#include "service/accounts.hpp"
#include "service/change_feed.hpp"
#include "history/history_thread.hpp"
#include "metrics/collector.hpp"
#include "notify/dispatcher.hpp"
#include "notify/sender.hpp"
#include "service/notifiers.hpp"
#include "service/devices.hpp"
#include "store/pg_cluster.hpp"
#include "store/pg_history.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_history.hpp"
#include "store/sqlite_store.hpp"
#include "web/static_site.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <sodium.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

extern char** environ;

namespace gw = gatewatch;
namespace fs = std::filesystem;

namespace {

fs::path prepare_data_dir(const fs::path& dir) {
    std::error_code ec;
    // It holds the secret and the password hashes: created 0700 (umask 077),
    // but a directory someone else made (a StateDirectory, a shared mount) is
    // theirs, and its mode is left as they set it.
    const bool created = fs::create_directories(dir, ec);
    if (ec) throw gw::config::ConfigError("cannot create data directory " + dir.string() + ": " + ec.message());
    if (created) ::chmod(dir.c_str(), 0700);
    return dir / "gatewatch.db";
}

// The store and the history where the `database` setting says: SQLite files
// (gatewatch.db and history.db in data_dir, or the file it names) or one
// PostgreSQL database. The token secret: the configured one, else the data
// directory's (SQLite) or the one the nodes share in the database.
struct Stores {
    std::unique_ptr<gw::store::Store> store;
    std::unique_ptr<gw::store::HistoryStore> history;
    std::unique_ptr<gw::store::PgCluster> cluster;  // PostgreSQL: the nodes' shared state
    std::string secret;
};

// A node is dead to the others once its heartbeat is this old (the contract's 10 s).
constexpr std::chrono::milliseconds k_node_liveness{10'000};

// with_history: the server's open (it also logs where the data lives); the
// user and config commands need the store only and keep stdout for their output.
Stores open_stores(const gw::config::Settings& settings, bool with_history) {
    Stores out;
    if (gw::store::pg::is_url(settings.database)) {
        auto pg = std::make_unique<gw::store::PgStore>(settings.database);
        // The other nodes' change feeds read at once (where the database has NOTIFY at all).
        const bool notify = settings.cluster_notify && pg->accepts_notify();
        if (settings.cluster_notify && !notify)
            spdlog::warn("the database refuses NOTIFY: the nodes read each other's writes by polling");
        pg->notify_changes(notify);
        if (with_history) {
            spdlog::info("database PostgreSQL (schema version {}), node {} in location {}",
                         gw::store::PgStore::schema_version(), settings.node_name, settings.location);
            out.secret = settings.secret_key ? gw::auth::load_or_create_secret(settings.data_dir, settings.secret_key)
                                             : pg->shared_secret();
            out.history = std::make_unique<gw::store::PgHistory>(settings.database);
            out.cluster = std::make_unique<gw::store::PgCluster>(settings.database, k_node_liveness);
        }
        out.store = std::move(pg);
        return out;
    }
    const fs::path file = settings.database.empty() ? prepare_data_dir(settings.data_dir)
                                                    : fs::path(settings.database.substr(std::strlen("sqlite:")));
    if (!settings.database.empty()) prepare_data_dir(file.parent_path().empty() ? fs::path(".") : file.parent_path());
    out.store = std::make_unique<gw::store::SqliteStore>(file);
    if (with_history) {
        spdlog::info("database {} (schema version {})", file.string(), gw::store::SqliteStore::schema_version());
        prepare_data_dir(settings.data_dir);
        out.secret = gw::auth::load_or_create_secret(settings.data_dir, settings.secret_key);
        out.history = std::make_unique<gw::store::SqliteHistory>(file.parent_path() / "history.db");
    }
    return out;
}

// GATEWATCH_SECRET_KEY, GATEWATCH_SMTP_PASSWORD and GATEWATCH_DATABASE (a URL
// may hold a password) are read once
// (config::resolve). Their bytes are wiped where the kernel keeps the
// process's initial environment, which /proc/PID/environ shows for as long
// as the process lives, and the variables are removed, so no child (ping)
// inherits them.
void forget_secret_variables() {
    for (const std::string name : {"GATEWATCH_SECRET_KEY", "GATEWATCH_SMTP_PASSWORD", "GATEWATCH_DATABASE"}) {
        const std::string prefix = name + "=";
        std::vector<char*> copies;  // every copy: an environment may name a variable twice
        for (char** entry = environ; *entry != nullptr; ++entry)
            if (std::string_view(*entry).starts_with(prefix)) copies.push_back(*entry);
        ::unsetenv(name.c_str());  // first: it finds the entries by their name
        for (char* copy : copies) sodium_memzero(copy, std::strlen(copy));
    }
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Raises the soft descriptor limit to the hard one and returns how many
// connections fit below it, keeping a reserve for the database, the probe
// sockets, `ping` pipes and the log. systemd's default soft limit is 1024.
std::size_t connections_within_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return SIZE_MAX;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    if (limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
    const auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
    const std::size_t reserve = std::clamp<std::size_t>(descriptors / 4, 32, 128);
    return descriptors > reserve ? descriptors - reserve : 1;
}

// Without web_root, an installed binary (<prefix>/bin/gatewatch, as the
// Debian package puts it) serves <prefix>/share/gatewatch/dashboard; a binary
// elsewhere, the dashboard of the build that compiled it.
fs::path default_web_root(const fs::path& build_dashboard) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return build_dashboard;
    const fs::path installed = exe.parent_path().parent_path() / "share" / "gatewatch" / "dashboard";
    return fs::is_regular_file(installed / "index.html", ec) ? installed : build_dashboard;
}

gw::web::StaticSite load_dashboard(const gw::config::Settings& settings) {
    if (settings.web_root == "none") return {};
    const fs::path root = settings.web_root_given ? settings.web_root : default_web_root(settings.web_root);
    try {
        auto site = gw::web::StaticSite::load(root);
        spdlog::info("dashboard: {} files from {}", site.size(), root.string());
        return site;
    } catch (const std::exception& e) {
        if (settings.web_root_given) throw gw::config::ConfigError(std::string("web_root: ") + e.what());
        spdlog::warn("dashboard not served: {}", e.what());
        return {};
    }
}

int serve(const gw::config::Overrides& overrides) {
    const std::int64_t started_ms = wall_ms();
    auto settings = gw::config::resolve(overrides);
    forget_secret_variables();
    gw::log::setup(settings.log_level, settings.log_format);
    gw::auth::init_crypto();
    const std::size_t fitting = connections_within_descriptor_limit();
    if (settings.max_connections > fitting) {
        spdlog::warn("file descriptors: room for {} connections; max_connections lowered from {} (raise LimitNOFILE)",
                     fitting, settings.max_connections);
        settings.max_connections = fitting;
    }
    settings.max_websockets = std::min(settings.max_websockets, settings.max_connections);
    spdlog::info("file descriptors: connections capped at {}, status sockets at {}", settings.max_connections,
                 settings.max_websockets);
    auto stores = open_stores(settings, true);
    gw::store::Store& store = *stores.store;
    gw::store::HistoryStore& history_store = *stores.history;
    const gw::auth::TokenCodec tokens(std::exchange(stores.secret, {}));

    const auto site = load_dashboard(settings);
    const gw::auth::SetupCode setup_code;
    if (store.list_users().empty())
        spdlog::warn("no account yet: the first one registered becomes admin; from another machine it needs the "
                     "setup code for the first account: {}",
                     setup_code.text());
    // One stream of events: the services publish each committed write, the
    // change feed what other processes wrote, the engine each round. The hub
    // and the cache take them inline (so a 201 is visible to the next read).
    gw::events::EventBus bus;
    gw::api::ReadCache cache(store);
    gw::api::StatusHub hub;
    hub.set_node(settings.node_name, settings.location, stores.cluster != nullptr);
    const auto cache_events = bus.subscribe_inline([&](const gw::events::Event& e) { cache.apply(e); });
    gw::service::Accounts accounts(store, bus);
    gw::service::Rooms rooms(store, bus);
    gw::service::Devices devices(store, bus);
    gw::service::ChangeFeed feed(store, bus);
    gw::service::config::ConfigAsCode configuration(store, bus);
    // Notifications: the sender on its thread reads the outbox in the history
    // database; the dispatcher fills it from the history thread.
    gw::notify::SenderOptions sending;
    sending.smtp = {settings.smtp_host, settings.smtp_port,
                    settings.smtp_from.empty() ? "gatewatch@" + host_name() : settings.smtp_from,
                    settings.smtp_username, settings.smtp_password, settings.smtp_starttls};
    sending.first_retry = settings.notification_retry;
    gw::metrics::Collector metrics(store, GATEWATCH_VERSION);
    metrics.load();
    const auto metrics_events = bus.subscribe_inline([&metrics](const gw::events::Event& e) { metrics.apply(e); });
    sending.on_attempt = [&metrics](std::string_view type, bool delivered) {
        metrics.count_notification(type, delivered);
    };
    gw::notify::Sender sender(store, history_store, sending);
    gw::service::Notifiers notifiers(store, bus, [&sender](std::int64_t id) { sender.send_test(id); });
    gw::service::ApiTokens api_tokens(store, bus);
    gw::notify::Dispatcher dispatcher(store, history_store, wall_ms, [&sender] { sender.wake(); });
    // The feed marks where it starts reading before the hub loads what is
    // stored: a write in between is read again, and joining twice is a no-op.
    const auto load_membership = [&] {  // at start, and when the stream says anything may have changed
        std::vector<gw::api::MonitoredDevice> monitored;
        for (const auto& d : store.list_devices(std::nullopt))
            if (d.monitored) monitored.push_back({d.id, d.ip, d.locations});
        hub.set_devices(monitored);
    };
    load_membership();
    const auto hub_events = bus.subscribe_inline([&](const gw::events::Event& e) {
        if (std::holds_alternative<gw::events::Reload>(e))
            load_membership();
        else
            hub.apply(e);
    });
    gw::auth::LoginThrottle throttle;
    gw::monitor::MonitorOptions probing;
    probing.interval = settings.probe_interval;
    probing.timeout = settings.probe_timeout;
    probing.spacing = settings.probe_spacing;
    probing.pings_per_round = settings.pings_per_round;
    probing.thresholds = {settings.up_after, settings.down_after};
    probing.max_rate = settings.max_probe_rate;
    probing.method = *gw::monitor::parse_probe_method(settings.probe_method);
    probing.wait_for_assignment = stores.cluster != nullptr;  // the coordinator says which devices
    if (stores.cluster) {  // and combines the locations' views of a device that lists them
        probing.node_name = settings.node_name;
        probing.view_location = settings.location;
    }
    gw::monitor::Monitor monitor(probing, store, bus);
    const gw::store::NodeIdentity node{settings.node_name, settings.location, started_ms,
                                       gw::monitor::to_string(monitor.method()), GATEWATCH_VERSION};
    std::unique_ptr<gw::cluster::Coordinator> coordinator;
    if (stores.cluster) {
        gw::cluster::CoordinatorOptions clustering;
        clustering.node = node;
        clustering.liveness = k_node_liveness;
        clustering.notify = settings.cluster_notify;
        clustering.on_config = [&feed] { feed.wake(); };
        coordinator = std::make_unique<gw::cluster::Coordinator>(clustering, *stores.cluster, store, bus);
    }
    std::atomic<bool> monitor_running{false};
    gw::api::Operations operations{&metrics, [&monitor_running] { return monitor_running.load(); },
                                   {}, {}, gw::monitor::to_string(monitor.method()), settings.metrics_public,
                                   GATEWATCH_VERSION};
    if (coordinator) {
        operations.cluster_state = [&coordinator] { return coordinator->state(); };
        operations.nodes = [&stores] { return stores.cluster->nodes(); };
    } else {
        operations.nodes = [&node, &hub] {  // SQLite: this node alone
            gw::store::NodeRow row{node.name, node.location, node.started_ms, wall_ms(), true,
                                   static_cast<std::int64_t>(hub.size()), node.probe_method, node.version};
            return std::vector{row};
        };
    }
    const gw::api::Router router({store, {accounts, rooms, devices, notifiers, api_tokens}, tokens, cache, hub, throttle,
                                  settings.token_lifetime, settings.registration_open, &site, &setup_code,
                                  &history_store, operations, &configuration});
    gw::http::Server server({settings.host, settings.port, settings.io_threads, settings.hash_threads,
                             settings.hash_queue, settings.request_timeout, settings.idle_timeout, 16 * 1024,
                             1024 * 1024, settings.push_interval,
                             {settings.max_connections, settings.max_connections_per_address, settings.max_websockets,
                              settings.max_websockets_per_address},
                             gw::http::CorsPolicy(settings.cors_origins), settings.allowed_hosts,
                             gw::net::ProxyList(settings.trusted_proxies)},
                            router);
    hub.on_change([&server] { server.status_changed(); });
    const auto server_events = bus.subscribe_inline([&server](const gw::events::Event& e) {
        if (std::holds_alternative<gw::events::AccountChanged>(e) || std::holds_alternative<gw::events::Reload>(e))
            server.credentials_changed();  // open status sockets check their tokens again
    });

    metrics.set_sources({[&server] { return server.websocket_clients(); },
                         [&monitor] {
                             const auto c = monitor.counters();
                             return gw::metrics::Collector::Sources::Probes{c.answered, c.lost};
                         },
                         gw::monitor::to_string(monitor.method())});
    // Subscribed before the engine starts, so that its first rounds are kept.
    gw::history::HistoryOptions recording;
    recording.flush_interval = settings.history_flush_interval;
    if (stores.cluster) {  // and this location's view of the devices that list locations
        recording.node_name = settings.node_name;
        recording.location = settings.location;
    }
    gw::history::HistoryThread history(history_store, bus, recording, &dispatcher);

    // Signals belong here, not to the server: SIGINT or SIGTERM stops the
    // parts in order, from the edge inwards.
    boost::asio::io_context signal_context;
    boost::asio::signal_set signals(signal_context, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {} received: stopping (finishing requests in flight)", signal);
        if (coordinator) {  // hand the devices over first: draining the server may take seconds
            monitor_running = false;
            monitor.stop();
            history.probing_stopped();  // before the others may take the devices over
            coordinator->stop();
        }
        server.stop();
    });
    std::thread signal_thread([&signal_context] { signal_context.run(); });

    sender.start();
    history.start();
    monitor.start();
    if (coordinator) coordinator->start();  // after the engine subscribed: it hears the first Assignment
    monitor_running = true;
    feed.start();
    server.run();     // until stop(): no new connection, requests in flight finished
    signals.cancel();
    signal_thread.join();
    feed.stop();      // no more events from other processes
    monitor_running = false;
    monitor.stop();   // the engine, its subscription and its `ping` children, reaped
    history.probing_stopped();
    if (coordinator) coordinator->stop();  // the last statuses written, the devices freed for the other nodes
    history.stop();   // the last rounds written, every device `unknown` from when probing stopped
    sender.stop();    // what is not sent stays in the outbox for the next start
    spdlog::info("stopped");
    return 0;
}

template <typename Command>
int with_store(const gw::config::Overrides& overrides, Command&& command) {
    const auto settings = gw::config::resolve(overrides);
    gw::auth::init_crypto();
    auto stores = open_stores(settings, false);
    return command(*stores.store);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"gatewatch: a live up/down monitor for network gateways and devices"};
    app.set_version_flag("--version", GATEWATCH_VERSION);
    app.require_subcommand(1);

    gw::config::Overrides serve_overrides;
    auto* serve_cmd = app.add_subcommand("serve", "Run the HTTP API server");
    gw::config::add_server_options(*serve_cmd, serve_overrides);

    gw::config::Overrides user_overrides;
    auto* user_cmd = app.add_subcommand("user", "Manage accounts (safe while the server runs)");
    user_cmd->require_subcommand(1);
    std::string username;
    std::string role = "viewer";
    std::optional<std::string> password_hash;
    auto* add_cmd = user_cmd->add_subcommand("add", "Create an account; the password is read from standard input");
    add_cmd->add_option("name", username, "Username")->required();
    add_cmd->add_option("--role", role, "admin or viewer [viewer]")->check(CLI::IsMember({"admin", "viewer"}));
    add_cmd->add_option("--password-hash", password_hash,
                        "Import an existing argon2id or bcrypt hash instead of reading a password");
    auto* passwd_cmd = user_cmd->add_subcommand("passwd", "Set a password, read from standard input");
    passwd_cmd->add_option("name", username, "Username")->required();
    auto* list_cmd = user_cmd->add_subcommand("list", "List accounts: id, username, role");
    auto* delete_cmd = user_cmd->add_subcommand("delete", "Delete an account; its tokens stop working");
    delete_cmd->add_option("name", username, "Username")->required();
    for (auto* cmd : {add_cmd, passwd_cmd, list_cmd, delete_cmd}) gw::config::add_data_options(*cmd, user_overrides);

    auto* openapi_cmd = app.add_subcommand("openapi", "Print the OpenAPI 3.1 document of the HTTP API (as GET /openapi.json)");

    gw::config::Overrides config_overrides;
    auto* export_cmd = app.add_subcommand(
        "export", "Print the configuration as YAML: rooms, devices, notifiers (secrets as ${NAME}), maintenance");
    auto* apply_cmd = app.add_subcommand("apply", "Make the store match a YAML file, in one transaction (safe while "
                                                  "the server runs)");
    std::string apply_file;
    bool dry_run = false;
    bool prune = false;
    apply_cmd->add_option("file", apply_file, "The YAML (or JSON) file; - reads standard input")->required();
    apply_cmd->add_flag("--dry-run", dry_run, "Print what would change, and change nothing");
    apply_cmd->add_flag("--prune", prune, "Also delete what the file's sections leave out");
    for (auto* cmd : {export_cmd, apply_cmd}) gw::config::add_data_options(*cmd, config_overrides);

    CLI11_PARSE(app, argc, argv);
    ::umask(077);  // the database, its journal and the secret are for our eyes only

    if (openapi_cmd->parsed()) {
        std::cout << boost::json::serialize(gw::api::openapi_document(GATEWATCH_VERSION)) << '\n';
        return 0;
    }
    try {
        if (serve_cmd->parsed()) {
            const int code = serve(serve_overrides);
            spdlog::shutdown();  // flush the buffered log
            return code;
        }
        if (export_cmd->parsed())
            return with_store(config_overrides,
                              [](gw::store::Store& store) { return gw::cli::config_export(store, std::cout); });
        if (apply_cmd->parsed())
            return with_store(config_overrides, [&](gw::store::Store& store) {
                return gw::cli::config_apply(store, apply_file, dry_run, prune, std::cout, std::cerr);
            });
        return with_store(user_overrides, [&](gw::store::Store& store) {
            if (add_cmd->parsed()) return gw::cli::user_add(store, username, role, password_hash);
            if (passwd_cmd->parsed()) return gw::cli::user_passwd(store, username);
            if (list_cmd->parsed()) return gw::cli::user_list(store);
            return gw::cli::user_delete(store, username);
        });
    } catch (const gw::config::ConfigError& e) {
        std::cerr << "gatewatch: configuration error: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "gatewatch: " << e.what() << '\n';
        spdlog::shutdown();
        return 1;
    }
}
