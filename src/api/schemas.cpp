#include "api/schemas.hpp"

namespace gatewatch::api::schemas {
using enum schema::Type;
using schema::Property;

namespace {

// Pieces used in several bodies (unnamed: printed inline).
const Schema id{.type = integer, .minimum = 1};
const Schema nullable_id{.type = integer, .nullable = true, .minimum = 1};
const Schema name{.type = string, .min_length = 1, .max_length = 100};
const Schema time{.type = string, .format = "date-time"};
const Schema nullable_time{.type = string, .nullable = true, .format = "date-time"};
const Schema text{.type = string};
const Schema nullable_text{.type = string, .nullable = true};
const Schema flag{.type = boolean};
const Schema count{.type = integer, .minimum = 0};
const Schema fraction{.type = number, .description = "0 to 1"};
const Schema nullable_fraction{.type = number, .description = "0 to 1", .nullable = true};
const Schema milliseconds{.type = number, .description = "milliseconds", .nullable = true};
const Schema role{.type = string, .enumeration = {"viewer", "admin"}};
const Schema nullable_role{.type = string, .nullable = true, .enumeration = {"viewer", "admin"}};
const Schema status_name{.type = string, .enumeration = {"connected", "disconnected", "unknown"}};
const Schema username{.type = string,
                      .min_length = 3,
                      .max_length = 32,
                      .pattern = "^[A-Za-z0-9_.-]+$"};
const Schema new_password{.type = string, .min_length = 8, .max_length = 128, .format = "password"};
const Schema any_password{.type = string, .max_length = 128, .format = "password"};
const Schema ip{.type = string,
                .description = "An IPv4 or IPv6 literal; answered in canonical form (RFC 5952)",
                .min_length = 1,
                .max_length = 64};
const Schema description{.type = string, .nullable = true, .max_length = 500};
const Schema port{.type = integer, .minimum = 1, .maximum = 65535};
const Schema check_type{.type = string, .enumeration = {"icmp", "tcp"}};
const Schema check{.type = object,
                   .name = "Check",
                   .description = "How a device is probed: ICMP echo (the default) or a TCP connect to port",
                   .nullable = true,
                   .properties = {{"type", &check_type, true}, {"port", &port}}};
const Schema loc_part{.type = any, .description = "a key (string) or an index (integer)"};
const Schema loc{.type = array, .items = &loc_part};
const Schema detail_item{.type = object,
                         .name = "ValidationProblem",
                         .properties = {{"loc", &loc, true}, {"msg", &text, true}, {"type", &text, true}}};
const Schema detail_list{.type = array, .items = &detail_item};

template <const Schema* item>
const Schema list_of{.type = array, .items = item};

// A partial update (PUT): the fields of `create`, none required.
Schema any_subset(const Schema& create, std::string_view component, std::string_view explained) {
    Schema out = create;
    out.name = component;
    out.description = explained;
    for (Property& p : out.properties) p.required = false;
    return out;
}
}  // namespace

const Schema error{.type = object, .name = "Error", .properties = {{"detail", &text, true}}};
const Schema validation_error{.type = object,
                              .name = "ValidationError",
                              .description = "FastAPI's shape: one entry for each problem of the request",
                              .properties = {{"detail", &detail_list, true}}};

// accounts
const Schema user_create{.type = object,
                         .name = "UserCreate",
                         .properties = {{"username", &username, true},
                                        {"password", &new_password, true},
                                        {"role", &nullable_role},  // an admin's token only
                                        {"setup_code", &text}}};   // the first account, from afar
namespace {
const Schema grant_type{.type = string, .pattern = "^password$"};
const Schema any_text{.type = string, .max_length = 128};
}  // namespace
const Schema token_form{.type = object,
                        .name = "TokenForm",
                        .properties = {{"username", &any_text, true},
                                       {"password", &any_password, true},
                                       {"grant_type", &grant_type},
                                       {"scope", &text},
                                       {"client_id", &text},
                                       {"client_secret", &text}}};
namespace {
const Schema bearer{.type = string, .enumeration = {"bearer"}};
}  // namespace
const Schema token{.type = object,
                   .name = "Token",
                   .properties = {{"access_token", &text, true}, {"token_type", &bearer, true}}};
const Schema password_change{.type = object,
                             .name = "PasswordChange",
                             .properties = {{"current_password", &any_password, true},
                                            {"new_password", &new_password, true}}};
const Schema message{.type = object, .name = "Message", .properties = {{"message", &text, true}}};
const Schema user{.type = object,
                  .name = "User",
                  .properties = {{"id", &id, true},
                                 {"username", &text, true},
                                 {"role", &role, true},
                                 {"disabled", &flag, true},
                                 {"created", &nullable_time, true}}};
const Schema user_list = list_of<&user>;
const Schema user_update{.type = object,
                         .name = "UserUpdate",
                         .properties = {{"role", &role}, {"disabled", &flag}}};
namespace {
const Schema expires_days{.type = integer, .nullable = true, .minimum = 1, .maximum = 3650};
}  // namespace
const Schema api_token_create{.type = object,
                              .name = "ApiTokenCreate",
                              .properties = {{"name", &name, true},
                                             {"role", &role, true},
                                             {"expires_days", &expires_days}}};
const Schema api_token_created{.type = object,
                               .name = "ApiTokenCreated",
                               .description = "The token itself is shown here only",
                               .properties = {{"id", &id, true},
                                              {"name", &text, true},
                                              {"role", &role, true},
                                              {"created", &time, true},
                                              {"expires", &nullable_time, true},
                                              {"token", &text, true}}};
const Schema api_token{.type = object,
                       .name = "ApiToken",
                       .properties = {{"id", &id, true},
                                      {"name", &text, true},
                                      {"role", &role, true},
                                      {"created", &time, true},
                                      {"expires", &nullable_time, true},
                                      {"last_used", &nullable_time, true}}};
const Schema api_token_list = list_of<&api_token>;

// rooms and devices
const Schema room_create{.type = object,
                         .name = "RoomCreate",
                         .properties = {{"name", &name, true}, {"description", &description}}};
const Schema room_update = any_subset(room_create, "RoomUpdate", "Any subset of the fields");
const Schema room{.type = object,
                  .name = "Room",
                  .properties = {{"id", &id, true}, {"name", &text, true}, {"description", &nullable_text, true}}};
const Schema room_list = list_of<&room>;

const Schema location_name{.type = string, .min_length = 1, .max_length = 64, .pattern = "^[A-Za-z0-9._-]+$"};
namespace {
const Schema device_locations{.type = array,
                              .description = "Several nodes: the locations whose nodes probe the device, one node in "
                                             "each; null (the default): any one node",
                              .nullable = true,
                              .items = &location_name,
                              .max_items = 16,
                              .min_items = 1};
const Schema device_quorum{.type = integer,
                           .description = "How many of its locations must see the device down for it to be "
                                          "disconnected (default 1; at most the number of locations)",
                           .minimum = 1,
                           .maximum = 16};
}  // namespace
const Schema device_create{.type = object,
                           .name = "DeviceCreate",
                           .properties = {{"name", &name, true},
                                          {"ip", &ip, true},
                                          {"room_id", &nullable_id},
                                          {"monitored", &flag},
                                          {"check", &check},
                                          {"parent_id", &nullable_id},
                                          {"locations", &device_locations},
                                          {"quorum", &device_quorum}}};
const Schema device_update =
    any_subset(device_create, "DeviceUpdate", "Any subset of the fields; null for name, ip or monitored is 422");
namespace {
const Schema device_check{.type = object,
                          .name = "DeviceCheck",
                          .properties = {{"type", &check_type, true}, {"port", &port}}};
}  // namespace
const Schema device{.type = object,
                    .name = "Device",
                    .properties = {{"id", &id, true},
                                   {"name", &text, true},
                                   {"ip", &text, true},
                                   {"room_id", &nullable_id, true},
                                   {"monitored", &flag, true},
                                   {"check", &device_check, true},
                                   {"parent_id", &nullable_id, true},
                                   {"locations", &device_locations, true},
                                   {"quorum", &device_quorum, true}}};
const Schema device_list = list_of<&device>;
namespace {
const Schema bulk_rows{.type = array, .items = &device_create, .max_items = 100'000};
}  // namespace
const Schema bulk_devices{.type = object,
                          .name = "BulkDevices",
                          .properties = {{"devices", &bulk_rows, true}}};
const Schema bulk_devices_csv{.type = string,
                              .description = "CSV with a header row naming some of name,ip,room,monitored,"
                                             "check_port,parent_ip (name and ip required; room by name, created "
                                             "when missing; parent by IP)"};
const Schema bulk_result{.type = object,
                         .name = "BulkResult",
                         .properties = {{"created", &count, true}, {"devices", &device_list, true}}};

// status and history
namespace {
const Schema nullable_device_id{.type = integer, .nullable = true};
}  // namespace
namespace {
const Schema nullable_node_name{.type = string, .nullable = true};
const Schema location_status{.type = object,
                             .name = "LocationStatus",
                             .description = "The device as one location's prober sees it (several nodes)",
                             .properties = {{"status", &status_name, true},
                                            {"rtt_ms", &milliseconds, true},
                                            {"loss", &nullable_fraction, true},
                                            {"node", &nullable_node_name, true}}};
const Schema location_statuses{.type = object,
                               .description = "Each location's view: the device's locations, or the one node that "
                                              "probes a device any node may probe (none yet: empty)",
                               .values = &location_status};
}  // namespace
const Schema device_status{.type = object,
                           .name = "DeviceStatus",
                           .properties = {{"device_id", &id, true},
                                          {"ip", &text, true},
                                          {"status", &status_name, true},
                                          {"rtt_ms", &milliseconds, true},
                                          {"loss", &nullable_fraction, true},
                                          {"since", &nullable_time, true},
                                          {"last_probe", &nullable_time, true},
                                          {"unreachable_via", &nullable_device_id, true},
                                          {"locations", &location_statuses, true}}};
namespace {
// In the map and on the socket the IP is the key, so a detail leaves it out.
const Schema status_detail{.type = object,
                           .name = "StatusDetail",
                           .properties = {{"device_id", &id, true},
                                          {"status", &status_name, true},
                                          {"rtt_ms", &milliseconds, true},
                                          {"loss", &nullable_fraction, true},
                                          {"since", &nullable_time, true},
                                          {"last_probe", &nullable_time, true},
                                          {"unreachable_via", &nullable_device_id, true}}};
const Schema status_or_detail{.type = any, .any_of = {&status_name, &status_detail}};
}  // namespace
const Schema status_map{.type = object,
                        .name = "StatusMap",
                        .description = "One key per monitored device, its IP: its status, or with ?detail=true "
                                       "its status detail",
                        .values = &status_or_detail};
namespace {
const Schema event{.type = object,
                   .name = "StatusEvent",
                   .properties = {{"at", &time, true},
                                  {"status", &status_name, true},
                                  {"previous", &status_name, true},
                                  {"unreachable_via", &nullable_device_id, true},
                                  {"muted", &flag, true}}};
const Schema point{.type = object,
                   .name = "HistoryPoint",
                   .properties = {{"at", &time, true},
                                  {"rtt_ms", &milliseconds, true},
                                  {"rtt_ms_max", &milliseconds, true},
                                  {"loss", &fraction, true},
                                  {"up", &fraction, true}}};
const Schema points = list_of<&point>;
const Schema step_seconds{.type = integer, .minimum = 1};
}  // namespace
const Schema event_list = list_of<&event>;
const Schema history{.type = object,
                     .name = "History",
                     .properties = {{"device_id", &id, true}, {"step_s", &step_seconds, true}, {"points", &points, true}}};
const Schema uptime{.type = object,
                    .name = "Uptime",
                    .description = "The fraction of the recorded time that the device was connected",
                    .properties = {{"24h", &nullable_fraction, true},
                                   {"7d", &nullable_fraction, true},
                                   {"30d", &nullable_fraction, true},
                                   {"365d", &nullable_fraction, true}}};
const Schema uptime_map{.type = object,
                        .name = "UptimeMap",
                        .description = "One key per monitored device: its IP",
                        .values = &nullable_fraction};

// notifications
namespace {
const Schema notifier_type{.type = string, .enumeration = {"webhook", "email"}};
const Schema nullable_format{.type = string, .nullable = true, .enumeration = {"json", "slack", "ntfy"}};
const Schema format{.type = string, .enumeration = {"json", "slack", "ntfy"}};
const Schema url{.type = string, .min_length = 1, .max_length = 2048, .format = "uri"};
const Schema nullable_url{.type = string, .nullable = true, .format = "uri"};
const Schema email{.type = string, .min_length = 3, .max_length = 254, .format = "email"};
const Schema recipients{.type = array, .items = &email, .max_items = 50};
const Schema event_kind{.type = string, .enumeration = {"down", "up"}};
const Schema event_kinds{.type = array, .items = &event_kind, .max_items = 2};
const Schema secret{.type = string, .nullable = true, .max_length = 256, .format = "password"};
}  // namespace
const Schema notifier_create{.type = object,
                             .name = "NotifierCreate",
                             .properties = {{"name", &name, true},
                                            {"type", &notifier_type, true},
                                            {"url", &url},
                                            {"format", &format},
                                            {"to", &recipients},
                                            {"secret", &secret},
                                            {"events", &event_kinds},
                                            {"room_id", &nullable_id},
                                            {"enabled", &flag}}};
const Schema notifier_update = any_subset(notifier_create, "NotifierUpdate", "Any subset of the fields");
const Schema notifier{.type = object,
                      .name = "Notifier",
                      .description = "The secret is never returned; a viewer sees a webhook URL's origin only",
                      .properties = {{"id", &id, true},
                                     {"name", &text, true},
                                     {"type", &notifier_type, true},
                                     {"url", &nullable_url, true},
                                     {"format", &nullable_format, true},
                                     {"to", &recipients, true},
                                     {"events", &event_kinds, true},
                                     {"room_id", &nullable_id, true},
                                     {"enabled", &flag, true},
                                     {"has_secret", &flag, true}}};
const Schema notifier_list = list_of<&notifier>;
const Schema accepted{.type = object, .name = "Accepted", .properties = {{"detail", &text, true}}};
namespace {
const Schema anything{.type = any};
const Schema payload{.type = object,
                     .description = "The webhook body of the event (json format), with its delivery_id",
                     .values = &anything};
const Schema delivery_status{.type = string, .enumeration = {"pending", "delivered", "failed"}};
const Schema delivery{.type = object,
                      .name = "Delivery",
                      .properties = {{"id", &id, true},
                                     {"event", &payload, true},
                                     {"device_id", &nullable_id, true},
                                     {"created", &time, true},
                                     {"attempts", &count, true},
                                     {"status", &delivery_status, true},
                                     {"last_error", &nullable_text, true},
                                     {"next_attempt", &nullable_time, true}}};
const Schema window_time{.type = string, .min_length = 1, .max_length = 64, .format = "date-time"};
const Schema device_ids{.type = array, .items = &id, .max_items = 10'000};
}  // namespace
const Schema delivery_list = list_of<&delivery>;
const Schema maintenance_create{.type = object,
                                .name = "MaintenanceCreate",
                                .properties = {{"name", &name, true},
                                               {"start", &window_time, true},
                                               {"end", &window_time, true},
                                               {"room_id", &nullable_id},
                                               {"device_ids", &device_ids}}};
const Schema maintenance_window{.type = object,
                                .name = "MaintenanceWindow",
                                .properties = {{"id", &id, true},
                                               {"name", &text, true},
                                               {"start", &time, true},
                                               {"end", &time, true},
                                               {"room_id", &nullable_id, true},
                                               {"device_ids", &device_ids, true},
                                               {"active", &flag, true}}};
const Schema maintenance_list = list_of<&maintenance_window>;

// configuration as code (the reader is api/config_document.cpp: these print its shape)
namespace {
const Schema config_version{.type = integer, .minimum = 1, .maximum = 1};
const Schema nullable_name{.type = string, .nullable = true, .min_length = 1, .max_length = 100};
const Schema nullable_ip{.type = string, .nullable = true, .min_length = 1, .max_length = 64};
const Schema url_reference{.type = string,
                           .description = "A URL, or ${NAME}: read from the environment of `gatewatch apply` "
                                          "(never over HTTP); unset keeps the stored value",
                           .nullable = true,
                           .min_length = 1,
                           .max_length = 2048};
const Schema reference{.type = string,
                       .description = "A value, or ${NAME}: read from the environment of `gatewatch apply` "
                                      "(never over HTTP); unset keeps the stored value",
                       .nullable = true,
                       .max_length = 256};
const Schema config_room{.type = object,
                         .name = "ConfigRoom",
                         .properties = {{"name", &name, true}, {"description", &description}}};
const Schema config_rooms = list_of<&config_room>;
const Schema config_device{.type = object,
                           .name = "ConfigDevice",
                           .properties = {{"name", &name, true},
                                          {"ip", &ip, true},
                                          {"room", &nullable_name},
                                          {"monitored", &flag},
                                          {"check", &device_check},
                                          {"parent", &nullable_ip},
                                          {"locations", &device_locations},
                                          {"quorum", &device_quorum}}};
const Schema config_devices = list_of<&config_device>;
const Schema config_notifier{.type = object,
                             .name = "ConfigNotifier",
                             .properties = {{"name", &name, true},
                                            {"type", &notifier_type, true},
                                            {"url", &url_reference},
                                            {"format", &format},
                                            {"to", &recipients},
                                            {"secret", &reference},
                                            {"events", &event_kinds},
                                            {"room", &nullable_name},
                                            {"enabled", &flag}}};
const Schema config_notifiers = list_of<&config_notifier>;
const Schema device_ips{.type = array, .items = &ip, .max_items = 10'000};
const Schema config_window{.type = object,
                           .name = "ConfigMaintenance",
                           .properties = {{"name", &name, true},
                                          {"start", &time, true},
                                          {"end", &time, true},
                                          {"room", &nullable_name},
                                          {"devices", &device_ips}}};
const Schema config_windows = list_of<&config_window>;
const Schema plan_line{.type = object,
                       .name = "PlanLine",
                       .properties = {{"kind", &text, true},
                                      {"key", &text, true},
                                      {"line", &text, true},
                                      {"note", &text},
                                      {"field", &text},
                                      {"from", &text},
                                      {"to", &text}}};
const Schema plan_lines = list_of<&plan_line>;
}  // namespace
const Schema config_document{.type = object,
                             .name = "ConfigDocument",
                             .description = "YAML (application/yaml) or JSON; a section left out is not managed; "
                                            "rooms by name, devices by IP, notifiers by name, windows by name and "
                                            "start; unknown fields are refused",
                             .properties = {{"version", &config_version},
                                            {"rooms", &config_rooms},
                                            {"devices", &config_devices},
                                            {"notifiers", &config_notifiers},
                                            {"maintenance", &config_windows}}};
const Schema config_plan{.type = object,
                         .name = "ConfigPlan",
                         .properties = {{"dry_run", &flag, true},
                                        {"prune", &flag, true},
                                        {"summary", &text, true},
                                        {"create", &plan_lines, true},
                                        {"change", &plan_lines, true},
                                        {"delete", &plan_lines, true}}};

// operations
namespace {
const Schema ok_or_not{.type = string, .enumeration = {"ok", "unavailable"}};
const Schema monitor_state{.type = string, .enumeration = {"running", "stopped"}};
}  // namespace
const Schema health{.type = object, .name = "Health", .properties = {{"status", &ok_or_not, true}}};
const Schema readiness{.type = object,
                       .name = "Readiness",
                       .properties = {{"status", &ok_or_not, true},
                                      {"store", &text, true},
                                      {"monitor", &monitor_state, true},
                                      {"probe_method", &text, true},
                                      // several nodes: "ok" while this node holds its lease, else why not
                                      {"cluster", &text}}};
const Schema node{.type = object,
                  .name = "Node",
                  .properties = {{"name", &text, true},
                                 {"location", &text, true},
                                 {"started", &time, true},
                                 {"last_seen", &time, true},
                                 {"live", &flag, true},
                                 {"devices", &count, true},
                                 {"probe_method", &text, true},
                                 {"version", &text, true}}};
const Schema node_list = list_of<&node>;
const Schema query_room_id{.type = integer, .minimum = 1};
const Schema query_time{.type = string, .format = "date-time"};
const Schema query_limit{.type = integer, .minimum = 1, .maximum = 1000};
const Schema query_step{.type = integer, .minimum = 1, .maximum = 400LL * 86400};
const Schema query_window{.type = string, .enumeration = {"24h", "7d", "30d", "365d"}};
const Schema query_bool{.type = boolean};
const Schema query_text{.type = string};
const Schema openapi_document{.type = object, .description = "OpenAPI 3.1"};
const Schema html_page{.type = string, .description = "An HTML page"};
const Schema metrics_text{.type = string, .description = "Prometheus text format 0.0.4"};

}  // namespace gatewatch::api::schemas
