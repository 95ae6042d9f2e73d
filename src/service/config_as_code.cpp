#include "service/config_as_code.hpp"

#include "wire/representation.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace gatewatch::service::config {

namespace {

using Action = PlanLine::Action;
using Loc = std::vector<std::variant<std::string, std::int64_t>>;

std::string quoted(const std::string& text) { return '"' + text + '"'; }
std::string quoted(const std::optional<std::string>& text) { return text ? quoted(*text) : "none"; }
std::string shown(const std::optional<std::string>& ip) { return ip ? *ip : "none"; }
std::string shown(const store::Check& c) {
    return c.type == store::Check::Type::tcp ? "tcp port " + std::to_string(c.port) : "icmp";
}
std::string shown(bool b) { return b ? "true" : "false"; }
std::string shown(const std::vector<std::string>& list) {
    std::string out = "[";
    for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + list[i];
    return out + "]";
}
std::string shown_locations(const std::optional<std::vector<std::string>>& locations) {
    return locations ? shown(*locations) : "any";
}
std::string window_key(const std::string& name, std::int64_t start_ms) {
    return quoted(name) + " " + wire::format_time_ms(start_ms);
}

// A natural key -> the stored row with it, or -1 when two rows share it (a
// store written through the API may hold two rooms of one name).
template <typename Row, typename Key>
std::map<std::string, std::ptrdiff_t> index_by(const std::vector<Row>& rows, Key&& key) {
    std::map<std::string, std::ptrdiff_t> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto [it, fresh] = out.emplace(key(rows[i]), static_cast<std::ptrdiff_t>(i));
        if (!fresh) it->second = -1;
    }
    return out;
}

std::string window_id_key(const std::string& name, std::int64_t start_ms) {
    return name + '\n' + std::to_string(start_ms);
}

// The plan being built, with the problems found on the way.
class Planner {
public:
    Planner(const ConfigDocument& d, const store::ConfigSnapshot& s, bool prune) : doc_(d), stored_(s), prune_(prune) {}

    Plan run() {
        index_stored();
        find_duplicates();
        settle_rooms();
        settle_devices();
        check_parents();
        plan_rooms();
        plan_devices();
        plan_notifiers();
        plan_windows();
        plan_deletes();
        if (!problems_.empty()) throw ConfigError(std::move(problems_));
        return std::move(out_);
    }

private:
    // A room or device as the write will see it: created by it (its index) or stored (its id).
    struct Target {
        std::optional<std::size_t> created;
        std::int64_t id = 0;
    };

    void problem(Loc loc, Mark at, std::string type, std::string message) {
        problems_.push_back(Problem{std::move(loc), at, std::move(type), std::move(message)});
    }
    // `key` is the natural key; the label shows it (quoted names, a device's name, a window's start).
    void line(Action a, std::string kind, std::string key, std::string label, std::string field = {},
              std::string from = {}, std::string to = {}, std::string note = {}) {
        out_.lines.push_back(PlanLine{a, std::move(kind), std::move(key), std::move(label), std::move(field),
                                      std::move(from), std::move(to), std::move(note)});
    }

    void index_stored() {
        rooms_by_name_ = index_by(stored_.rooms, [](const store::Room& r) { return r.name; });
        for (std::size_t i = 0; i < stored_.rooms.size(); ++i) room_name_[stored_.rooms[i].id] = stored_.rooms[i].name;
        for (std::size_t i = 0; i < stored_.devices.size(); ++i) {
            devices_by_ip_.emplace(stored_.devices[i].ip, i);
            device_ip_[stored_.devices[i].id] = stored_.devices[i].ip;
        }
        notifiers_by_name_ = index_by(stored_.notifiers, [](const store::Notifier& n) { return n.name; });
        windows_by_key_ = index_by(stored_.maintenance,
                                   [](const store::MaintenanceWindow& w) { return window_id_key(w.name, w.start_ms); });
    }

