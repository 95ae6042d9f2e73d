// Configuration as code: the document's reader and writer
// (api/config_document.hpp) and the plan (service/config_as_code.hpp), pure,
// then through a real store: export -> apply changes nothing.
#include "api/config_document.hpp"
#include "service/config_as_code.hpp"
#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <map>

using namespace gatewatch;
namespace cfg = service::config;
namespace doc = api::config_document;

namespace {

std::optional<std::string> no_environment(const std::string&) { return std::nullopt; }

cfg::ConfigDocument read(const std::string& text, const doc::Environment& env = no_environment) {
    return doc::read(text, env);
}

// The problems of a document that must be refused.
std::vector<cfg::Problem> problems(const std::string& text, const doc::Environment& env = no_environment,
                                   std::size_t max_visits = doc::k_default_max_visits) {
    try {
        doc::read(text, env, max_visits);
    } catch (const cfg::ConfigError& e) {
        return e.problems;
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return {};
}

std::vector<cfg::Problem> plan_problems(const cfg::ConfigDocument& d, const store::ConfigSnapshot& s, bool prune) {
    try {
        cfg::plan(d, s, prune);
    } catch (const cfg::ConfigError& e) {
        return e.problems;
    }
    ADD_FAILURE() << "planned without a problem";
    return {};
}

std::string first_text(const std::vector<cfg::Problem>& p) { return p.empty() ? "" : doc::to_text(p.front()); }

std::vector<std::string> lines(const cfg::Plan& p) {
    std::vector<std::string> out;
    for (const auto& l : p.lines) out.push_back(cfg::to_text(l));
    return out;
}

store::Device device(std::int64_t id, std::string name, std::string ip) {
    store::Device d;
    d.id = id;
    d.name = std::move(name);
    d.ip = std::move(ip);
    return d;
}

}  // namespace

TEST(ConfigDocument, ReadsEveryFieldAndCanonicalisesAddresses) {
    const auto d = read(R"(version: 1
rooms:
  - {name: Lab, description: second floor}
devices:
  - name: gw
    ip: 2001:DB8:0:0:0:0:0:1
    room: Lab
    monitored: false
    check: {type: tcp, port: 22}
    parent: 10.0.0.254
notifiers:
  - {name: mail, type: email, to: [ops@example.com], events: [up, down]}
maintenance:
  - {name: upgrade, start: "2026-12-05T10:00:00Z", end: 2026-12-05T12:00:00+01:00, devices: [10.0.0.254]}
)");
    ASSERT_EQ(d.rooms->size(), 1u);
    EXPECT_EQ((*d.rooms)[0].description, "second floor");
    const auto& dev = (*d.devices)[0];
    EXPECT_EQ(dev.ip, "2001:db8::1");
    EXPECT_EQ(dev.room, "Lab");
    EXPECT_FALSE(dev.monitored);
    EXPECT_EQ(dev.check, (store::Check{store::Check::Type::tcp, 22}));
    EXPECT_EQ(dev.parent, "10.0.0.254");
    EXPECT_EQ(dev.at.line, 5);  // the item's mark, 1-based
    EXPECT_EQ((*d.notifiers)[0].events, (std::vector<std::string>{"down", "up"}));
    EXPECT_EQ((*d.maintenance)[0].end_ms - (*d.maintenance)[0].start_ms, 3600 * 1000);
}

TEST(ConfigDocument, AbsentSectionsAreNotManagedAndEmptyOnesAre) {
    const auto d = read("devices: []\nrooms: []\n");
    EXPECT_TRUE(d.devices && d.devices->empty());
    EXPECT_TRUE(d.rooms && d.rooms->empty());
    EXPECT_FALSE(d.notifiers);
    EXPECT_FALSE(d.maintenance);
    // a section with every entry commented out is refused: with prune it would delete them all
    const auto p = problems("devices:\n#  - {name: a, ip: 10.0.0.1}\nrooms: []\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].type, "list_type");
}

TEST(ConfigDocument, TextThatIsNotUtf8IsRefused) {
    for (const std::string bad : {"La\xff" "b", "L\xc3(x", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}) {
        const auto p = problems("rooms:\n  - name: \"" + bad + "\"\n");
        ASSERT_EQ(p.size(), 1u) << bad;
        EXPECT_EQ(p[0].type, "string_unicode") << bad;
    }
    EXPECT_EQ(read("rooms: [{name: \"Caf\xc3\xa9 \xf0\x9f\x93\xa1\"}]").rooms->at(0).name, "Caf\xc3\xa9 \xf0\x9f\x93\xa1");
}

TEST(ConfigDocument, RefusesTyposAndWrongTypesWithTheirPlace) {
    auto p = problems("devices:\n  - name: a\n    ip: 10.0.0.1\n    monitord: true\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].type, "extra_forbidden");
    EXPECT_EQ(first_text(p),
              "line 4, column 5: devices[0].monitord: unknown field \"monitord\" (expected one of: name, ip, room, "
              "monitored, check, parent, locations, quorum)");
    EXPECT_EQ(problems("rooms: [{name: a}]\nroom: []\n")[0].type, "extra_forbidden");
    // a quoted boolean or number, and a boolean YAML 1.1 would have guessed, are refused
    EXPECT_EQ(problems("devices: [{name: a, ip: 10.0.0.1, monitored: \"true\"}]")[0].type, "bool_type");
    EXPECT_EQ(problems("devices: [{name: a, ip: 10.0.0.1, monitored: yes}]")[0].type, "bool_type");
    EXPECT_EQ(problems("devices: [{name: a, ip: 10.0.0.1, check: {type: tcp, port: \"22\"}}]")[0].type, "int_type");
    EXPECT_EQ(problems("devices: [{name: a, ip: 10.0.0.1, check: {type: tcp, port: 70000}}]")[0].type, "int_type");
    EXPECT_EQ(problems("devices: [{name: a, ip: 10.0.0.1, check: {type: icmp, port: 1}}]")[0].type,
              "extra_forbidden");
    EXPECT_EQ(problems("devices: [{name: a, ip: 10.0.0.300}]")[0].type, "ip_any_address");
    EXPECT_EQ(problems("devices: [{name: a}]")[0].type, "missing");
    EXPECT_EQ(problems("devices: [{name: [a], ip: 10.0.0.1}]")[0].type, "string_type");
    EXPECT_EQ(problems("devices: [{name: " + std::string(101, 'x') + ", ip: 10.0.0.1}]")[0].type, "string_too_long");
    EXPECT_EQ(problems("devices: {name: a}")[0].type, "list_type");
    EXPECT_EQ(problems("version: 2")[0].type, "literal_error");
    EXPECT_EQ(problems("notifiers: [{name: n, type: email, to: [ops@example.com], url: http://x/}]")[0].type,
              "extra_forbidden");
    EXPECT_EQ(problems("notifiers: [{name: n, type: webhook, url: ftp://x/}]")[0].type, "url_scheme");
    EXPECT_EQ(problems("notifiers: [{name: n, type: email, to: [nobody]}]")[0].type, "value_error");
    EXPECT_EQ(problems("notifiers: [{name: n, type: webhook}]")[0].type, "missing");
    EXPECT_EQ(problems("maintenance: [{name: w, start: 2026-12-05T10:00:00Z, end: 2026-12-05T09:00:00Z}]")[0].message,
              "end must be after start");
    EXPECT_EQ(problems("maintenance: [{name: w, start: tomorrow, end: 2026-12-05T09:00:00Z}]")[0].type,
              "datetime_parsing");
}

TEST(ConfigDocument, EveryProblemIsReportedUpToAHundred) {
    const auto p = problems("devices:\n  - {name: a, ip: x}\n  - {name: b, ip: y}\n  - {ip: 10.0.0.1}\n");
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[1].loc, (decltype(p[1].loc){"devices", 1, "ip"}));
    EXPECT_EQ(p[1].at.line, 3);
    std::string many = "devices:\n";
    for (int i = 0; i < 500; ++i) many += "  - {name: d, ip: bad}\n";
    const auto capped = problems(many);
    EXPECT_EQ(capped.size(), 101u);
    EXPECT_EQ(capped.back().type, "too_many_errors");
}

TEST(ConfigDocument, BadYamlDuplicateKeysAndSeveralDocumentsAreRefused) {
    auto p = problems("devices: [{name: a, ip: 10.0.0.1}\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].type, "yaml_invalid");
    EXPECT_GT(p[0].at.line, 0);
    p = problems("devices:\n  - name: a\n    ip: 10.0.0.1\n    name: b\n");
    EXPECT_EQ(first_text(p), "line 4, column 5: devices[0].name: the field \"name\" is given twice");
    EXPECT_EQ(problems("rooms: []\n---\nrooms: []\n")[0].message, "more than one document (---): put everything in one");
    EXPECT_EQ(problems("")[0].message, "the document is empty");
    EXPECT_EQ(problems("[1, 2]")[0].type, "model_attributes_type");
    EXPECT_EQ(problems(std::string(10'000, '[') + std::string(10'000, ']'))[0].type, "yaml_invalid");  // depth guard
}

TEST(ConfigDocument, AliasesAreSharedAndTheirExpansionIsCapped) {
    // Anchors for repetition are fine.
    const auto d = read("devices:\n  - {name: a, ip: 10.0.0.1, check: &ssh {type: tcp, port: 22}}\n"
                        "  - {name: b, ip: 10.0.0.2, check: *ssh}\n");
    EXPECT_EQ((*d.devices)[1].check.port, 22);
    // A billion laughs: ten levels of ten aliases is 10^10 nodes once
    // expanded, in a few hundred bytes. Aliases share their anchor's node, and
    // the reader does not walk into fields it does not know.
    std::string bomb = "a0: &a0 [10.0.0.1]\n";
    for (int i = 1; i <= 10; ++i) {
        bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k) bomb += (k ? ", *a" : "*a") + std::to_string(i - 1);
        bomb += "]\n";
    }
    auto p = problems(bomb);
    ASSERT_EQ(p.size(), 11u);
    EXPECT_EQ(p[0].type, "extra_forbidden");
    // Where the reader does walk, into a window's devices, each alias costs
    // what it names: a thousand windows sharing one list of a thousand
    // addresses are a million steps, past a budget of 100,000.
    std::string list = "[10.0.0.1";
    for (int i = 0; i < 999; ++i) list += ", 10.0.0.1";
    list += "]";
    std::string shared = "maintenance:\n";
    shared += "  - {name: w0, start: 2026-12-05T10:00:00Z, end: 2026-12-05T11:00:00Z, devices: &ips " + list + "}\n";
    for (int i = 1; i < 1000; ++i)
        shared += "  - {name: w" + std::to_string(i) + ", start: 2026-12-05T10:00:00Z, end: 2026-12-05T11:00:00Z, "
                  "devices: *ips}\n";
    p = problems(shared, no_environment, 100'000);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].type, "too_long");
    EXPECT_NE(p[0].message.find("aliases"), std::string::npos);
    EXPECT_NO_THROW(doc::read(shared, no_environment));  // within the default budget
    // An alias inside the node it names would make a loop.
    EXPECT_EQ(problems("devices: &a [*a]")[0].type, "yaml_invalid");
}

TEST(ConfigDocument, ReferencesComeFromTheEnvironmentOrAreKept) {
    const std::string text = "notifiers:\n  - {name: ops, type: webhook, url: \"${HOOK}\", secret: \"${SIGN}\"}\n";
    const auto set = read(text, [](const std::string& name) -> std::optional<std::string> {
        if (name == "HOOK") return "https://hooks.example/abc";
        if (name == "SIGN") return "s3cret";
        return std::nullopt;
    });
    EXPECT_EQ((*set.notifiers)[0].url.value, "https://hooks.example/abc");
    EXPECT_EQ((*set.notifiers)[0].secret.value, "s3cret");
    const auto unset = read(text);
    EXPECT_FALSE((*unset.notifiers)[0].secret.value);
    EXPECT_EQ((*unset.notifiers)[0].secret.variable, "SIGN");
    // a value from the environment is checked like a written one
    EXPECT_EQ(problems(text, [](const std::string&) { return std::optional<std::string>("not a url"); })[0].type,
              "url_parsing");
    EXPECT_EQ(problems("notifiers: [{name: n, type: webhook, url: http://x/, secret: \"${1X}\"}]")[0].type,
              "value_error");
}

TEST(ConfigDocument, WritesWhatItReads) {
    store::ConfigSnapshot s;
    s.rooms = {{1, "Lab", "second floor"}, {2, "null", ""}};
    s.devices = {device(1, "gw", "10.0.0.1"), device(2, "true", "2001:db8::1"), device(3, "# not a comment", "10.0.0.3")};
    s.devices[1].room_id = 2;
    s.devices[1].parent_id = 1;
    s.devices[1].check = {store::Check::Type::tcp, 443};
    s.devices[1].monitored = false;
    s.devices[2].locations = std::vector<std::string>{"west", "east"};
    s.devices[2].quorum = 2;
    store::Notifier hook;
    hook.id = 1;
    hook.name = "slack ops";
    hook.url = "https://hooks.slack.example/T0/B0/x";
    hook.format = "slack";
    hook.secret = "s";
    store::Notifier plain;
    plain.id = 2;
    plain.name = "receiver";
    plain.url = "http://127.0.0.1:9000/hook";
    plain.room_id = 1;
    plain.events = {"down"};
    s.notifiers = {hook, plain};
    s.maintenance = {{1, "upgrade", 1'800'000'000'000, 1'800'000'360'000, 1, {3, 99}}};
    const auto document = cfg::document_of(s);
    const auto yaml = doc::to_yaml(document);
    EXPECT_NE(yaml.find("url: ${GATEWATCH_NOTIFIER_SLACK_OPS_URL}"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("secret: ${GATEWATCH_NOTIFIER_SLACK_OPS_SECRET}"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("http://127.0.0.1:9000/hook"), std::string::npos) << yaml;  // no credential in it
    EXPECT_EQ(yaml.find("hooks.slack.example"), std::string::npos) << yaml;
    const auto again = read(yaml);
    EXPECT_EQ((*again.rooms)[1].name, "null");
    EXPECT_EQ((*again.rooms)[1].description, "");
    EXPECT_EQ((*again.devices)[1].name, "true");
    EXPECT_EQ((*again.devices)[2].name, "# not a comment");
    EXPECT_EQ((*again.devices)[2].locations, s.devices[2].locations);
    EXPECT_EQ((*again.devices)[2].quorum, 2);
    EXPECT_FALSE((*again.devices)[0].locations);
    EXPECT_EQ((*again.maintenance)[0].devices, std::vector<std::string>{"10.0.0.3"});  // device 99 is gone
    // read back, it plans nothing against the store it came from
    const auto p = cfg::plan(again, s, true);
    EXPECT_TRUE(p.empty()) << ::testing::PrintToString(lines(p));
    // JSON is YAML: the JSON form reads back the same
    const auto from_json = read(boost::json::serialize(doc::to_json(document)));
    EXPECT_TRUE(cfg::plan(from_json, s, true).empty());
}

TEST(ConfigPlan, CreatesChangesAndDeletesOneLineEach) {
    store::ConfigSnapshot s;
    s.rooms = {{1, "Lab", std::nullopt}, {2, "Old", std::nullopt}};
    s.devices = {device(1, "gw", "10.0.0.1"), device(2, "printer", "10.0.0.2"), device(3, "gone", "10.0.0.3")};
    s.devices[1].room_id = 1;
    const auto d = read(R"(
rooms: [{name: Lab, description: lab}, {name: New}]
devices:
  - {name: gateway, ip: 10.0.0.1}
  - {name: printer, ip: 10.0.0.2, room: New, parent: 10.0.0.1, check: {type: tcp, port: 9100}}
  - {name: camera, ip: 10.0.0.4, room: New, parent: 10.0.0.2}
)");
    const auto kept = cfg::plan(d, s, false);
    EXPECT_EQ(lines(kept), (std::vector<std::string>{
                               "~ room \"Lab\": description none -> \"lab\"",
                               "+ room \"New\"",
                               "~ device 10.0.0.1: name \"gw\" -> \"gateway\"",
                               "~ device 10.0.0.2: room \"Lab\" -> \"New\"",
                               "~ device 10.0.0.2: check icmp -> tcp port 9100",
                               "~ device 10.0.0.2: parent none -> 10.0.0.1",
                               "+ device 10.0.0.4 \"camera\"",
                           }));
    EXPECT_EQ(cfg::summary(kept), "2 to create, 3 to change, 0 to delete");
    ASSERT_EQ(kept.write.create_devices.size(), 1u);
    EXPECT_EQ(kept.write.create_devices[0].new_room, 0u);  // the room created by the same write
    EXPECT_EQ(kept.write.create_devices[0].device.parent_id, 2);
    const auto pruned = cfg::plan(d, s, true);
    EXPECT_EQ(cfg::summary(pruned), "2 to create, 3 to change, 2 to delete");
    EXPECT_EQ(lines(pruned).back(), "- room \"Old\"");
    EXPECT_EQ(pruned.write.delete_devices, std::vector<std::int64_t>{3});
    EXPECT_EQ(pruned.write.delete_rooms, std::vector<std::int64_t>{2});
}

TEST(ConfigPlan, LocationsAndQuorumAreComparedAndChecked) {
    store::ConfigSnapshot s;
    s.devices = {device(1, "gw", "10.0.0.1")};
    const auto d = read("devices:\n  - {name: gw, ip: 10.0.0.1, locations: [east, west], quorum: 2}\n");
    EXPECT_EQ(lines(cfg::plan(d, s, false)), (std::vector<std::string>{
                                                 "~ device 10.0.0.1: locations any -> [east, west]",
                                                 "~ device 10.0.0.1: quorum 1 -> 2",
                                             }));
    // More than its locations, a quorum without any, a bad or repeated name, an empty list.
    for (const auto* bad : {"{name: gw, ip: 10.0.0.1, locations: [east], quorum: 2}",
                            "{name: gw, ip: 10.0.0.1, quorum: 2}",
                            "{name: gw, ip: 10.0.0.1, locations: [\"a b\"]}",
                            "{name: gw, ip: 10.0.0.1, locations: [east, east]}",
                            "{name: gw, ip: 10.0.0.1, locations: []}",
                            "{name: gw, ip: 10.0.0.1, locations: [east], quorum: \"1\"}"}) {
        const auto p = problems(std::string("devices:\n  - ") + bad + "\n");
        EXPECT_EQ(p.size(), 1u) << bad;
    }
}

TEST(ConfigPlan, RefusesWhatTheStoreWouldRefuseWithThePlace) {
    store::ConfigSnapshot s;
    s.rooms = {{1, "Lab", std::nullopt}};
    s.devices = {device(1, "a", "10.0.0.1")};
    s.devices[0].room_id = 1;
    // duplicates in the document
    auto p = plan_problems(read("devices:\n  - {name: a, ip: 10.0.0.9}\n  - {name: b, ip: 10.0.0.9}\n"), s, false);
    EXPECT_EQ(first_text(p), "line 3, column 5: devices[1].ip: a device with this ip is already at line 2");
    p = plan_problems(read("rooms: [{name: x}, {name: x}]"), s, false);
    EXPECT_EQ(p[0].loc, (decltype(p[0].loc){"rooms", 1, "name"}));
    // references to nothing
    p = plan_problems(read("devices: [{name: b, ip: 10.0.0.2, room: Nowhere, parent: 10.0.0.7}]"), s, false);
    ASSERT_EQ(p.size(), 1u);  // the first bad reference of an item is enough
    EXPECT_EQ(p[0].message, "no room named \"Nowhere\" in the document or the store");
    // parents in a circle, through a stored device the document does not list
    s.devices.push_back(device(2, "b", "10.0.0.2"));
    s.devices[1].parent_id = 1;
    p = plan_problems(read("devices: [{name: a, ip: 10.0.0.1, room: Lab, parent: 10.0.0.2}]"), s, false);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].message, "parents go round in a circle: 10.0.0.1 -> 10.0.0.2 -> 10.0.0.1");
    p = plan_problems(read("devices: [{name: a, ip: 10.0.0.1, parent: 10.0.0.1}]"), s, false);
    EXPECT_EQ(p[0].message, "parents go round in a circle: 10.0.0.1 -> 10.0.0.1");
    // a pruned room that a device outside the document still holds
    p = plan_problems(read("rooms: []"), s, true);
    EXPECT_EQ(p[0].message,
              "room \"Lab\" cannot be deleted: device 10.0.0.1 is in it and the document does not manage devices");
    // a room name the store holds twice cannot name one of them
    s.rooms.push_back({2, "Lab", std::nullopt});
    p = plan_problems(read("devices: [{name: a, ip: 10.0.0.1, room: Lab}]"), s, false);
    EXPECT_NE(p[0].message.find("more than one room named \"Lab\""), std::string::npos);
}

TEST(ConfigPlan, AnUnsetReferenceKeepsTheStoredCredentialAndCannotMakeANewOne) {
    store::ConfigSnapshot s;
    store::Notifier n;
    n.id = 1;
    n.name = "ops";
    n.url = "https://hooks.example/secret-path?token=x";
    n.secret = "stored";
    s.notifiers = {n};
    const auto kept = cfg::plan(read("notifiers: [{name: ops, type: webhook, url: \"${U}\", secret: \"${S}\"}]"), s, true);
    EXPECT_TRUE(kept.empty()) << ::testing::PrintToString(lines(kept));
    const auto changed = cfg::plan(read("notifiers: [{name: ops, type: webhook, url: \"${U}\", secret: \"${S}\"}]",
                                        [](const std::string& v) {
                                            return v == "S" ? std::optional<std::string>("new") : std::nullopt;
                                        }),
                                   s, true);
    EXPECT_EQ(lines(changed), std::vector<std::string>{"~ notifier \"ops\": secret (set) -> (another)"});
    EXPECT_EQ(changed.write.update_notifiers.at(0).notifier.secret, "new");
    EXPECT_EQ(changed.write.update_notifiers.at(0).notifier.url, n.url);
    const auto p = plan_problems(
        read("notifiers: [{name: other, type: webhook, url: http://x/, secret: \"${GATEWATCH_X}\"}]"), s, false);
    EXPECT_EQ(p.at(0).message,
              "environment variable GATEWATCH_X is not set (PUT /config never reads references: send the value "
              "itself), and there is no stored value to keep");
    // no secret written: none stored
    const auto cleared = cfg::plan(read("notifiers: [{name: ops, type: webhook, url: \"${U}\"}]"), s, true);
    EXPECT_EQ(lines(cleared), std::vector<std::string>{"~ notifier \"ops\": secret (set) -> none"});
}

TEST(ConfigPlan, PruneOnlyTouchesTheSectionsTheDocumentHas) {
    store::ConfigSnapshot s;
    s.rooms = {{1, "Lab", std::nullopt}};
    s.devices = {device(1, "a", "10.0.0.1")};
    store::Notifier n;
    n.id = 1;
    n.name = "lab only";
    n.url = "http://x/";
    n.room_id = 1;
    s.notifiers = {n};
    EXPECT_TRUE(cfg::plan(read("devices: [{name: a, ip: 10.0.0.1}]"), s, true).empty());
    // the room goes, and the notifier limited to it with it, said so
    const auto p = cfg::plan(read("rooms: []"), s, true);
    EXPECT_EQ(lines(p), (std::vector<std::string>{"- notifier \"lab only\" (its room \"Lab\" is deleted)",
                                                  "- room \"Lab\""}));
}

TEST(ConfigAsCode, ExportThenApplyChangesNothingAndAHundredThousandDevicesTakeSeconds) {
    TempDir dir;
    store::SqliteStore store(dir.path / "db");
    events::EventBus bus;
    int reloads = 0;
    const auto counting = bus.subscribe_inline([&](const events::Event& e) {
        reloads += std::holds_alternative<events::Reload>(e) ? 1 : 0;
    });
    cfg::ConfigAsCode config(store, bus);
    std::string text = "rooms: [{name: Lab}]\ndevices:\n";
    for (int i = 0; i < 100'000; ++i) {
        text += "  - {name: d" + std::to_string(i) + ", ip: 10." + std::to_string(i / 65536) + "." +
                std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + ", room: Lab";
        text += i > 0 ? ", parent: 10.0.0.0}\n" : "}\n";
    }
    const auto started = std::chrono::steady_clock::now();
    const auto dry = config.apply(read(text), false, true);
    EXPECT_EQ(dry.created, 100'001u);
    EXPECT_TRUE(store.list_devices(std::nullopt).empty());  // a dry run writes nothing
    EXPECT_EQ(reloads, 0);
    const auto applied = config.apply(read(text), false, false);
    EXPECT_EQ(applied.created, 100'001u);
    EXPECT_EQ(reloads, 1);  // one event for the lot
    const auto elapsed = std::chrono::steady_clock::now() - started;
    std::cout << "[ figures  ] 100,000 devices: read twice, planned twice, written once in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
    ASSERT_EQ(store.list_devices(std::nullopt).size(), 100'000u);
    const auto exported = doc::to_yaml(config.current());
    const auto again = config.apply(read(exported), true, false);
    EXPECT_TRUE(again.empty()) << cfg::to_text(again.lines.front());
    EXPECT_EQ(reloads, 1);  // nothing written, nothing announced
}
