// /devices/ and /devices/{device_id}
#include "api/csv.hpp"
#include "api/handlers.hpp"
#include "api/schemas.hpp"
#include "api/validation.hpp"
#include "util/text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

namespace gatewatch::api::devices {
namespace json = boost::json;

namespace {

Response device_not_found() { return error_response(404, "Device not found"); }

// check: {"type": "icmp"} or {"type": "tcp", "port": 1-65535}; null means icmp.
std::optional<store::Check> read_check(const JsonBody& body) {
    ValidationErrors& errors = body.errors();
    const json::value* raw = body.raw("check");
    if (raw == nullptr) return std::nullopt;
    if (raw->is_null()) return store::Check{};
    if (!raw->is_object()) {
        errors.add(body.loc({"check"}), "model_attributes_type",
                   "Input should be a valid dictionary or object to extract fields from");
        return std::nullopt;
    }
    JsonBody check(*raw, body.loc({"check"}), body.field("check"), errors);
    const auto type = check.choice("type");
    if (!type) return std::nullopt;
    if (*type == "icmp") return store::Check{};
    if (!check.has("port")) {  // required with tcp only
        errors.add(check.loc({"port"}), "missing", "Field required");
        return std::nullopt;
    }
    const auto port = check.integer("port");
    if (!port) return std::nullopt;
    return store::Check{store::Check::Type::tcp, static_cast<std::uint16_t>(*port)};
}

std::optional<std::string> read_ip(JsonBody& body) {
    const auto text = body.text("ip");
    if (!text) return std::nullopt;
    auto canonical = canonical_ip(*text);
    if (!canonical) body.errors().add(body.loc({"ip"}), "ip_any_address", "value is not a valid IPv4 or IPv6 address");
    return canonical;
}

// An optional id: absent -> untouched, null -> none, else an integer.
std::optional<std::optional<std::int64_t>> read_optional_id(JsonBody& body, std::string_view key) {
    if (!body.has(key)) return std::nullopt;
    if (body.is_null(key)) return std::optional<std::int64_t>();
    if (auto id = body.integer(key)) return std::optional<std::int64_t>(*id);
    return std::nullopt;
}

// locations: null, or 1 to 16 distinct names of letters, digits, '-', '_' and '.'.
std::optional<std::optional<std::vector<std::string>>> read_locations(JsonBody& body) {
    if (!body.has("locations")) return std::nullopt;
    if (body.is_null("locations")) return std::optional<std::vector<std::string>>();
    ValidationErrors& errors = body.errors();
    auto names = read_list<std::string>(body, "locations",
                                        [&](const json::value& v, json::array loc,
                                            const schema::Schema& item) -> std::optional<std::string> {
                                            auto name = read_text(v, loc, item, errors);
                                            if (name && !util::is_node_label(*name)) {
                                                errors.add(std::move(loc), "string_pattern_mismatch",
                                                           "String should match pattern '^[A-Za-z0-9._-]+$'");
                                                return std::nullopt;
                                            }
                                            return name;
                                        });
    if (!names) return std::nullopt;
    std::unordered_set<std::string> seen;
    for (const auto& name : *names)
        if (!seen.insert(name).second) {
            errors.add(body.loc({"locations"}), "value_error", "Value error, location `" + name + "` is named twice");
            return std::nullopt;
        }
    return std::optional<std::vector<std::string>>(std::move(*names));
}

// The fields of a device body (POST, PUT, a bulk row); each present and valid one is set.
service::DevicePatch read_device(JsonBody& body) {
    service::DevicePatch p;
    p.name = body.text("name");
    p.ip = read_ip(body);
    p.room_id = read_optional_id(body, "room_id");
    p.monitored = body.boolean("monitored");
    p.check = read_check(body);
    p.parent_id = read_optional_id(body, "parent_id");
    p.locations = read_locations(body);
    if (const auto quorum = body.integer("quorum")) p.quorum = static_cast<int>(*quorum);
    return p;
}

// The quorum rule on a whole device (a create, a bulk row): an error at its `quorum`.
void check_quorum(const JsonBody& body, const store::Device& device) {
    if (const auto problem = service::quorum_problem(device))
        body.errors().add(body.loc({"quorum"}), "value_error", "Value error, " + *problem);
}

store::Device device_of(const service::DevicePatch& p) {
    store::Device d;
    d.name = *p.name;
    d.ip = *p.ip;
    d.room_id = p.room_id.value_or(std::nullopt);
    d.monitored = p.monitored.value_or(true);
    d.check = p.check.value_or(store::Check{});
    d.parent_id = p.parent_id.value_or(std::nullopt);
    d.locations = p.locations.value_or(std::nullopt);
    d.quorum = p.quorum.value_or(1);
    return d;
}

// Runs a store write and maps its typed failures to the contract's answers.
template <typename Write>
Response write_device(Write&& write) {
    try {
        return write();
    } catch (const store::UniqueViolation&) {
        return error_response(409, "IP address already in use");
    } catch (const store::NotFound& e) {
        return error_response(404, e.entity == store::Entity::device ? "Parent device not found" : "Room not found");
    } catch (const store::DependencyCycle&) {
        ValidationErrors errors;
        errors.add({"body", "parent_id"}, "value_error",
                   "Value error, a device cannot depend on itself or on a device behind it");
        return errors.response();
    } catch (const service::InvalidQuorum& e) {
        ValidationErrors errors;
        errors.add({"body", "quorum"}, "value_error", std::string("Value error, ") + e.what());
        return errors.response();
    }
}

}  // namespace

Response list(const AppContext& app, const Call& call) {
    std::optional<std::int64_t> room_id;
    for (const auto& [key, value] : call.query) {
        if (key != "room_id") continue;
        ValidationErrors errors;
        room_id = read_positive_id(value, {"query", "room_id"}, errors);
        if (!errors.empty()) return errors.response();
    }
    auto render = [&] {
        json::array devices;
        for (const auto& device : app.store.list_devices(room_id)) devices.push_back(to_json(device));
        return json::serialize(devices);
    };
    Response r;
    r.body = room_id ? render() : *app.cache.body(ReadCache::Body::devices, render);
    return r;
}

Response create(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    const auto fields = read_device(body);
    if (fields.name && fields.ip) check_quorum(body, device_of(fields));
    if (!errors.empty()) return errors.response();
    return write_device([&] { return json_response(201, to_json(app.services.devices.create(device_of(fields)))); });
}

namespace {

json::array at(std::size_t row, std::string_view field) {
    return json::array{"body", static_cast<std::int64_t>(row), field};
}

// The rows of a JSON body {"devices": [device, ...]}; errors at ["body", i, field].
std::vector<store::Store::BulkDevice> json_rows(std::string_view text, const schema::Schema& schema,
                                                ValidationErrors& errors) {
    std::vector<store::Store::BulkDevice> rows;
    JsonBody body(text, schema, errors);
    const schema::Schema& list_schema = body.field("devices");
    const json::value* list = body.raw("devices");
    if (list == nullptr) {
        if (body.is_object()) errors.add({"body", "devices"}, "missing", "Field required");
        return rows;
    }
    if (!list->is_array()) {
        errors.add({"body", "devices"}, "list_type", "Input should be a valid list");
        return rows;
    }
    if (list->as_array().size() > list_schema.max_items) {
        errors.add({"body", "devices"}, "too_long",
                   "List should have at most " + std::to_string(list_schema.max_items) + " items after validation, not " +
                       std::to_string(list->as_array().size()));
        return rows;
    }
    std::size_t i = 0;
    for (const auto& item : list->as_array()) {
        JsonBody row(item, json::array{"body", static_cast<std::int64_t>(i++)}, *list_schema.items, errors);
        const auto fields = read_device(row);
        if (fields.name && fields.ip) {
            rows.push_back({device_of(fields), std::nullopt, std::nullopt});
            check_quorum(row, rows.back().device);
        } else {  // never written (errors were recorded); its ip still counts for duplicates
            rows.push_back({});
            if (fields.ip) rows.back().device.ip = *fields.ip;
        }
    }
    return rows;
}

// The rows of a CSV body with a header row of name,ip,room,monitored,check_port,parent_ip.
std::vector<store::Store::BulkDevice> csv_rows(std::string_view text, const schema::Schema& schema,
                                               ValidationErrors& errors) {
    std::vector<store::Store::BulkDevice> rows;
    if (const auto bad = util::invalid_utf8_at(text); bad != std::string_view::npos) {
        const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
        errors.add({"body"}, "csv_invalid", "line " + std::to_string(line) + ": the text is not UTF-8");
        return rows;
    }
    auto parsed = parse_csv(text);
    if (const auto* bad = std::get_if<CsvError>(&parsed)) {
        errors.add({"body"}, "csv_invalid", "line " + std::to_string(bad->line) + ": " + bad->message);
        return rows;
    }
    auto& table = std::get<CsvTable>(parsed);
    if (table.records.empty()) {
        errors.add({"body"}, "missing", "Field required");
        return rows;
    }
    static constexpr std::array known{"name", "ip", "room", "monitored", "check_port", "parent_ip"};
    std::unordered_map<std::string, std::size_t> column;
    const auto& header = table.records.front();
    for (std::size_t c = 0; c < header.size(); ++c) {
        std::string name(util::trim(header[c]));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        if (std::find(known.begin(), known.end(), name) == known.end())
            errors.add({"body", "header", header[c]}, "value_error",
                       "Value error, unknown column; the columns are name, ip, room, monitored, check_port, parent_ip");
        else if (!column.emplace(name, c).second)
            errors.add({"body", "header", header[c]}, "value_error", "Value error, the column is named twice");
    }
    for (const auto* required : {"name", "ip"})
        if (!column.contains(required)) errors.add({"body", "header", required}, "missing", "Field required");
    if (!errors.empty()) return rows;
    // A row is a device as in JSON (the same declared rules), a room by its name.
    const schema::Schema& rows_schema = *schema.property("devices").schema;
    const schema::Schema& row_schema = *rows_schema.items;
    const schema::Schema& port_schema = *row_schema.property("check").schema->property("port").schema;
    const schema::Schema& room_name_schema = *schemas::room_create.property("name").schema;
    if (table.records.size() - 1 > rows_schema.max_items) {
        errors.add({"body"}, "too_long",
                   "At most " + std::to_string(rows_schema.max_items) + " rows, not " +
                       std::to_string(table.records.size() - 1));
        return rows;
    }
    for (std::size_t r = 1; r < table.records.size(); ++r) {
        const std::size_t i = r - 1;
        const auto& record = table.records[r];
        if (record.size() != header.size()) {
            errors.add(json::array{"body", static_cast<std::int64_t>(i)}, "value_error",
                       "Value error, line " + std::to_string(table.lines[r]) + " has " + std::to_string(record.size()) +
                           " fields, the header " + std::to_string(header.size()));
            rows.push_back({});
            continue;
        }
        const auto cell = [&](const char* name) -> std::optional<std::string> {
            const auto it = column.find(name);
            if (it == column.end()) return std::nullopt;
            return std::string(util::trim(record[it->second]));
        };
        store::Store::BulkDevice row;
        const auto name = read_text(json::value(cell("name").value_or("")), at(i, "name"),
                                    *row_schema.property("name").schema, errors);
        const auto ip_text = cell("ip").value_or("");
        const auto ip = canonical_ip(ip_text);
        if (!ip) {
            errors.add(at(i, "ip"), "ip_any_address", "value is not a valid IPv4 or IPv6 address");
        }
        if (const auto room = cell("room"); room && !room->empty()) {
            if (read_text(json::value(*room), at(i, "room"), room_name_schema, errors)) row.room_name = *room;
        }
        if (const auto monitored = cell("monitored"); monitored && !monitored->empty()) {
            if (const auto b = parse_query_bool(*monitored)) row.device.monitored = *b;
            else {
                errors.add(at(i, "monitored"), "bool_parsing", "Input should be a valid boolean, unable to interpret input");
            }
        }
        if (const auto port = cell("check_port"); port && !port->empty()) {
            std::int64_t number = 0;
            const auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), number);
            if (ec != std::errc() || end != port->data() + port->size()) {
                errors.add(at(i, "check_port"), "int_parsing",
                           "Input should be a valid integer, unable to parse string as an integer");
            } else if (read_integer(json::value(number), at(i, "check_port"), port_schema, errors)) {
                row.device.check = store::Check{store::Check::Type::tcp, static_cast<std::uint16_t>(number)};
            }
        }
        if (const auto parent = cell("parent_ip"); parent && !parent->empty()) {
            if (const auto canonical = canonical_ip(*parent)) row.parent_ip = *canonical;
            else {
                errors.add(at(i, "parent_ip"), "ip_any_address", "value is not a valid IPv4 or IPv6 address");
            }
        }
        // The ip even of a row with other errors: the batch checks (duplicates) see it.
        // Nothing is written while any error stands.
        if (name) row.device.name = *name;
        if (ip) row.device.ip = *ip;
        rows.push_back(std::move(row));
    }
    return rows;
}