    // Two objects of the document with one key: the second is the problem.
    void find_duplicates() {
        auto check = [&](const auto& list, const char* section, const char* field, auto&& key, const char* what) {
            if (!list) return;
            std::unordered_map<std::string, Mark> seen;
            for (std::size_t i = 0; i < list->size(); ++i) {
                const auto& item = (*list)[i];
                auto [it, fresh] = seen.emplace(key(item), item.at);
                if (!fresh)
                    problem({section, static_cast<std::int64_t>(i), field}, item.at, "value_error",
                            std::string(what) + " is already at line " + std::to_string(it->second.line));
            }
        };
        check(doc_.rooms, "rooms", "name", [](const RoomSpec& r) { return r.name; }, "a room of this name");
        check(doc_.devices, "devices", "ip", [](const DeviceSpec& d) { return d.ip; }, "a device with this ip");
        check(doc_.notifiers, "notifiers", "name", [](const NotifierSpec& n) { return n.name; },
              "a notifier of this name");
        check(doc_.maintenance, "maintenance", "start",
              [](const WindowSpec& w) { return window_id_key(w.name, w.start_ms); },
              "a maintenance window of this name and start");
    }

    // Which rooms exist after the write: the document's, and the stored ones it does not delete.
    void settle_rooms() {
        if (doc_.rooms) {
            std::size_t created = 0;
            for (const auto& r : *doc_.rooms) {
                if (final_rooms_.contains(r.name)) continue;  // a duplicate, reported
                const auto it = rooms_by_name_.find(r.name);
                if (it != rooms_by_name_.end() && it->second >= 0)
                    final_rooms_[r.name] = Target{std::nullopt, stored_.rooms[static_cast<std::size_t>(it->second)].id};
                else if (it == rooms_by_name_.end())
                    final_rooms_[r.name] = Target{created++, 0};
                else
                    final_rooms_[r.name] = Target{std::nullopt, -1};  // ambiguous: reported where used
            }
        }
        for (const auto& r : stored_.rooms) {
            if (doc_.rooms && prune_) {
                if (!final_rooms_.contains(r.name)) deleted_rooms_.insert(r.id);
                continue;
            }
            if (final_rooms_.contains(r.name)) continue;
            const bool ambiguous = rooms_by_name_.at(r.name) < 0;
            final_rooms_[r.name] = Target{std::nullopt, ambiguous ? -1 : r.id};
        }
        // A stored name shared by two rooms, one of them kept by a prune, is ambiguous all the same.
        if (doc_.rooms)
            for (std::size_t i = 0; i < doc_.rooms->size(); ++i) {
                const auto& r = (*doc_.rooms)[i];
                const auto it = rooms_by_name_.find(r.name);
                if (it != rooms_by_name_.end() && it->second < 0)
                    problem({"rooms", static_cast<std::int64_t>(i), "name"}, r.at, "value_error",
                            "the store holds more than one room named " + quoted(r.name) +
                                ": rename all but one first (PUT /rooms/{id})");
            }
    }

    void settle_devices() {
        if (doc_.devices) {
            std::size_t created = 0;
            for (const auto& d : *doc_.devices) {
                if (final_devices_.contains(d.ip)) continue;
                const auto it = devices_by_ip_.find(d.ip);
                final_devices_[d.ip] = it != devices_by_ip_.end() ? Target{std::nullopt, stored_.devices[it->second].id}
                                                                   : Target{created++, 0};
            }
        }
        for (const auto& d : stored_.devices) {
            if (final_devices_.contains(d.ip)) continue;
            if (doc_.devices && prune_)
                deleted_devices_.insert(d.id);
            else
                final_devices_[d.ip] = Target{std::nullopt, d.id};
        }
    }

