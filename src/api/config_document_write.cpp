// The configuration document written out: YAML (gatewatch export, GET /config)
// and JSON (GET /config with Accept: application/json). See config_document.hpp.
#include "api/config_document.hpp"

#include "wire/representation.hpp"

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace gatewatch::api::config_document {
namespace cfg = service::config;
namespace json = boost::json;

namespace {

// ---- writing ----------------------------------------------------------------

std::string reference(const cfg::Credential& c) { return c.value ? *c.value : "${" + c.variable + "}"; }

// Whether a YAML 1.1 reader (PyYAML, Ruby's) would take the text, unquoted,
// for something else than a string: null, a boolean, a number, a date.
bool looks_typed(std::string_view t) {
    static const std::set<std::string_view> words = {
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".nan", "<<", "="};
    if (words.contains(t)) return true;
    const auto numeric = [](char c) { return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'; };
    return numeric(t.front()) && std::all_of(t.begin(), t.end(), [&](char c) {
               return numeric(c) || c == '_' || c == ':' || c == 'e' || c == 'E' || c == 'x' || c == 'T' || c == 'Z' ||
                      c == ' ' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

// Text that a reader could take for another type is quoted; yaml-cpp quotes
// the rest that needs it (a leading #, a ": " inside...).
void emit_text(YAML::Emitter& out, const std::string& text) {
    // NEL, LS and PS are line breaks to YAML 1.1 readers, even inside quotes: escaped.
    const bool breaks = text.find("\xC2\x85") != std::string::npos || text.find("\xE2\x80\xA8") != std::string::npos ||
                        text.find("\xE2\x80\xA9") != std::string::npos;
    if (breaks)
        out << YAML::EscapeNonAscii << YAML::DoubleQuoted << text;
    else if (looks_typed(text))
        out << YAML::DoubleQuoted << text;
    else
        out << text;
}

// An address: plain, unless YAML 1.1 would read it as a number (1:2:3:4:5:6:7:8 is base 60 there).
void emit_ip(YAML::Emitter& out, const std::string& ip) {
    if (ip.find(':') != std::string::npos && looks_typed(ip))
        out << YAML::DoubleQuoted << ip;
    else
        out << ip;
}

void emit_field(YAML::Emitter& out, const char* key, const std::string& text) {
    out << YAML::Key << key << YAML::Value;
    emit_text(out, text);
}

}  // namespace

std::string to_yaml(const cfg::ConfigDocument& doc) {
    YAML::Emitter out;
    out << YAML::Comment(
        "gatewatch configuration: apply with `gatewatch apply FILE` (or PUT /config).\n"
        "Rooms are named by name, devices by ip, notifiers by name, maintenance windows by name and start.\n"
        "${NAME} is read from the environment of `gatewatch apply`; left unset, the stored value is kept.");
    out << YAML::BeginMap << YAML::Key << "version" << YAML::Value << 1;
    out << YAML::Key << "rooms" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : doc.rooms.value_or(std::vector<cfg::RoomSpec>{})) {
        out << YAML::BeginMap;
        emit_field(out, "name", r.name);
        if (r.description) emit_field(out, "description", *r.description);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::Key << "devices" << YAML::Value << YAML::BeginSeq;
    for (const auto& d : doc.devices.value_or(std::vector<cfg::DeviceSpec>{})) {
        out << YAML::BeginMap;
        emit_field(out, "name", d.name);
        out << YAML::Key << "ip" << YAML::Value;
        emit_ip(out, d.ip);
        if (d.room) emit_field(out, "room", *d.room);
        out << YAML::Key << "monitored" << YAML::Value << YAML::TrueFalseBool << d.monitored;
        out << YAML::Key << "check" << YAML::Value << YAML::Flow << YAML::BeginMap;
        if (d.check.type == store::Check::Type::tcp)
            out << YAML::Key << "type" << YAML::Value << "tcp" << YAML::Key << "port" << YAML::Value << d.check.port;
        else
            out << YAML::Key << "type" << YAML::Value << "icmp";
        out << YAML::EndMap;
        if (d.parent) {
            out << YAML::Key << "parent" << YAML::Value;
            emit_ip(out, *d.parent);
        }
        if (d.locations) {
            out << YAML::Key << "locations" << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const auto& l : *d.locations) emit_text(out, l);
            out << YAML::EndSeq;
        }
        if (d.quorum != 1) out << YAML::Key << "quorum" << YAML::Value << d.quorum;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::Key << "notifiers" << YAML::Value << YAML::BeginSeq;
    for (const auto& n : doc.notifiers.value_or(std::vector<cfg::NotifierSpec>{})) {
        out << YAML::BeginMap;
        emit_field(out, "name", n.name);
        out << YAML::Key << "type" << YAML::Value << n.type;
        if (n.type == "webhook") {
            emit_field(out, "url", reference(n.url));
            out << YAML::Key << "format" << YAML::Value << n.format;
        } else {
            out << YAML::Key << "to" << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const auto& a : n.to) emit_text(out, a);
            out << YAML::EndSeq;
        }
        if (!n.secret.variable.empty() || (n.secret.value && !n.secret.value->empty()))
            emit_field(out, "secret", reference(n.secret));
        out << YAML::Key << "events" << YAML::Value << YAML::Flow << n.events;
        if (n.room) emit_field(out, "room", *n.room);
        out << YAML::Key << "enabled" << YAML::Value << YAML::TrueFalseBool << n.enabled;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::Key << "maintenance" << YAML::Value << YAML::BeginSeq;
    for (const auto& w : doc.maintenance.value_or(std::vector<cfg::WindowSpec>{})) {
        out << YAML::BeginMap;
        emit_field(out, "name", w.name);
        emit_field(out, "start", wire::format_time_ms(w.start_ms));  // quoted: not a YAML 1.1 timestamp
        emit_field(out, "end", wire::format_time_ms(w.end_ms));
        if (w.room) emit_field(out, "room", *w.room);
        out << YAML::Key << "devices" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const auto& ip : w.devices) emit_ip(out, ip);
        out << YAML::EndSeq;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

json::value to_json(const cfg::ConfigDocument& doc) {
    auto optional = [](const std::optional<std::string>& t) { return t ? json::value(*t) : json::value(nullptr); };
    json::array rooms, devices, notifiers, windows;
    for (const auto& r : doc.rooms.value_or(std::vector<cfg::RoomSpec>{}))
        rooms.push_back(json::object{{"name", r.name}, {"description", optional(r.description)}});
    for (const auto& d : doc.devices.value_or(std::vector<cfg::DeviceSpec>{})) {
        json::object check{{"type", d.check.type == store::Check::Type::tcp ? "tcp" : "icmp"}};
        if (d.check.type == store::Check::Type::tcp) check["port"] = d.check.port;
        devices.push_back(json::object{{"name", d.name},
                                       {"ip", d.ip},
                                       {"room", optional(d.room)},
                                       {"monitored", d.monitored},
                                       {"check", std::move(check)},
                                       {"parent", optional(d.parent)},
                                       {"locations", d.locations ? json::value(json::array(d.locations->begin(),
                                                                                           d.locations->end()))
                                                                 : json::value(nullptr)},
                                       {"quorum", d.quorum}});
    }
    for (const auto& n : doc.notifiers.value_or(std::vector<cfg::NotifierSpec>{})) {
        json::object o{{"name", n.name}, {"type", n.type}};
        if (n.type == "webhook") {
            o["url"] = reference(n.url);
            o["format"] = n.format;
        } else {
            o["to"] = json::array(n.to.begin(), n.to.end());
        }
        if (!n.secret.variable.empty() || (n.secret.value && !n.secret.value->empty()))
            o["secret"] = reference(n.secret);
        o["events"] = json::array(n.events.begin(), n.events.end());
        o["room"] = optional(n.room);
        o["enabled"] = n.enabled;
        notifiers.push_back(std::move(o));
    }
    for (const auto& w : doc.maintenance.value_or(std::vector<cfg::WindowSpec>{}))
        windows.push_back(json::object{{"name", w.name},
                                       {"start", wire::format_time_ms(w.start_ms)},
                                       {"end", wire::format_time_ms(w.end_ms)},
                                       {"room", optional(w.room)},
                                       {"devices", json::array(w.devices.begin(), w.devices.end())}});
    return json::object{{"version", 1},
                        {"rooms", std::move(rooms)},
                        {"devices", std::move(devices)},
                        {"notifiers", std::move(notifiers)},
                        {"maintenance", std::move(windows)}};
}

}  // namespace gatewatch::api::config_document