// What only the whole batch shows: an IP twice or already taken, a parent or
// room that does not exist, rows that depend on each other in a circle.
void check_batch(const AppContext& app, const std::vector<store::Store::BulkDevice>& rows, ValidationErrors& errors) {
    std::unordered_map<std::string, std::int64_t> stored_ips;  // ip -> id
    std::unordered_set<std::int64_t> stored_ids;
    for (const auto& d : app.store.list_devices(std::nullopt)) {
        stored_ips.emplace(d.ip, d.id);
        stored_ids.insert(d.id);
    }
    std::unordered_set<std::int64_t> room_ids;
    for (const auto& r : app.store.list_rooms()) room_ids.insert(r.id);
    std::unordered_map<std::string, std::size_t> row_of_ip;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& ip = rows[i].device.ip;
        if (ip.empty()) continue;  // the row's own errors were recorded
        if (stored_ips.contains(ip) || !row_of_ip.emplace(ip, i).second)
            errors.add(at(i, "ip"), "value_error", "Value error, IP address already in use");
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        if (row.device.ip.empty()) continue;
        if (row.device.room_id && !room_ids.contains(*row.device.room_id))
            errors.add(at(i, "room_id"), "value_error", "Value error, Room not found");
        if (row.device.parent_id && !stored_ids.contains(*row.device.parent_id))
            errors.add(at(i, "parent_id"), "value_error", "Value error, Parent device not found");
        if (row.parent_ip && !row_of_ip.contains(*row.parent_ip) && !stored_ips.contains(*row.parent_ip))
            errors.add(at(i, "parent_ip"), "value_error", "Value error, Parent device not found");
    }
    // Circles among the rows (a stored device never depends on a new one).
    std::vector<int> state(rows.size(), 0);  // 0 unseen, 1 on the path, 2 done
    for (std::size_t start = 0; start < rows.size(); ++start) {
        std::vector<std::size_t> path;
        std::size_t i = start;
        while (state[i] == 0) {
            state[i] = 1;
            path.push_back(i);
            const auto& parent = rows[i].parent_ip;
            const auto next = parent ? row_of_ip.find(*parent) : row_of_ip.end();
            if (next == row_of_ip.end()) break;
            i = next->second;
        }
        if (state[i] == 1 && rows[i].parent_ip && row_of_ip.contains(*rows[i].parent_ip))  // came back to the path
            for (auto it = std::find(path.begin(), path.end(), i); it != path.end(); ++it)
                errors.add(at(*it, "parent_ip"), "value_error",
                           "Value error, a device cannot depend on itself or on a device behind it");
        for (const auto p : path) state[p] = 2;
    }
}

}  // namespace