    // A room named by an object of the document: where it will be, or a problem.
    std::optional<Target> room_target(const std::string& name, Loc loc, Mark at) {
        const auto it = final_rooms_.find(name);
        if (it == final_rooms_.end()) {
            const bool pruned = rooms_by_name_.contains(name);
            problem(std::move(loc), at, "value_error",
                    pruned ? "room " + quoted(name) + " is deleted by --prune (it is not in the document's rooms)"
                           : "no room named " + quoted(name) + " in the document or the store");
            return std::nullopt;
        }
        if (it->second.id < 0) {
            problem(std::move(loc), at, "value_error",
                    "the store holds more than one room named " + quoted(name) + ": rename all but one first");
            return std::nullopt;
        }
        return it->second;
    }

    std::optional<Target> device_target(const std::string& ip, Loc loc, Mark at) {
        const auto it = final_devices_.find(ip);
        if (it != final_devices_.end()) return it->second;
        problem(std::move(loc), at, "value_error",
                devices_by_ip_.contains(ip) ? "device " + ip + " is deleted by --prune (it is not in the document)"
                                            : "no device " + ip + " in the document or the store");
        return std::nullopt;
    }

    // Parents after the write, by IP: the document's, and the kept stored
    // devices' own (none when theirs is deleted). A circle is a problem at the
    // first of the document's devices on it.
    void check_parents() {
        if (!doc_.devices) return;  // stored parents alone cannot go round
        std::unordered_map<std::string, std::string> parent_of;
        std::unordered_map<std::string, std::size_t> position;
        for (std::size_t i = 0; i < doc_.devices->size(); ++i) {
            const auto& d = (*doc_.devices)[i];
            position.emplace(d.ip, i);
            if (d.parent) parent_of.emplace(d.ip, *d.parent);
        }
        for (const auto& d : stored_.devices) {
            if (position.contains(d.ip) || deleted_devices_.contains(d.id) || !d.parent_id) continue;
            const auto parent = stored_ip(*d.parent_id);
            if (parent && !deleted_devices_.contains(*d.parent_id)) parent_of.emplace(d.ip, *parent);
        }
        std::unordered_map<std::string, int> state;  // 1: on this walk, 2: known to end
        for (std::size_t i = 0; i < doc_.devices->size(); ++i) {
            const auto& start = (*doc_.devices)[i];
            std::vector<std::string> walk;
            std::string at = start.ip;
            for (;;) {
                auto& seen = state[at];
                if (seen == 2) break;
                if (seen == 1) {
                    std::string circle;
                    const auto from = std::find(walk.begin(), walk.end(), at);
                    for (auto it = from; it != walk.end(); ++it) circle += *it + " -> ";
                    const auto first = std::min_element(from, walk.end(), [&](const auto& a, const auto& b) {
                        const auto pa = position.find(a), pb = position.find(b);
                        return (pa == position.end() ? SIZE_MAX : pa->second) <
                               (pb == position.end() ? SIZE_MAX : pb->second);
                    });
                    const std::size_t index = position.contains(*first) ? position.at(*first) : i;
                    problem({"devices", static_cast<std::int64_t>(index), "parent"},
                            (*doc_.devices)[index].parent_at, "value_error",
                            "parents go round in a circle: " + circle + at);
                    break;
                }
                seen = 1;
                walk.push_back(at);
                const auto up = parent_of.find(at);
                if (up == parent_of.end()) break;
                at = up->second;
            }
            for (const auto& ip : walk) state[ip] = 2;
        }
    }

    std::optional<std::string> stored_ip(std::int64_t id) const {
        const auto it = device_ip_.find(id);
        return it == device_ip_.end() ? std::nullopt : std::optional(it->second);
    }
    std::optional<std::string> stored_room_name(const std::optional<std::int64_t>& id) const {
        if (!id) return std::nullopt;
        const auto it = room_name_.find(*id);
        return it == room_name_.end() ? std::nullopt : std::optional(it->second);
    }

