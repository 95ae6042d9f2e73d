#include "service/notifiers.hpp"

namespace gatewatch::service {

namespace {
void require_complete(const store::Notifier& n) {
    if (n.type == "webhook" && n.url.empty()) throw Invalid("url", "a webhook notifier needs a url");
    if (n.type == "email" && n.to.empty()) throw Invalid("to", "an email notifier needs at least one address in to");
}
}  // namespace

store::Notifier Notifiers::create(const store::Notifier& notifier) {
    require_complete(notifier);
    auto created = store_.create_notifier(notifier);
    bus_.publish(events::NotifiersChanged{});
    return created;
}

std::optional<store::Notifier> Notifiers::update(std::int64_t id, const NotifierPatch& patch) {
    auto notifier = store_.update_notifier(id, [&](store::Notifier& n) {
        if (patch.name) n.name = *patch.name;
        if (patch.type) n.type = *patch.type;
        if (patch.url) n.url = *patch.url;
        if (patch.format) n.format = *patch.format;
        if (patch.to) n.to = *patch.to;
        if (patch.secret) n.secret = *patch.secret;
        if (patch.events) n.events = *patch.events;
        if (patch.room_id) n.room_id = *patch.room_id;
        if (patch.enabled) n.enabled = *patch.enabled;
        require_complete(n);  // throws inside the transaction: nothing is written
    });
    if (notifier) bus_.publish(events::NotifiersChanged{});
    return notifier;
}

bool Notifiers::remove(std::int64_t id) {
    if (!store_.delete_notifier(id)) return false;
    bus_.publish(events::NotifiersChanged{});
    return true;
}

bool Notifiers::send_test(std::int64_t id) {
    if (!store_.find_notifier(id)) return false;
    send_test_(id);
    return true;
}

store::MaintenanceWindow Notifiers::create_maintenance(const store::MaintenanceWindow& window) {
    auto created = store_.create_maintenance(window);
    bus_.publish(events::NotifiersChanged{});
    return created;
}

bool Notifiers::remove_maintenance(std::int64_t id) {
    if (!store_.delete_maintenance(id)) return false;
    bus_.publish(events::NotifiersChanged{});
    return true;
}

}  // namespace gatewatch::service
