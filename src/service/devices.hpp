#pragma once
// Rooms and devices: the rules above the store, and the events after it.
//
// Each write goes to the store in one transaction (a partial update merges
// inside it, so two concurrent edits never lose each other's fields) and,
// once committed, is published on the event bus, so that the status hub, the
// read cache and the probe engine learn of it at once. Store errors
// (UniqueViolation, NotFound, RoomNotEmpty) pass through to the caller.
// Thread-safe; calls block on the store.
#include "events/event_bus.hpp"
#include "store/store.hpp"

#include <optional>
#include <stdexcept>
#include <vector>
#include <string>

namespace gatewatch::service {

// A partial update: each field present is set; a room_id or description of
// {nullopt} sets null.
struct RoomPatch {
    std::optional<std::string> name;
    std::optional<std::optional<std::string>> description;
};

struct DevicePatch {
    std::optional<std::string> name;
    std::optional<std::string> ip;
    std::optional<std::optional<std::int64_t>> room_id;
    std::optional<bool> monitored;
    std::optional<store::Check> check;
    std::optional<std::optional<std::int64_t>> parent_id;  // absent: untouched; null: none
    std::optional<std::optional<std::vector<std::string>>> locations;  // null: any one node
    std::optional<int> quorum;
};

// Why a device's quorum does not fit its locations (more than it has, or
// above 1 with none named), or nullopt when it fits. Checked on the merged
// device, so a partial update is refused as a whole.
std::optional<std::string> quorum_problem(const store::Device& device);
// A partial update whose merged device fails quorum_problem(); nothing was written.
struct InvalidQuorum : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Rooms {
public:
    Rooms(store::Store& store, events::EventBus& bus) : store_(store), bus_(bus) {}
    store::Room create(const store::Room& room);
    std::optional<store::Room> update(std::int64_t id, const RoomPatch& patch);
    bool remove(std::int64_t id);  // throws store::RoomNotEmpty

private:
    store::Store& store_;
    events::EventBus& bus_;
};

class Devices {
public:
    Devices(store::Store& store, events::EventBus& bus) : store_(store), bus_(bus) {}
    store::Device create(const store::Device& device);
    // Many at once, all or none (store::Store::create_devices). Up to a
    // thousand are announced one by one; more as one Reload, after which every
    // subscriber reads the store once instead of handling each device.
    std::vector<store::Device> create_many(const std::vector<store::Store::BulkDevice>& rows);
    std::optional<store::Device> update(std::int64_t id, const DevicePatch& patch);
    bool remove(std::int64_t id);

private:
    store::Store& store_;
    events::EventBus& bus_;
};

}  // namespace gatewatch::service