    void plan_rooms() {
        if (!doc_.rooms) return;
        std::unordered_set<std::string> done;
        for (const auto& r : *doc_.rooms) {
            if (!done.insert(r.name).second) continue;
            const auto it = rooms_by_name_.find(r.name);
            if (it == rooms_by_name_.end()) {
                out_.write.create_rooms.push_back(store::Room{0, r.name, r.description});
                line(Action::create, "room", r.name, quoted(r.name));
                ++out_.created;
                continue;
            }
            if (it->second < 0) continue;  // reported
            const auto& s = stored_.rooms[static_cast<std::size_t>(it->second)];
            if (s.description == r.description) continue;
            line(Action::change, "room", r.name, quoted(r.name), "description", quoted(s.description), quoted(r.description));
            out_.write.update_rooms.push_back(store::Room{s.id, s.name, r.description});
            ++out_.changed;
        }
    }

    void plan_devices() {
        if (!doc_.devices) return;
        std::unordered_set<std::string> done;
        for (std::size_t i = 0; i < doc_.devices->size(); ++i) {
            const auto& d = (*doc_.devices)[i];
            if (!done.insert(d.ip).second) continue;
            const auto index = static_cast<std::int64_t>(i);
            store::ConfigWrite::DeviceRow row;
            row.device.name = d.name;
            row.device.ip = d.ip;
            row.device.monitored = d.monitored;
            row.device.check = d.check;
            row.device.locations = d.locations;
            row.device.quorum = d.quorum;
            if (d.room) {
                const auto room = room_target(*d.room, {"devices", index, "room"}, d.room_at);
                if (!room) continue;
                row.new_room = room->created;
                if (!room->created) row.device.room_id = room->id;
            }
            if (d.parent) {
                const auto parent = device_target(*d.parent, {"devices", index, "parent"}, d.parent_at);
                if (!parent) continue;
                row.new_parent = parent->created;
                if (!parent->created) row.device.parent_id = parent->id;
            }
            const auto stored = devices_by_ip_.find(d.ip);
            if (stored == devices_by_ip_.end()) {
                out_.write.create_devices.push_back(std::move(row));
                line(Action::create, "device", d.ip, d.ip + " " + quoted(d.name));
                ++out_.created;
                continue;
            }
            const auto& s = stored_.devices[stored->second];
            row.device.id = s.id;
            const std::size_t before = out_.lines.size();
            if (s.name != d.name) line(Action::change, "device", d.ip, d.ip, "name", quoted(s.name), quoted(d.name));
            if (s.room_id != row.device.room_id || row.new_room)
                line(Action::change, "device", d.ip, d.ip, "room", quoted(stored_room_name(s.room_id)), quoted(d.room));
            if (s.monitored != d.monitored)
                line(Action::change, "device", d.ip, d.ip, "monitored", shown(s.monitored), shown(d.monitored));
            if (s.check != d.check) line(Action::change, "device", d.ip, d.ip, "check", shown(s.check), shown(d.check));
            if (s.parent_id != row.device.parent_id || row.new_parent)
                line(Action::change, "device", d.ip, d.ip, "parent",
                     shown(s.parent_id ? stored_ip(*s.parent_id) : std::nullopt), shown(d.parent));
            if (s.locations != d.locations)
                line(Action::change, "device", d.ip, d.ip, "locations", shown_locations(s.locations),
                     shown_locations(d.locations));
            if (s.quorum != d.quorum)
                line(Action::change, "device", d.ip, d.ip, "quorum", std::to_string(s.quorum), std::to_string(d.quorum));
            if (out_.lines.size() == before) continue;
            out_.write.update_devices.push_back(std::move(row));
            ++out_.changed;
        }
    }

    // The credential as it will be stored: the document's, or the stored one
    // when its variable is unset; a problem when there is none to keep.
    std::optional<std::string> resolve(const Credential& c, const std::string* stored, Loc loc, Mark at) {
        if (c.value) return c.value;
        if (stored != nullptr && !stored->empty()) return *stored;
        problem(std::move(loc), at, "missing",
                "environment variable " + c.variable +
                    " is not set (PUT /config never reads references: send the value itself), and there is no "
                    "stored value to keep");
        return std::nullopt;
    }

