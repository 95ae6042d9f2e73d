#pragma once
// Configuration as code: rooms, devices, notifiers and maintenance windows as
// one document whose objects are named by natural keys (a room by its name, a
// device by its IP, a notifier by its name, a window by its name and start),
// so that a file moves between installations; the plan that makes the store
// match a document; and applying it in one transaction.
//
// A document is declarative: a field left out takes its default (as a POST
// would), not the stored value. A section left out (no `devices:` at all) is
// not managed: nothing in it is changed or, with prune, deleted.
// Credentials (a notifier's secret, a webhook URL that carries one) may be
// `${NAME}` references, resolved by the reader (api/config_document.hpp):
// a Credential without a value means "NAME is unset: keep the stored one".
//
// plan() is pure: (document, stored configuration, prune) -> the lines a
// person reads and the store::ConfigWrite that does them, or ConfigError
// with every problem it found, located in the document. ConfigAsCode::apply
// plans inside the store's write transaction (nothing changes in between),
// writes all or nothing, then publishes one Reload. Thread-safe; blocks on
// the store; a plan of 100,000 devices takes well under a second.
#include "events/event_bus.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace gatewatch::service::config {

// Where something is in the document, 1-based; 0: unknown (a JSON body read without marks).
struct Mark {
    int line = 0;
    int column = 0;
};

// One problem: its place as a path ({"devices", 3, "room"}) and as a mark.
struct Problem {
    std::vector<std::variant<std::string, std::int64_t>> loc;
    Mark at;
    std::string type;  // pydantic-like: "missing", "value_error", "extra_forbidden"...
    std::string message;
};

struct ConfigError : std::runtime_error {
    explicit ConfigError(std::vector<Problem> found);
    std::vector<Problem> problems;
};

// A value that may come from the environment (`${variable}`).
struct Credential {
    std::optional<std::string> value;  // nullopt: `variable` is unset, keep what is stored
    std::string variable;              // set when written as a reference
};

struct RoomSpec {
    std::string name;
    std::optional<std::string> description;
    Mark at;
};

struct DeviceSpec {
    std::string name;
    std::string ip;  // canonical
    std::optional<std::string> room;
    bool monitored = true;
    store::Check check;
    std::optional<std::string> parent;  // its IP, canonical
    std::optional<std::vector<std::string>> locations;  // none: any one node
    int quorum = 1;
    Mark at, room_at, parent_at;
};

struct NotifierSpec {
    std::string name;
    std::string type = "webhook";
    Credential url{std::string(), {}};  // webhook only
    std::string format = "json";        // webhook only
    std::vector<std::string> to;        // email only
    Credential secret{std::string(), {}};
    std::vector<std::string> events{"down", "up"};
    std::optional<std::string> room;
    bool enabled = true;
    Mark at, room_at, url_at, secret_at;
};

struct WindowSpec {
    std::string name;
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::optional<std::string> room;
    std::vector<std::string> devices;  // IPs, canonical
    Mark at, room_at;
    std::vector<Mark> device_at;  // one per entry of `devices`
};

struct ConfigDocument {
    std::optional<std::vector<RoomSpec>> rooms;  // nullopt: the section is absent, not managed
    std::optional<std::vector<DeviceSpec>> devices;
    std::optional<std::vector<NotifierSpec>> notifiers;
    std::optional<std::vector<WindowSpec>> maintenance;
};

// One line of a plan: an object created or deleted, or one field changed.
struct PlanLine {
    enum class Action { create, change, remove };
    Action action = Action::create;
    std::string kind;  // "room", "device", "notifier", "maintenance"
    std::string key;   // the natural key: a room's or notifier's name, a device's IP, a window's name
    std::string label;  // as shown: "Lab" quoted, an IP (and the name), a window's name and start
    std::string field;  // changes only
    std::string from, to;  // changes: the values as shown (credentials never are)
    std::string note;      // why, when it is not the document's doing ("its room is deleted")
};
std::string to_text(const PlanLine& line);  // "+ device 10.0.0.5", "~ room \"Lab\": description none -> \"x\""

struct Plan {
    std::vector<PlanLine> lines;  // creates and changes in document order, then deletes
    std::size_t created = 0, changed = 0, deleted = 0;  // objects
    store::ConfigWrite write;  // handed to the store by ConfigAsCode::apply (then empty here)
    [[nodiscard]] bool empty() const { return lines.empty(); }
};
std::string summary(const Plan& plan);  // "2 to create, 1 to change, 0 to delete" or "no changes"

// The stored configuration as a document: ids become names, deleted devices
// drop out of windows, secrets and credential-bearing URLs become references
// (environment_name). Deterministic: the same store gives the same document.
ConfigDocument document_of(const store::ConfigSnapshot& stored);

// GATEWATCH_NOTIFIER_<NAME>_<WHAT>: the name upper-cased, anything but A-Z 0-9 as `_`.
std::string environment_name(std::string_view notifier, std::string_view what);

// A webhook URL that must not be printed: Slack's and ntfy's (the URL is the
// credential), and any with user info or a query (a token in it).
bool url_is_credential(const std::string& url, const std::string& format);

Plan plan(const ConfigDocument& desired, const store::ConfigSnapshot& stored, bool prune);

class ConfigAsCode {
public:
    ConfigAsCode(store::Store& store, events::EventBus& bus) : store_(store), bus_(bus) {}
    ConfigDocument current();
    // A dry run plans from a snapshot and writes nothing. Throws ConfigError,
    // and the store's errors.
    Plan apply(const ConfigDocument& desired, bool prune, bool dry_run);

private:
    store::Store& store_;
    events::EventBus& bus_;
};

}  // namespace gatewatch::service::config
