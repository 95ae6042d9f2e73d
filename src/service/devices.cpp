#include "service/devices.hpp"

namespace gatewatch::service {

store::Room Rooms::create(const store::Room& room) {
    auto created = store_.create_room(room);
    bus_.publish(events::RoomChanged{created.id});
    return created;
}

std::optional<store::Room> Rooms::update(std::int64_t id, const RoomPatch& patch) {
    auto room = store_.update_room(id, [&](store::Room& r) {
        if (patch.name) r.name = *patch.name;
        if (patch.description) r.description = *patch.description;
    });
    if (room) bus_.publish(events::RoomChanged{id});
    return room;
}

bool Rooms::remove(std::int64_t id) {
    if (!store_.delete_room(id)) return false;
    bus_.publish(events::RoomChanged{id});
    bus_.publish(events::NotifiersChanged{});  // those limited to the room went with it
    return true;
}

std::optional<std::string> quorum_problem(const store::Device& device) {
    const auto places = device.locations ? device.locations->size() : std::size_t{1};
    if (static_cast<std::size_t>(device.quorum) <= places) return std::nullopt;
    if (!device.locations) return "a quorum above 1 needs a list of locations";
    return "quorum must be at most the number of locations (" + std::to_string(places) + ")";
}

store::Device Devices::create(const store::Device& device) {
    auto created = store_.create_device(device);
    bus_.publish(events::DeviceAdded{created});
    return created;
}

std::vector<store::Device> Devices::create_many(const std::vector<store::Store::BulkDevice>& rows) {
    constexpr std::size_t k_announced_one_by_one = 1000;
    auto created = store_.create_devices(rows);
    if (created.size() > k_announced_one_by_one) {
        bus_.publish(events::Reload{});
        return created;
    }
    bus_.publish(events::RoomChanged{0});  // rooms named by the rows may have been created
    for (const auto& d : created) bus_.publish(events::DeviceAdded{d});
    return created;
}

std::optional<store::Device> Devices::update(std::int64_t id, const DevicePatch& patch) {
    auto device = store_.update_device(id, [&](store::Device& d) {
        if (patch.name) d.name = *patch.name;
        if (patch.ip) d.ip = *patch.ip;
        if (patch.room_id) d.room_id = *patch.room_id;
        if (patch.monitored) d.monitored = *patch.monitored;
        if (patch.check) d.check = *patch.check;
        if (patch.parent_id) d.parent_id = *patch.parent_id;
        if (patch.locations) d.locations = *patch.locations;
        if (patch.quorum) d.quorum = *patch.quorum;
        if (const auto problem = quorum_problem(d)) throw InvalidQuorum(*problem);  // rolls the write back
    });
    if (device) bus_.publish(events::DeviceUpdated{*device});
    return device;
}

bool Devices::remove(std::int64_t id) {
    auto device = store_.delete_device(id);
    if (!device) return false;
    bus_.publish(events::DeviceRemoved{*device});
    return true;
}

}  // namespace gatewatch::service
