#pragma once
// The contract's bodies (../shared/spec/api.md), each declared once: the
// route table points at them (a request's readers take their rules from
// them, the OpenAPI document prints them). Requests are named *Create,
// *Update...; responses by what they are.
#include "api/schema.hpp"

namespace gatewatch::api::schemas {
using schema::Schema;

// errors
extern const Schema error;             // {"detail": "..."}
extern const Schema validation_error;  // 422: {"detail": [{"loc", "msg", "type"}]}

// accounts
extern const Schema user_create, token_form, token, password_change, message;
extern const Schema user, user_list, user_update;
extern const Schema api_token_create, api_token_created, api_token, api_token_list;

// rooms and devices
extern const Schema room_create, room_update, room, room_list;
extern const Schema device_create, device_update, device, device_list;
extern const Schema bulk_devices, bulk_devices_csv, bulk_result;

// status and history
extern const Schema status_map, device_status, event_list, history, uptime, uptime_map;

// notifications
extern const Schema notifier_create, notifier_update, notifier, notifier_list, accepted, delivery_list;
extern const Schema maintenance_create, maintenance_window, maintenance_list;

// configuration as code
extern const Schema config_document, config_plan;

// operations
extern const Schema health, readiness, node_list, metrics_text, openapi_document, html_page;

// query parameters
extern const Schema query_room_id, query_time, query_limit, query_step, query_window, query_bool, query_text;
extern const Schema location_name;  // a node's location (several nodes)

}  // namespace gatewatch::api::schemas
