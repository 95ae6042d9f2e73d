#pragma once
// Notifiers and maintenance windows: the rules above the store, and the
// event after it (NotifiersChanged, which the notifications' dispatcher
// reloads on).
//
// A notifier must be complete after any write, a partial update included
// (merged inside the store's transaction): a webhook has a URL, an email
// notifier at least one recipient; otherwise the write throws Invalid and
// nothing is stored. Store errors (NotFound) pass through. Sending a test
// message is handed to whoever sends (notify/sender.hpp), given at
// construction. Thread-safe; calls block on the store.
#include "events/event_bus.hpp"
#include "store/store.hpp"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gatewatch::service {

struct NotifierPatch {
    std::optional<std::string> name;
    std::optional<std::string> type;
    std::optional<std::string> url;
    std::optional<std::string> format;
    std::optional<std::vector<std::string>> to;
    std::optional<std::string> secret;  // "" clears it
    std::optional<std::vector<std::string>> events;
    std::optional<std::optional<std::int64_t>> room_id;
    std::optional<bool> enabled;
};

// A notifier that would be incomplete: the field to blame and why.
struct Invalid : std::runtime_error {
    Invalid(std::string field_name, const std::string& why) : std::runtime_error(why), field(std::move(field_name)) {}
    std::string field;
};

class Notifiers {
public:
    using SendTest = std::function<void(std::int64_t notifier_id)>;
    Notifiers(store::Store& store, events::EventBus& bus, SendTest send_test)
        : store_(store), bus_(bus), send_test_(std::move(send_test)) {}

    store::Notifier create(const store::Notifier& notifier);
    std::optional<store::Notifier> update(std::int64_t id, const NotifierPatch& patch);
    bool remove(std::int64_t id);
    bool send_test(std::int64_t id);  // false: no such notifier

    store::MaintenanceWindow create_maintenance(const store::MaintenanceWindow& window);
    bool remove_maintenance(std::int64_t id);

private:
    store::Store& store_;
    events::EventBus& bus_;
    SendTest send_test_;
};

}  // namespace gatewatch::service