    void plan_notifiers() {
        if (!doc_.notifiers) return;
        std::unordered_set<std::string> done;
        for (std::size_t i = 0; i < doc_.notifiers->size(); ++i) {
            const auto& n = (*doc_.notifiers)[i];
            if (!done.insert(n.name).second) continue;
            const auto index = static_cast<std::int64_t>(i);
            const auto it = notifiers_by_name_.find(n.name);
            if (it != notifiers_by_name_.end() && it->second < 0) {
                problem({"notifiers", index, "name"}, n.at, "value_error",
                        "the store holds more than one notifier named " + quoted(n.name) + ": rename all but one first");
                continue;
            }
            const store::Notifier* s =
                it == notifiers_by_name_.end() ? nullptr : &stored_.notifiers[static_cast<std::size_t>(it->second)];
            store::ConfigWrite::NotifierRow row;
            row.notifier = s != nullptr ? *s : store::Notifier{};  // fields of the other type stay as stored
            row.notifier.name = n.name;
            row.notifier.type = n.type;
            row.notifier.events = n.events;
            row.notifier.enabled = n.enabled;
            row.notifier.room_id.reset();
            const bool webhook = n.type == "webhook";
            if (webhook) {
                const auto url = resolve(n.url, s != nullptr && s->type == "webhook" ? &s->url : nullptr,
                                         {"notifiers", index, "url"}, n.url_at);
                if (!url) continue;
                if (url->empty()) {
                    problem({"notifiers", index, "url"}, n.at, "missing", "a webhook notifier needs a url");
                    continue;
                }
                row.notifier.url = *url;
                row.notifier.format = n.format;
            } else {
                row.notifier.to = n.to;
            }
            const auto secret =
                resolve(n.secret, s != nullptr ? &s->secret : nullptr, {"notifiers", index, "secret"}, n.secret_at);
            if (!secret) continue;
            row.notifier.secret = *secret;
            if (n.room) {
                const auto room = room_target(*n.room, {"notifiers", index, "room"}, n.room_at);
                if (!room) continue;
                row.new_room = room->created;
                if (!room->created) row.notifier.room_id = room->id;
            }
            if (s == nullptr) {
                out_.write.create_notifiers.push_back(std::move(row));
                line(Action::create, "notifier", n.name, quoted(n.name));
                ++out_.created;
                continue;
            }
            const auto& w = row.notifier;
            const std::string key = quoted(n.name);
            const std::size_t before = out_.lines.size();
            if (s->type != w.type) line(Action::change, "notifier", n.name, key, "type", s->type, w.type);
            if (webhook && s->url != w.url) line(Action::change, "notifier", n.name, key, "url", "(not shown)", "(not shown)");
            if (webhook && s->format != w.format) line(Action::change, "notifier", n.name, key, "format", s->format, w.format);
            if (!webhook && s->to != w.to) line(Action::change, "notifier", n.name, key, "to", shown(s->to), shown(w.to));
            if (s->secret != w.secret)
                line(Action::change, "notifier", n.name, key, "secret", s->secret.empty() ? "none" : "(set)",
                     w.secret.empty() ? "none" : "(another)");
            if (s->events != w.events) line(Action::change, "notifier", n.name, key, "events", shown(s->events), shown(w.events));
            if (s->room_id != w.room_id || row.new_room)
                line(Action::change, "notifier", n.name, key, "room", quoted(stored_room_name(s->room_id)), quoted(n.room));
            if (s->enabled != w.enabled)
                line(Action::change, "notifier", n.name, key, "enabled", shown(s->enabled), shown(w.enabled));
            if (out_.lines.size() == before) continue;
            out_.write.update_notifiers.push_back(std::move(row));
            ++out_.changed;
        }
    }

