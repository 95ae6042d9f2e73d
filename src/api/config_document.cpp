// Reading the configuration document: YAML (or JSON, which is YAML) through
// yaml-cpp events into compact nodes, then every field by the rules of its
// schema (api/schemas.cpp). Writing it: config_document_write.cpp.
#include "api/config_document.hpp"

#include "api/schemas.hpp"
#include "api/validation.hpp"
#include "service/devices.hpp"
#include "util/text.hpp"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <istream>
#include <set>
#include <span>
#include <streambuf>
#include <unordered_map>

namespace gatewatch::api::config_document {
namespace cfg = service::config;
using cfg::Mark;
using cfg::Problem;
using Loc = std::vector<std::variant<std::string, std::int64_t>>;

namespace {

// A field's declared rules (api/schemas.cpp, ConfigDocument: the same pieces
// as the API's bodies), so a document stores nothing that a request could not.
const schema::Schema& field(std::string_view section, std::string_view key) {
    return *schemas::config_document.property(section).schema->items->property(key).schema;
}

constexpr std::size_t k_max_problems = 100;

// ---- the document as compact nodes ------------------------------------------

// yaml-cpp's own YAML::Node costs a few hundred bytes a node, and copies
// nothing for an alias either; these cost a fifth of that, keep whether a
// scalar was quoted, and let the reader count what it visits.
struct Node {
    enum class Kind : std::uint8_t { null, scalar, sequence, mapping };
    Kind kind = Kind::null;
    bool plain = false;   // a scalar without quotes or tag: only these are numbers and booleans
    bool closed = true;   // false while a container is being read
    Mark at;
    std::string text;
    std::vector<std::uint32_t> items;  // a sequence's items; a mapping's keys and values, alternating
};

Mark mark_of(const YAML::Mark& m) { return m.is_null() ? Mark{} : Mark{m.line + 1, m.column + 1}; }

class Builder final : public YAML::EventHandler {
public:
    explicit Builder(std::vector<Node>& nodes) : nodes_(nodes) {}
    std::optional<std::uint32_t> root;

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { add(Node::Kind::null, m, anchor); }
    void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
        const auto it = anchors_.find(anchor);
        if (it == anchors_.end()) throw YAML::ParserException(m, "an alias to an unknown anchor");
        // An alias inside its own anchor would make the tree a loop.
        if (!nodes_[it->second].closed) throw YAML::ParserException(m, "an alias inside the node it names");
        attach(it->second);
    }
    void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
        const auto i = add(Node::Kind::scalar, m, anchor);
        nodes_[i].text = value;
        nodes_[i].plain = tag == "?";
    }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(Node::Kind::sequence, m, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
        open(Node::Kind::mapping, m, anchor);
    }
    void OnMapEnd() override { close(); }

private:
    std::uint32_t add(Node::Kind kind, const YAML::Mark& m, YAML::anchor_t anchor) {
        Node node;
        node.kind = kind;
        node.at = mark_of(m);
        nodes_.push_back(std::move(node));
        const auto i = static_cast<std::uint32_t>(nodes_.size() - 1);
        if (anchor != YAML::NullAnchor) anchors_[anchor] = i;
        attach(i);
        return i;
    }
    void open(Node::Kind kind, const YAML::Mark& m, YAML::anchor_t anchor) {
        const auto i = add(kind, m, anchor);
        nodes_[i].closed = false;
        open_.push_back(i);
    }
    void close() {
        nodes_[open_.back()].closed = true;
        open_.pop_back();
    }
    void attach(std::uint32_t i) {
        if (open_.empty()) {
            if (!root) root = i;
        } else {
            nodes_[open_.back()].items.push_back(i);
        }
    }

    std::vector<Node>& nodes_;
    std::vector<std::uint32_t> open_;
    std::unordered_map<YAML::anchor_t, std::uint32_t> anchors_;
};

// An istream over the text without copying it.
struct TextBuffer : std::streambuf {
    explicit TextBuffer(std::string_view text) {
        char* begin = const_cast<char*>(text.data());  // only read: get area
        setg(begin, begin, begin + text.size());
    }
};

struct TooManyProblems {};

// ---- reading ----------------------------------------------------------------

class Reader {
public:
    Reader(const std::vector<Node>& nodes, const Environment& environment, std::size_t max_visits)
        : nodes_(nodes), environment_(environment), max_visits_(max_visits) {}

