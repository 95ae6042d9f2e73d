#pragma once
// A gatewatch node as GET /nodes/ lists it (pg_cluster.hpp keeps them on
// PostgreSQL; on SQLite the one node describes itself).
#include <cstdint>
#include <string>

namespace gatewatch::store {

struct NodeIdentity {
    std::string name;
    std::string location;
    std::int64_t started_ms = 0;  // the process's start (wall clock)
    std::string probe_method;
    std::string version;
};

// A node that is live now, and where it probes from.
struct LiveNode {
    std::string name;
    std::string location;
    bool operator==(const LiveNode&) const = default;
};

struct NodeRow {
    std::string name;
    std::string location;
    std::int64_t started_ms = 0;
    std::int64_t last_seen_ms = 0;  // the last heartbeat (the database's clock)
    bool live = false;
    std::int64_t devices = 0;  // (device, location) pairs it probes
    std::string probe_method;
    std::string version;
};

}  // namespace gatewatch::store