    void plan_windows() {
        if (!doc_.maintenance) return;
        std::unordered_set<std::string> done;
        for (std::size_t i = 0; i < doc_.maintenance->size(); ++i) {
            const auto& w = (*doc_.maintenance)[i];
            const auto id_key = window_id_key(w.name, w.start_ms);
            if (!done.insert(id_key).second) continue;
            const auto index = static_cast<std::int64_t>(i);
            const auto it = windows_by_key_.find(id_key);
            if (it != windows_by_key_.end() && it->second < 0) {
                problem({"maintenance", index, "name"}, w.at, "value_error",
                        "the store holds more than one window of this name and start: delete all but one first");
                continue;
            }
            store::ConfigWrite::WindowRow row;
            row.window.name = w.name;
            row.window.start_ms = w.start_ms;
            row.window.end_ms = w.end_ms;
            bool ok = true;
            if (w.room) {
                const auto room = room_target(*w.room, {"maintenance", index, "room"}, w.room_at);
                ok = room.has_value();
                if (room) {
                    row.new_room = room->created;
                    if (!room->created) row.window.room_id = room->id;
                }
            }
            std::set<std::string> ips;
            for (std::size_t k = 0; k < w.devices.size(); ++k) {
                if (!ips.insert(w.devices[k]).second) continue;
                const auto device = device_target(w.devices[k], {"maintenance", index, "devices", static_cast<std::int64_t>(k)},
                                                  k < w.device_at.size() ? w.device_at[k] : w.at);
                if (!device) {
                    ok = false;
                    continue;
                }
                if (device->created)
                    row.new_devices.push_back(*device->created);
                else
                    row.window.device_ids.push_back(device->id);
            }
            if (!ok) continue;
            const std::string key = window_key(w.name, w.start_ms);
            if (it == windows_by_key_.end()) {
                out_.write.create_maintenance.push_back(std::move(row));
                line(Action::create, "maintenance", w.name, key);
                ++out_.created;
                continue;
            }
            const auto& s = stored_.maintenance[static_cast<std::size_t>(it->second)];
            row.window.id = s.id;
            std::set<std::string> stored_ips;
            for (const auto id : s.device_ids)
                if (const auto ip = stored_ip(id)) stored_ips.insert(*ip);  // deleted devices match nothing
            const std::size_t before = out_.lines.size();
            if (s.end_ms != w.end_ms)
                line(Action::change, "maintenance", w.name, key, "end", wire::format_time_ms(s.end_ms),
                     wire::format_time_ms(w.end_ms));
            if (s.room_id != row.window.room_id || row.new_room)
                line(Action::change, "maintenance", w.name, key, "room", quoted(stored_room_name(s.room_id)), quoted(w.room));
            if (stored_ips != ips)
                line(Action::change, "maintenance", w.name, key, "devices",
                     shown(std::vector<std::string>(stored_ips.begin(), stored_ips.end())),
                     shown(std::vector<std::string>(ips.begin(), ips.end())));
            if (out_.lines.size() == before) continue;
            out_.write.update_maintenance.push_back(std::move(row));
            ++out_.changed;
        }
    }