    std::vector<Problem>& problems() { return problems_; }

    cfg::ConfigDocument document(std::uint32_t root) {
        cfg::ConfigDocument doc;
        const auto fields = mapping(root, {}, {"version", "rooms", "devices", "notifiers", "maintenance"});
        if (!fields) return doc;
        if (const auto v = find(*fields, "version")) {
            const Node& n = visit(*v);
            if (n.kind != Node::Kind::scalar || !n.plain || n.text != "1")
                problem({"version"}, n.at, "literal_error", "Input should be 1 (the only version there is)");
        }
        if (const auto s = find(*fields, "rooms")) doc.rooms = section<cfg::RoomSpec>(*s, "rooms", &Reader::room);
        if (const auto s = find(*fields, "devices"))
            doc.devices = section<cfg::DeviceSpec>(*s, "devices", &Reader::device);
        if (const auto s = find(*fields, "notifiers"))
            doc.notifiers = section<cfg::NotifierSpec>(*s, "notifiers", &Reader::notifier);
        if (const auto s = find(*fields, "maintenance"))
            doc.maintenance = section<cfg::WindowSpec>(*s, "maintenance", &Reader::window);
        return doc;
    }

private:
    struct Field {
        std::string_view key;
        std::uint32_t value;
    };
    using Fields = std::vector<Field>;

    const Node& visit(std::uint32_t i) {
        if (++visits_ > max_visits_)
            throw cfg::ConfigError({Problem{{}, nodes_[i].at, "too_long",
                                            "the document is too large once its aliases are expanded (more than " +
                                                std::to_string(max_visits_) + " nodes)"}});
        return nodes_[i];
    }

    void problem(Loc loc, Mark at, std::string type, std::string message) {
        problems_.push_back(Problem{std::move(loc), at, std::move(type), std::move(message)});
        if (problems_.size() >= k_max_problems) throw TooManyProblems{};
    }

    static Loc at(Loc loc, std::string_view key) {
        loc.emplace_back(std::string(key));
        return loc;
    }

    static std::optional<std::uint32_t> find(const Fields& fields, std::string_view key) {
        for (const auto& f : fields)
            if (f.key == key) return f.value;
        return std::nullopt;
    }

    // The fields of a mapping: scalar keys, each once, each one of `known`.
    std::optional<Fields> mapping(std::uint32_t i, const Loc& loc, std::initializer_list<std::string_view> known) {
        const Node& n = visit(i);
        if (n.kind != Node::Kind::mapping) {
            problem(loc, n.at, "model_attributes_type", "Input should be a mapping of fields");
            return std::nullopt;
        }
        Fields fields;
        for (std::size_t k = 0; k + 1 < n.items.size(); k += 2) {
            const Node& key = visit(n.items[k]);
            if (key.kind != Node::Kind::scalar) {
                problem(loc, key.at, "string_type", "a key should be a plain name");
                continue;
            }
            const auto name = std::find(known.begin(), known.end(), key.text);
            if (name == known.end()) {
                std::string expected;
                for (const auto f : known) expected += (expected.empty() ? "" : ", ") + std::string(f);
                problem(at(loc, key.text), key.at, "extra_forbidden",
                        "unknown field \"" + key.text + "\" (expected one of: " + expected + ")");
                continue;
            }
            if (find(fields, *name)) {
                problem(at(loc, key.text), key.at, "value_error", "the field \"" + key.text + "\" is given twice");
                continue;
            }
            fields.push_back(Field{*name, n.items[k + 1]});
        }
        return fields;
    }

    template <typename Spec>
    std::vector<Spec> section(std::uint32_t i, std::string_view name,
                              std::optional<Spec> (Reader::*item)(std::uint32_t, const Loc&)) {
        std::vector<Spec> out;
        const Node& n = visit(i);
        if (n.kind == Node::Kind::null) {
            // `devices:` with every entry commented out: with --prune that would delete them all.
            problem({std::string(name)}, n.at, "list_type",
                    "Input should be a list: write [] to manage an empty section, or leave the section out");
            return out;
        }
        if (n.kind != Node::Kind::sequence) {
            problem({std::string(name)}, n.at, "list_type", "Input should be a list");
            return out;
        }
        out.reserve(n.items.size());
        for (std::size_t k = 0; k < n.items.size(); ++k) {
            auto spec = (this->*item)(n.items[k], Loc{std::string(name), static_cast<std::int64_t>(k)});
            if (spec) out.push_back(std::move(*spec));
        }
        return out;
    }