Response bulk(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    const std::string_view type = call.request.content_type;
    const bool csv = util::iequals(util::trim(type.substr(0, type.find(';'))), "text/csv");
    auto rows = csv ? csv_rows(call.request.body, call.body_schema(), errors)
                    : json_rows(call.request.body, call.body_schema(), errors);
    if (!rows.empty()) check_batch(app, rows, errors);  // every bad row, its own problems and the batch's
    if (!errors.empty()) return errors.response();
    return write_device([&] {
        const auto created = app.services.devices.create_many(rows);
        json::array devices;
        devices.reserve(created.size());
        for (const auto& d : created) devices.push_back(to_json(d));
        return json_response(201, json::object{{"created", created.size()}, {"devices", std::move(devices)}});
    });
}

Response get(const AppContext& app, const Call& call) {
    const auto device = app.store.find_device(call.ids[0]);
    return device ? json_response(200, to_json(*device)) : device_not_found();
}

Response update(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    const auto patch = read_device(body);
    if (!errors.empty()) return errors.response();
    return write_device([&] {
        const auto device = app.services.devices.update(call.ids[0], patch);
        return device ? json_response(200, to_json(*device)) : device_not_found();
    });
}

Response remove(const AppContext& app, const Call& call) {
    return app.services.devices.remove(call.ids[0]) ? no_content() : device_not_found();
}

}  // namespace gatewatch::api::devices