    // Deletes: what --prune leaves out, and what goes with a deleted room.
    void plan_deletes() {
        std::unordered_set<std::int64_t> kept_notifiers, kept_windows;
        if (doc_.notifiers)
            for (const auto& n : *doc_.notifiers)
                if (const auto it = notifiers_by_name_.find(n.name); it != notifiers_by_name_.end() && it->second >= 0)
                    kept_notifiers.insert(stored_.notifiers[static_cast<std::size_t>(it->second)].id);
        if (doc_.maintenance)
            for (const auto& w : *doc_.maintenance)
                if (const auto it = windows_by_key_.find(window_id_key(w.name, w.start_ms));
                    it != windows_by_key_.end() && it->second >= 0)
                    kept_windows.insert(stored_.maintenance[static_cast<std::size_t>(it->second)].id);

        for (const auto& w : stored_.maintenance) {
            if (kept_windows.contains(w.id)) continue;
            const bool pruned = doc_.maintenance && prune_;
            const bool room_goes = w.room_id && deleted_rooms_.contains(*w.room_id);
            if (!pruned && !room_goes) continue;
            out_.write.delete_maintenance.push_back(w.id);
            line(Action::remove, "maintenance", w.name, window_key(w.name, w.start_ms), {}, {}, {},
                 pruned ? "" : "its room " + quoted(stored_room_name(w.room_id)) + " is deleted");
            ++out_.deleted;
        }
        for (const auto& n : stored_.notifiers) {
            if (kept_notifiers.contains(n.id)) continue;
            const bool pruned = doc_.notifiers && prune_;
            const bool room_goes = n.room_id && deleted_rooms_.contains(*n.room_id);
            if (!pruned && !room_goes) continue;
            out_.write.delete_notifiers.push_back(n.id);
            line(Action::remove, "notifier", n.name, quoted(n.name), {}, {}, {},
                 pruned ? "" : "its room " + quoted(stored_room_name(n.room_id)) + " is deleted");
            ++out_.deleted;
        }
        for (const auto& d : stored_.devices) {
            if (deleted_devices_.contains(d.id)) {
                out_.write.delete_devices.push_back(d.id);
                line(Action::remove, "device", d.ip, d.ip + " " + quoted(d.name));
                ++out_.deleted;
            } else if (d.parent_id && deleted_devices_.contains(*d.parent_id) &&
                       !(doc_.devices && final_in_document(d.ip))) {
                line(Action::change, "device", d.ip, d.ip, "parent", shown(stored_ip(*d.parent_id)), "none",
                     "its parent is deleted");
            }
        }
        for (std::size_t i = 0; i < stored_.rooms.size(); ++i) {
            const auto& r = stored_.rooms[i];
            if (!deleted_rooms_.contains(r.id)) continue;
            for (const auto& d : stored_.devices) {
                if (d.room_id != r.id || deleted_devices_.contains(d.id) || final_in_document(d.ip)) continue;
                problem({"rooms"}, Mark{}, "value_error",
                        "room " + quoted(r.name) + " cannot be deleted: device " + d.ip +
                            " is in it and the document does not " + (doc_.devices ? "move it" : "manage devices"));
                break;
            }
            out_.write.delete_rooms.push_back(r.id);
            line(Action::remove, "room", r.name, quoted(r.name));
            ++out_.deleted;
        }
    }

    bool final_in_document(const std::string& ip) {
        if (!doc_.devices) return false;
        if (document_ips_.empty())
            for (const auto& d : *doc_.devices) document_ips_.insert(d.ip);
        return document_ips_.contains(ip);
    }

    const ConfigDocument& doc_;
    const store::ConfigSnapshot& stored_;
    const bool prune_;
    Plan out_;
    std::vector<Problem> problems_;
    std::map<std::string, std::ptrdiff_t> rooms_by_name_, notifiers_by_name_, windows_by_key_;
    std::unordered_map<std::string, std::size_t> devices_by_ip_;
    std::unordered_map<std::int64_t, std::string> room_name_, device_ip_;
    std::unordered_map<std::string, Target> final_rooms_, final_devices_;
    std::unordered_set<std::int64_t> deleted_rooms_, deleted_devices_;
    std::unordered_set<std::string> document_ips_;
};

}  // namespace

ConfigError::ConfigError(std::vector<Problem> found)
    : std::runtime_error(found.empty() ? "invalid configuration" : found.front().message),
      problems(std::move(found)) {}

std::string to_text(const PlanLine& l) {
    std::string out;
    switch (l.action) {
        case Action::create: out = "+ " + l.kind + " " + l.label; break;
        case Action::remove: out = "- " + l.kind + " " + l.label; break;
        case Action::change: out = "~ " + l.kind + " " + l.label + ": " + l.field + " " + l.from + " -> " + l.to; break;
    }
    if (!l.note.empty()) out += " (" + l.note + ")";
    return out;
}

std::string summary(const Plan& p) {
    if (p.empty()) return "no changes";
    return std::to_string(p.created) + " to create, " + std::to_string(p.changed) + " to change, " +
           std::to_string(p.deleted) + " to delete";
}