    // Text of `min`..`max` characters; nullopt (with a problem) otherwise.
    std::optional<std::string> text(std::uint32_t i, const Loc& loc, std::size_t min, std::size_t max) {
        const Node& n = visit(i);
        if (n.kind != Node::Kind::scalar) {
            problem(loc, n.at, "string_type", "Input should be a valid string");
            return std::nullopt;
        }
        if (util::invalid_utf8_at(n.text) != std::string_view::npos) {
            problem(loc, n.at, "string_unicode", "Input should be a valid string: the text is not UTF-8");
            return std::nullopt;
        }
        const auto count = count_characters(n.text);
        if (count < min) {
            problem(loc, n.at, "string_too_short",
                    "String should have at least " + std::to_string(min) + " character" + (min == 1 ? "" : "s"));
            return std::nullopt;
        }
        if (count > max) {
            problem(loc, n.at, "string_too_long", "String should have at most " + std::to_string(max) + " characters");
            return std::nullopt;
        }
        return n.text;
    }

    std::optional<std::string> required_text(const Fields& f, std::string_view key, const Loc& loc, Mark item,
                                             std::size_t min, std::size_t max) {
        const auto v = find(f, key);
        if (!v || nodes_[*v].kind == Node::Kind::null) {
            problem(at(loc, key), v ? nodes_[*v].at : item, "missing", "Field required");
            return std::nullopt;
        }
        return text(*v, at(loc, key), min, max);
    }

    // Absent or null: nullopt, and `ok` stays true.
    std::optional<std::string> optional_text(const Fields& f, std::string_view key, const Loc& loc, std::size_t max,
                                             bool& ok) {
        const auto v = find(f, key);
        if (!v || nodes_[*v].kind == Node::Kind::null) return std::nullopt;
        auto t = text(*v, at(loc, key), 0, max);
        if (!t) ok = false;
        return t;
    }

    std::optional<bool> boolean(const Fields& f, std::string_view key, const Loc& loc) {
        const auto v = find(f, key);
        if (!v) return std::nullopt;
        const Node& n = visit(*v);
        if (n.kind == Node::Kind::scalar && n.plain) {
            if (n.text == "true" || n.text == "True" || n.text == "TRUE") return true;
            if (n.text == "false" || n.text == "False" || n.text == "FALSE") return false;
        }
        problem(at(loc, key), n.at, "bool_type", "Input should be true or false (without quotes)");
        return std::nullopt;
    }

    std::optional<std::string> ip(std::uint32_t i, const Loc& loc) {
        const auto t = text(i, loc, 1, 64);
        if (!t) return std::nullopt;
        auto canonical = canonical_ip(*t);
        if (!canonical) problem(loc, nodes_[i].at, "ip_any_address", "value is not a valid IPv4 or IPv6 address");
        return canonical;
    }

    // A choice among `choices`; `fallback` when absent.
    std::optional<std::string> choice(const Fields& f, std::string_view key, const Loc& loc,
                                      std::initializer_list<std::string_view> choices, const char* fallback) {
        const auto v = find(f, key);
        if (!v) return fallback != nullptr ? std::optional<std::string>(fallback) : std::nullopt;
        const Node& n = visit(*v);
        if (n.kind == Node::Kind::scalar && std::find(choices.begin(), choices.end(), n.text) != choices.end())
            return n.text;
        std::string expected;
        for (const auto c : choices) expected += (expected.empty() ? "'" : ", '") + std::string(c) + "'";
        problem(at(loc, key), n.at, "literal_error", "Input should be one of " + expected);
        return std::nullopt;
    }

