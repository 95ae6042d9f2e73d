#include "metrics/collector.hpp"

#include "util/overloaded.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace gatewatch::metrics {

namespace {

constexpr std::array<double, 13> k_buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5};

// The shortest text that reads back as the same double (0.0025, not 0.0025000000000000001).
void number(std::string& out, double v) {
    char text[64];
    const auto [end, ec] = std::to_chars(text, text + sizeof text, v);
    out.append(text, ec == std::errc() ? end : text);
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

struct ProcessFigures {
    double cpu_seconds = 0;
    double resident_bytes = 0;
    double open_fds = 0;
    double start_time = 0;
};

// From /proc/self: stat (CPU ticks, start ticks after boot), statm (resident pages), fd (entries).
ProcessFigures read_process() {
    ProcessFigures p;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    std::ifstream stat("/proc/self/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close != std::string::npos) {
        std::istringstream fields(line.substr(close + 2));
        std::string field;
        std::vector<std::string> f;
        while (fields >> field) f.push_back(field);
        // After the command: state is field 3; utime 14, stime 15, starttime 22 (1-based in proc(5)).
        if (f.size() > 19) {
            p.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
            std::ifstream boot("/proc/stat");
            std::string key;
            double btime = 0;
            while (boot >> key)
                if (key == "btime") {
                    boot >> btime;
                    break;
                }
            p.start_time = btime + std::stod(f[19]) / ticks;
        }
    }
    std::ifstream statm("/proc/self/statm");
    double size = 0, resident = 0;
    if (statm >> size >> resident) p.resident_bytes = resident * static_cast<double>(sysconf(_SC_PAGESIZE));
    if (DIR* dir = opendir("/proc/self/fd")) {
        while (const dirent* entry = readdir(dir))
            if (entry->d_name[0] != '.') p.open_fds += 1;
        closedir(dir);
        p.open_fds -= 1;  // the directory stream's own descriptor
    }
    return p;
}

double wall_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string escape_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

Collector::Collector(store::Store& store, std::string version)
    : store_(store), version_(std::move(version)), started_at_(wall_seconds()) {}

void Collector::set_sources(Sources sources) { sources_ = std::move(sources); }

void Collector::load() {
    auto devices = store_.list_devices(std::nullopt);
    std::unique_lock lock(devices_mutex_);
    rooms_.clear();
    for (const auto& room : store_.list_rooms()) rooms_[room.id] = room.name;
    std::unordered_map<std::int64_t, std::unique_ptr<Slot>> before;
    before.swap(devices_);
    for (const auto& d : devices) {
        if (!d.monitored) continue;
        auto it = before.find(d.id);
        if (it != before.end()) devices_[d.id] = std::move(it->second);  // keeps what it measured
        put_device(d);
    }
}

std::string Collector::room_name(std::int64_t room_id) {
    if (const auto it = rooms_.find(room_id); it != rooms_.end()) return it->second;
    const auto room = store_.find_room(room_id);
    return rooms_[room_id] = room ? room->name : std::string();
}

void Collector::put_device(const store::Device& d) {
    auto& slot = devices_[d.id];
    if (!slot) slot = std::make_unique<Slot>();
    if (slot->device.ip != d.ip) {  // a new target: nothing measured yet
        slot->up = -1;
        slot->rtt_seconds = -1;
        slot->loss = -1;
    }
    slot->device = d;
    slot->room_id = d.room_id.value_or(0);
    slot->labels = "device_id=\"" + std::to_string(d.id) + "\",name=\"" + escape_label(d.name) + "\",ip=\"" +
                   escape_label(d.ip) + "\",room=\"" + escape_label(d.room_id ? room_name(*d.room_id) : "") + "\"";
}

void Collector::relabel_room(std::int64_t room_id) {
    const auto room = store_.find_room(room_id);
    std::unique_lock lock(devices_mutex_);
    if (room)
        rooms_[room_id] = room->name;
    else
        rooms_.erase(room_id);
    for (auto& [id, slot] : devices_)
        if (slot->room_id == room_id) put_device(slot->device);
}

void Collector::apply(const events::Event& event) {
    std::visit(util::Overloaded{
                   [&](const events::RoundRelayed& e) { apply(e.round); },
                   [&](const events::RoundFinished& e) {
                       std::shared_lock lock(devices_mutex_);
                       const auto it = devices_.find(e.device_id);
                       if (it == devices_.end()) return;
                       Slot& s = *it->second;
                       s.up = e.status == monitor::Status::connected ? 1
                              : e.status == monitor::Status::disconnected ? 0
                                                                          : -1;
                       s.rtt_seconds = e.rtt_ms ? *e.rtt_ms / 1000.0 : -1.0;
                       s.loss = e.loss ? *e.loss : -1.0;
                   },
                   [&](const events::DeviceAdded& e) {
                       std::unique_lock lock(devices_mutex_);
                       if (e.device.monitored) put_device(e.device);
                   },
                   [&](const events::DeviceUpdated& e) {
                       std::unique_lock lock(devices_mutex_);
                       if (e.device.monitored)
                           put_device(e.device);
                       else
                           devices_.erase(e.device.id);
                   },
                   [&](const events::DeviceRemoved& e) {
                       std::unique_lock lock(devices_mutex_);
                       devices_.erase(e.device.id);
                   },
                   [&](const events::RoomChanged& e) { relabel_room(e.room_id); },
                   [&](const events::Reload&) { load(); },
                   [](const auto&) {},
               },
               event);
}

void Collector::observe_request(std::string_view route, unsigned code, double seconds) {
    std::lock_guard lock(requests_mutex_);
    ++requests_[{std::string(route), code}];
    auto& t = timings_[std::string(route)];
    for (std::size_t i = 0; i < k_buckets.size(); ++i)
        if (seconds <= k_buckets[i]) ++t.buckets[i];
    t.sum += seconds;
    ++t.count;
}

void Collector::count_notification(std::string_view type, bool delivered) {
    std::lock_guard lock(requests_mutex_);
    ++notifications_[{std::string(type), delivered ? "delivered" : "error"}];
}

std::string Collector::render() const {
    std::string out;
    {
        std::shared_lock lock(devices_mutex_);
        out.reserve(devices_.size() * 300 + 8192);
        header(out, "gatewatch_device_up", "gauge", "1 when the device is connected, 0 when disconnected; absent while unknown");
        for (const auto& [id, s] : devices_) {
            const int up = s->up;
            if (up < 0) continue;
            out.append("gatewatch_device_up{").append(s->labels).append("} ").append(up ? "1" : "0").append("\n");
        }
        header(out, "gatewatch_device_rtt_seconds", "gauge", "Median round-trip time of the device's last round");
        for (const auto& [id, s] : devices_) {
            const double rtt = s->rtt_seconds;
            if (rtt < 0) continue;
            out.append("gatewatch_device_rtt_seconds{").append(s->labels).append("} ");
            number(out, rtt);
            out += '\n';
        }
        header(out, "gatewatch_device_loss_ratio", "gauge", "Fraction of the device's last round's probes lost");
        for (const auto& [id, s] : devices_) {
            const double loss = s->loss;
            if (loss < 0) continue;
            out.append("gatewatch_device_loss_ratio{").append(s->labels).append("} ");
            number(out, loss);
            out += '\n';
        }
    }
    header(out, "gatewatch_probes_total", "counter", "Probes sent, by method and result");
    if (sources_.probes) {
        const auto c = sources_.probes();
        const std::string method = escape_label(sources_.probe_method);
        out.append("gatewatch_probes_total{method=\"").append(method).append("\",result=\"answered\"} ")
            .append(std::to_string(c.answered)).append("\n");
        out.append("gatewatch_probes_total{method=\"").append(method).append("\",result=\"lost\"} ")
            .append(std::to_string(c.lost)).append("\n");
    }
    {
        std::lock_guard lock(requests_mutex_);
        header(out, "gatewatch_http_requests_total", "counter", "HTTP answers, by route and status code");
        for (const auto& [key, n] : requests_)
            out.append("gatewatch_http_requests_total{route=\"").append(escape_label(key.first)).append("\",code=\"")
                .append(std::to_string(key.second)).append("\"} ").append(std::to_string(n)).append("\n");
        header(out, "gatewatch_http_request_duration_seconds", "histogram", "Time to answer, by route");
        for (const auto& [route, t] : timings_) {
            const std::string label = "route=\"" + escape_label(route) + "\"";
            for (std::size_t i = 0; i < k_buckets.size(); ++i) {
                out.append("gatewatch_http_request_duration_seconds_bucket{").append(label).append(",le=\"");
                number(out, k_buckets[i]);
                out.append("\"} ").append(std::to_string(t.buckets[i])).append("\n");
            }
            out.append("gatewatch_http_request_duration_seconds_bucket{").append(label).append(",le=\"+Inf\"} ")
                .append(std::to_string(t.count)).append("\n");
            out.append("gatewatch_http_request_duration_seconds_sum{").append(label).append("} ");
            number(out, t.sum);
            out.append("\ngatewatch_http_request_duration_seconds_count{").append(label).append("} ")
                .append(std::to_string(t.count)).append("\n");
        }
        header(out, "gatewatch_notifications_total", "counter", "Notification attempts, by notifier type and result");
        for (const auto& [key, n] : notifications_)
            out.append("gatewatch_notifications_total{type=\"").append(escape_label(key.first)).append("\",result=\"")
                .append(key.second).append("\"} ").append(std::to_string(n)).append("\n");
    }
    header(out, "gatewatch_websocket_clients", "gauge", "Open status WebSockets");
    out.append("gatewatch_websocket_clients ")
        .append(std::to_string(sources_.websocket_clients ? sources_.websocket_clients() : 0)).append("\n");
    header(out, "gatewatch_build_info", "gauge", "Always 1; the version is a label");
    out.append("gatewatch_build_info{version=\"").append(escape_label(version_)).append("\"} 1\n");

    const auto p = read_process();
    header(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds");
    out += "process_cpu_seconds_total ";
    number(out, p.cpu_seconds);
    header(out.append("\n"), "process_resident_memory_bytes", "gauge", "Resident memory size in bytes");
    out += "process_resident_memory_bytes ";
    number(out, p.resident_bytes);
    header(out.append("\n"), "process_open_fds", "gauge", "Number of open file descriptors");
    out += "process_open_fds ";
    number(out, p.open_fds);
    header(out.append("\n"), "process_start_time_seconds", "gauge", "Start time of the process since the epoch in seconds");
    out += "process_start_time_seconds ";
    number(out, p.start_time > 0 ? std::floor(p.start_time) : std::floor(started_at_));
    out += '\n';
    return out;
}

}  // namespace gatewatch::metrics