std::string environment_name(std::string_view notifier, std::string_view what) {
    std::string out = "GATEWATCH_NOTIFIER_";
    for (const unsigned char c : notifier)
        out += std::isalnum(c) != 0 && c < 0x80 ? static_cast<char>(std::toupper(c)) : '_';
    return out + "_" + std::string(what);
}

bool url_is_credential(const std::string& url, const std::string& format) {
    if (format == "slack" || format == "ntfy") return true;
    const auto scheme = url.find("://");
    const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    const auto authority = url.substr(0, path);
    return url.find('?') != std::string::npos || authority.find('@') != std::string::npos;
}

ConfigDocument document_of(const store::ConfigSnapshot& s) {
    std::unordered_map<std::int64_t, std::string> room_name, device_ip;
    for (const auto& r : s.rooms) room_name[r.id] = r.name;
    for (const auto& d : s.devices) device_ip[d.id] = d.ip;
    auto room_of = [&](const std::optional<std::int64_t>& id) -> std::optional<std::string> {
        if (!id) return std::nullopt;
        const auto it = room_name.find(*id);
        return it == room_name.end() ? std::nullopt : std::optional(it->second);
    };
    ConfigDocument doc;
    doc.rooms.emplace();
    for (const auto& r : s.rooms) doc.rooms->push_back(RoomSpec{r.name, r.description, {}});
    doc.devices.emplace();
    doc.devices->reserve(s.devices.size());
    for (const auto& d : s.devices) {
        DeviceSpec spec;
        spec.name = d.name;
        spec.ip = d.ip;
        spec.room = room_of(d.room_id);
        spec.monitored = d.monitored;
        spec.check = d.check;
        spec.locations = d.locations;
        spec.quorum = d.quorum;
        if (d.parent_id)
            if (const auto it = device_ip.find(*d.parent_id); it != device_ip.end()) spec.parent = it->second;
        doc.devices->push_back(std::move(spec));
    }
    doc.notifiers.emplace();
    for (const auto& n : s.notifiers) {
        NotifierSpec spec;
        spec.name = n.name;
        spec.type = n.type;
        if (n.type == "webhook") {
            spec.format = n.format;
            spec.url = url_is_credential(n.url, n.format) ? Credential{std::nullopt, environment_name(n.name, "URL")}
                                                          : Credential{n.url, {}};
        } else {
            spec.to = n.to;
        }
        if (!n.secret.empty()) spec.secret = Credential{std::nullopt, environment_name(n.name, "SECRET")};
        spec.events = n.events;
        spec.room = room_of(n.room_id);
        spec.enabled = n.enabled;
        doc.notifiers->push_back(std::move(spec));
    }
    doc.maintenance.emplace();
    for (const auto& w : s.maintenance) {
        WindowSpec spec;
        spec.name = w.name;
        spec.start_ms = w.start_ms;
        spec.end_ms = w.end_ms;
        spec.room = room_of(w.room_id);
        for (const auto id : w.device_ids)
            if (const auto it = device_ip.find(id); it != device_ip.end()) spec.devices.push_back(it->second);
        std::sort(spec.devices.begin(), spec.devices.end());
        doc.maintenance->push_back(std::move(spec));
    }
    return doc;
}

Plan plan(const ConfigDocument& desired, const store::ConfigSnapshot& stored, bool prune) {
    return Planner(desired, stored, prune).run();
}

ConfigDocument ConfigAsCode::current() { return document_of(store_.read_config()); }

Plan ConfigAsCode::apply(const ConfigDocument& desired, bool prune, bool dry_run) {
    if (dry_run) return plan(desired, store_.read_config(), prune);
    Plan planned;
    store_.write_config([&](const store::ConfigSnapshot& stored) -> std::optional<store::ConfigWrite> {
        planned = plan(desired, stored, prune);
        return std::move(planned.write);  // the caller has the lines; the rows go to the store
    });
    // Many things at once: every subscriber reads the store again, as after a
    // large bulk import (service/devices.cpp).
    if (!planned.empty()) bus_.publish(events::Reload{});
    return planned;
}

}  // namespace gatewatch::service::config