    // A list of at most `max` items, each read by `item`; nullopt when absent or bad.
    template <typename T, typename Item>
    std::optional<std::vector<T>> list(const Fields& f, std::string_view key, const Loc& loc, std::size_t max,
                                       bool& ok, Item&& item) {
        const auto v = find(f, key);
        if (!v || nodes_[*v].kind == Node::Kind::null) return std::nullopt;
        const Node& n = visit(*v);
        if (n.kind != Node::Kind::sequence) {
            problem(at(loc, key), n.at, "list_type", "Input should be a list");
            ok = false;
            return std::nullopt;
        }
        if (n.items.size() > max) {
            problem(at(loc, key), n.at, "too_long",
                    "List should have at most " + std::to_string(max) + " items, not " + std::to_string(n.items.size()));
            ok = false;
            return std::nullopt;
        }
        std::vector<T> out;
        for (std::size_t k = 0; k < n.items.size(); ++k) {
            Loc item_loc = at(loc, key);
            item_loc.emplace_back(static_cast<std::int64_t>(k));
            if (auto value = item(n.items[k], item_loc))
                out.push_back(std::move(*value));
            else
                ok = false;
        }
        return out;
    }

    // `${NAME}` (the whole value) from the environment, else the text itself.
    std::optional<cfg::Credential> credential(const Fields& f, std::string_view key, const Loc& loc, std::size_t max,
                                              bool& ok) {
        const auto v = find(f, key);
        if (!v || nodes_[*v].kind == Node::Kind::null) return cfg::Credential{std::string(), {}};
        const auto t = text(*v, at(loc, key), 1, max);
        if (!t) {
            ok = false;
            return std::nullopt;
        }
        if (t->size() > 3 && t->starts_with("${") && t->back() == '}') {
            const std::string name = t->substr(2, t->size() - 3);
            const bool valid = !std::isdigit(static_cast<unsigned char>(name[0])) &&
                               std::all_of(name.begin(), name.end(), [](char c) {
                                   return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                               });
            if (!valid) {
                problem(at(loc, key), nodes_[*v].at, "value_error",
                        "a reference is ${NAME}, NAME of letters, digits and _");
                ok = false;
                return std::nullopt;
            }
            auto value = environment_ ? environment_(name) : std::nullopt;
            if (value && util::invalid_utf8_at(*value) != std::string_view::npos) {
                problem(at(loc, key), nodes_[*v].at, "string_unicode", "the value of " + name + " is not UTF-8");
                ok = false;
                return std::nullopt;
            }
            if (value && count_characters(*value) > max) {
                problem(at(loc, key), nodes_[*v].at, "string_too_long",
                        "the value of " + name + " should have at most " + std::to_string(max) + " characters");
                ok = false;
                return std::nullopt;
            }
            return cfg::Credential{std::move(value), name};
        }
        return cfg::Credential{*t, {}};
    }

    // A room, notifier or window's `room`; its mark for the plan's problems.
    std::optional<std::string> room_ref(const Fields& f, const Loc& loc, Mark& where, bool& ok) {
        auto name = optional_text(f, "room", loc, field("rooms", "name").max_length, ok);  // a room's name
        if (const auto v = find(f, "room")) where = nodes_[*v].at;
        if (name && name->empty()) {
            problem(at(loc, "room"), where, "string_too_short", "String should have at least 1 character");
            ok = false;
        }
        return name;
    }

    std::optional<cfg::RoomSpec> room(std::uint32_t i, const Loc& loc) {
        const auto f = mapping(i, loc, {"name", "description"});
        if (!f) return std::nullopt;
        cfg::RoomSpec r;
        r.at = nodes_[i].at;
        bool ok = true;
        const auto name = required_text(*f, "name", loc, r.at, 1, field("rooms", "name").max_length);
        r.description = optional_text(*f, "description", loc, field("rooms", "description").max_length, ok);
        if (!name || !ok) return std::nullopt;
        r.name = *name;
        return r;
    }

    std::optional<store::Check> check(std::uint32_t i, const Loc& loc) {
        const Node& n = visit(i);
        if (n.kind == Node::Kind::null) return store::Check{};
        const auto f = mapping(i, loc, {"type", "port"});
        if (!f) return std::nullopt;
        const auto type = choice(*f, "type", loc, {"icmp", "tcp"}, nullptr);
        if (!type) {
            if (!find(*f, "type")) problem(at(loc, "type"), n.at, "missing", "Field required");
            return std::nullopt;
        }
        const auto port = find(*f, "port");
        if (*type == "icmp") {
            if (port) problem(at(loc, "port"), nodes_[*port].at, "extra_forbidden", "an icmp check has no port");
            return port ? std::nullopt : std::optional(store::Check{});
        }
        if (!port) {
            problem(at(loc, "port"), n.at, "missing", "Field required");
            return std::nullopt;
        }
        const Node& p = visit(*port);
        int number = 0;
        const bool digits = p.kind == Node::Kind::scalar && p.plain && !p.text.empty() && p.text.size() <= 5 &&
                            std::all_of(p.text.begin(), p.text.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits) number = std::stoi(p.text);
        if (!digits || number < 1 || number > 65535) {
            problem(at(loc, "port"), p.at, "int_type", "Input should be a port number, 1 to 65535 (without quotes)");
            return std::nullopt;
        }
        return store::Check{store::Check::Type::tcp, static_cast<std::uint16_t>(number)};
    }

