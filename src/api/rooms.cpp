// /rooms/ and /rooms/{room_id}
#include "api/handlers.hpp"
#include "api/validation.hpp"

#include <boost/json.hpp>

namespace gatewatch::api::rooms {
namespace json = boost::json;

namespace {
Response room_not_found() { return error_response(404, "Room not found"); }

// description: absent -> untouched, null -> null, else 0..500 characters.
std::optional<std::optional<std::string>> read_description(JsonBody& body) {
    if (!body.has("description")) return std::nullopt;
    if (body.is_null("description")) return std::optional<std::string>();
    if (auto text = body.text("description")) return std::optional<std::string>(*text);
    return std::nullopt;
}
}  // namespace

Response list(const AppContext& app, const Call&) {
    Response r;
    r.body = *app.cache.body(ReadCache::Body::rooms, [&] {
        json::array rooms;
        for (const auto& room : app.store.list_rooms()) rooms.push_back(to_json(room));
        return json::serialize(rooms);
    });
    return r;
}

Response create(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    const auto name = body.text("name");
    const auto description = read_description(body);
    if (!errors.empty()) return errors.response();
    const auto room = app.services.rooms.create({0, *name, description.value_or(std::nullopt)});
    return json_response(201, to_json(room));
}

Response get(const AppContext& app, const Call& call) {
    const auto room = app.store.find_room(call.ids[0]);
    return room ? json_response(200, to_json(*room)) : room_not_found();
}

Response update(const AppContext& app, const Call& call) {
    ValidationErrors errors;
    JsonBody body(call.request.body, call.body_schema(), errors);
    service::RoomPatch patch;
    patch.name = body.text("name");
    patch.description = read_description(body);
    if (!errors.empty()) return errors.response();
    const auto room = app.services.rooms.update(call.ids[0], patch);
    return room ? json_response(200, to_json(*room)) : room_not_found();
}

Response remove(const AppContext& app, const Call& call) {
    try {
        return app.services.rooms.remove(call.ids[0]) ? no_content() : room_not_found();
    } catch (const store::RoomNotEmpty&) {
        return error_response(409, "Room still has devices; move or delete them first");
    }
}

}  // namespace gatewatch::api::rooms