    std::optional<cfg::DeviceSpec> device(std::uint32_t i, const Loc& loc) {
        const auto f = mapping(i, loc, {"name", "ip", "room", "monitored", "check", "parent", "locations", "quorum"});
        if (!f) return std::nullopt;
        cfg::DeviceSpec d;
        d.at = nodes_[i].at;
        bool ok = true;
        const auto name = required_text(*f, "name", loc, d.at, 1, field("devices", "name").max_length);
        std::optional<std::string> address;
        if (const auto v = find(*f, "ip"); v && nodes_[*v].kind != Node::Kind::null)
            address = ip(*v, at(loc, "ip"));
        else
            problem(at(loc, "ip"), v ? nodes_[*v].at : d.at, "missing", "Field required");
        d.room = room_ref(*f, loc, d.room_at, ok);
        if (find(*f, "monitored")) {
            const auto monitored = boolean(*f, "monitored", loc);
            ok = ok && monitored.has_value();
            d.monitored = monitored.value_or(true);
        }
        if (const auto v = find(*f, "check")) {
            const auto c = check(*v, at(loc, "check"));
            ok = ok && c.has_value();
            d.check = c.value_or(store::Check{});
        }
        if (const auto v = find(*f, "parent"); v && nodes_[*v].kind != Node::Kind::null) {
            d.parent_at = nodes_[*v].at;
            d.parent = ip(*v, at(loc, "parent"));
            ok = ok && d.parent.has_value();
        }
        read_locations(*f, loc, d, ok);
        if (!name || !address || !ok) return std::nullopt;
        d.name = *name;
        d.ip = *address;
        return d;
    }

    // locations (1 to 16 distinct names) and quorum (1 to 16, at most the
    // number of locations), as POST /devices/ takes them.
    void read_locations(const Fields& f, const Loc& loc, cfg::DeviceSpec& d, bool& ok) {
        bool items_ok = true;
        const auto names =
            list<std::string>(f, "locations", loc, field("devices", "locations").max_items, items_ok,
                              [&](std::uint32_t v, const Loc& item) -> std::optional<std::string> {
                                  auto name = text(v, item, 1, 64);
                                  if (name && !util::is_node_label(*name)) {
                                      problem(item, nodes_[v].at, "string_pattern_mismatch",
                                              "a location is 1 to 64 letters, digits, '-', '_' or '.'");
                                      return std::nullopt;
                                  }
                                  return name;
                              });
        ok = ok && items_ok;
        if (names && items_ok) {
            std::set<std::string> seen;
            for (const auto& name : *names)
                if (!seen.insert(name).second) {
                    problem(at(loc, "locations"), d.at, "value_error", "location `" + name + "` is named twice");
                    ok = false;
                }
            if (names->empty()) {
                problem(at(loc, "locations"), d.at, "too_short",
                        "List should have at least 1 item (leave locations out for any one node)");
                ok = false;
            }
            d.locations = names;
        }
        if (const auto v = find(f, "quorum"); v && nodes_[*v].kind != Node::Kind::null) {
            const Node& q = visit(*v);
            const bool digits = q.kind == Node::Kind::scalar && q.plain && !q.text.empty() && q.text.size() <= 2 &&
                                std::all_of(q.text.begin(), q.text.end(), [](char c) { return c >= '0' && c <= '9'; });
            const int number = digits ? std::stoi(q.text) : 0;
            if (number < 1 || number > 16) {
                problem(at(loc, "quorum"), q.at, "int_type", "Input should be a whole number, 1 to 16 (without quotes)");
                ok = false;
                return;
            }
            d.quorum = number;
            store::Device merged;
            merged.locations = d.locations;
            merged.quorum = d.quorum;
            if (const auto why = service::quorum_problem(merged)) {
                problem(at(loc, "quorum"), q.at, "value_error", *why);
                ok = false;
            }
        }
    }

    // An absolute http(s) URL with a host and a valid port (as POST /notifiers/ checks).
    bool valid_url(const std::string& url, const Loc& loc, Mark where) {
        const auto why = url_problem(url);
        if (why) problem(loc, where, why->first, why->second);
        return !why;
    }

    std::optional<cfg::NotifierSpec> notifier(std::uint32_t i, const Loc& loc) {
        const auto f = mapping(i, loc, {"name", "type", "url", "format", "to", "secret", "events", "room", "enabled"});
        if (!f) return std::nullopt;
        cfg::NotifierSpec n;
        n.at = nodes_[i].at;
        bool ok = true;
        const auto name = required_text(*f, "name", loc, n.at, 1, field("notifiers", "name").max_length);
        const auto type = choice(*f, "type", loc, {"webhook", "email"}, nullptr);
        if (!type && !find(*f, "type")) problem(at(loc, "type"), n.at, "missing", "Field required");
        const bool webhook = type == "webhook";
        if (type) {
            // Fields of the other type would be dropped silently: refused instead.
            static constexpr std::string_view webhook_only[] = {"url", "format"};
            static constexpr std::string_view email_only[] = {"to"};
            for (const std::string_view other : webhook ? std::span<const std::string_view>(email_only)
                                                                 : std::span<const std::string_view>(webhook_only))
                if (const auto v = find(*f, other)) {
                    problem(at(loc, other), nodes_[*v].at, "extra_forbidden",
                            std::string(other) + " is for " + (webhook ? "email" : "webhook") + " notifiers only");
                    ok = false;
                }
        }
        if (webhook) {
            const auto url = credential(*f, "url", loc, field("notifiers", "url").max_length, ok);
            if (const auto v = find(*f, "url")) n.url_at = nodes_[*v].at;
            if (url && url->value && url->value->empty() && url->variable.empty()) {
                problem(at(loc, "url"), n.at, "missing", "Field required (a webhook notifier needs a url)");
                ok = false;
            } else if (url && url->value && !valid_url(*url->value, at(loc, "url"), n.url_at)) {
                ok = false;
            }
            if (url) n.url = *url;
            const auto format = choice(*f, "format", loc, {"json", "slack", "ntfy"}, "json");
            ok = ok && format.has_value();
            n.format = format.value_or("json");
        } else if (type) {
            auto to = list<std::string>(*f, "to", loc, field("notifiers", "to").max_items, ok,
                                        [&](std::uint32_t v, const Loc& item) -> std::optional<std::string> {
                                            auto a = text(v, item, 3, 254);
                                            if (a && !is_email_address(*a)) {
                                                problem(item, nodes_[v].at, "value_error",
                                                        "value is not a valid email address");
                                                return std::nullopt;
                                            }
                                            return a;
                                        });
            if (ok && (!to || to->empty())) {
                problem(at(loc, "to"), n.at, "missing", "an email notifier needs at least one address in to");
                ok = false;
            }
            n.to = to.value_or(std::vector<std::string>{});
        }
        const auto secret = credential(*f, "secret", loc, field("notifiers", "secret").max_length, ok);
        if (const auto v = find(*f, "secret")) n.secret_at = nodes_[*v].at;
        if (secret) n.secret = *secret;
        auto events = list<std::string>(*f, "events", loc, 2, ok,
                                        [&](std::uint32_t v, const Loc& item) -> std::optional<std::string> {
                                            const Node& e = visit(v);
                                            if (e.kind == Node::Kind::scalar && (e.text == "down" || e.text == "up"))
                                                return e.text;
                                            problem(item, e.at, "literal_error", "Input should be 'down' or 'up'");
                                            return std::nullopt;
                                        });
        if (events) {  // a set, in the store's order
            std::sort(events->begin(), events->end());
            events->erase(std::unique(events->begin(), events->end()), events->end());
            n.events = *events;
        }
        n.room = room_ref(*f, loc, n.room_at, ok);
        if (find(*f, "enabled")) {
            const auto enabled = boolean(*f, "enabled", loc);
            ok = ok && enabled.has_value();
            n.enabled = enabled.value_or(true);
        }
        if (!name || !type || !ok) return std::nullopt;
        n.name = *name;
        n.type = *type;
        return n;
    }

    std::optional<cfg::WindowSpec> window(std::uint32_t i, const Loc& loc) {
        const auto f = mapping(i, loc, {"name", "start", "end", "room", "devices"});
        if (!f) return std::nullopt;
        cfg::WindowSpec w;
        w.at = nodes_[i].at;
        bool ok = true;
        const auto name = required_text(*f, "name", loc, w.at, 1, field("maintenance", "name").max_length);
        std::optional<std::int64_t> times[2];
        const char* keys[2] = {"start", "end"};
        for (int k = 0; k < 2; ++k) {
            const auto t = required_text(*f, keys[k], loc, w.at, 1, 64);
            if (!t) continue;
            times[k] = parse_rfc3339(*t);
            if (!times[k])
                problem(at(loc, keys[k]), nodes_[*find(*f, keys[k])].at, "datetime_parsing",
                        "Input should be a valid datetime (RFC 3339, e.g. 2026-12-05T10:00:00Z)");
        }
        if (times[0] && times[1] && *times[1] <= *times[0]) {
            problem(at(loc, "end"), nodes_[*find(*f, "end")].at, "value_error", "end must be after start");
            ok = false;
        }
        w.room = room_ref(*f, loc, w.room_at, ok);
        auto devices = list<std::string>(*f, "devices", loc, field("maintenance", "devices").max_items, ok,
                                         [&](std::uint32_t v, const Loc& item) {
                                             w.device_at.push_back(nodes_[v].at);
                                             return ip(v, item);
                                         });
        if (!name || !times[0] || !times[1] || !ok) return std::nullopt;
        w.name = *name;
        w.start_ms = *times[0];
        w.end_ms = *times[1];
        w.devices = devices.value_or(std::vector<std::string>{});
        return w;
    }

    const std::vector<Node>& nodes_;
    const Environment& environment_;
    const std::size_t max_visits_;
    std::size_t visits_ = 0;
    std::vector<Problem> problems_;
};

}  // namespace

std::string to_text(const Problem& p) {
    std::string where;
    for (const auto& part : p.loc) {
        if (const auto* key = std::get_if<std::string>(&part)) {
            if (!where.empty()) where.push_back('.');
            where.append(*key);
        } else {
            where.append("[").append(std::to_string(std::get<std::int64_t>(part))).append("]");
        }
    }
    // appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string here
    std::string out;
    if (p.at.line > 0)
        out.append("line ").append(std::to_string(p.at.line)).append(", column ").append(std::to_string(p.at.column)).append(": ");
    if (!where.empty()) out.append(where).append(": ");
    return out.append(p.message);
}

cfg::ConfigDocument read(std::string_view text, const Environment& environment, std::size_t max_visits) {
    std::vector<Node> nodes;
    std::optional<std::uint32_t> root;
    try {
        TextBuffer buffer(text);
        std::istream in(&buffer);
        YAML::Parser parser(in);
        Builder builder(nodes);
        parser.HandleNextDocument(builder);
        root = builder.root;
        Builder more(nodes);
        if (root && parser.HandleNextDocument(more))
            throw cfg::ConfigError({Problem{{}, more.root ? nodes[*more.root].at : Mark{}, "value_error",
                                            "more than one document (---): put everything in one"}});
    } catch (const YAML::Exception& e) {
        throw cfg::ConfigError({Problem{{}, mark_of(e.mark), "yaml_invalid", "invalid YAML: " + e.msg}});
    }
    if (!root || nodes[*root].kind == Node::Kind::null)
        throw cfg::ConfigError({Problem{{}, Mark{}, "missing", "the document is empty"}});
    Reader reader(nodes, environment, max_visits);
    cfg::ConfigDocument doc;
    try {
        doc = reader.document(*root);
    } catch (const TooManyProblems&) {
        reader.problems().push_back(
            Problem{{}, Mark{}, "too_many_errors", "more problems after these " + std::to_string(k_max_problems)});
    }
    if (!reader.problems().empty()) throw cfg::ConfigError(std::move(reader.problems()));
    return doc;
}

}  // namespace gatewatch::api::config_document
