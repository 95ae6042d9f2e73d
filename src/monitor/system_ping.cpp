#include "monitor/system_ping.hpp"

#include <boost/asio.hpp>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <sstream>

extern char** environ;

namespace gatewatch::monitor {
namespace asio = boost::asio;

bool system_ping_available() {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (!dir.empty() && ::access((std::filesystem::path(dir) / "ping").c_str(), X_OK) == 0) return true;
    }
    return false;
}

PingOutcome parse_ping_summary(const std::string& output) {
    PingOutcome outcome;
    if (auto at = output.find(" packets transmitted, "); at != std::string::npos) {
        const auto line_start = output.rfind('\n', at);
        outcome.transmitted = std::atoi(output.c_str() + (line_start == std::string::npos ? 0 : line_start + 1));
        outcome.received = std::atoi(output.c_str() + at + std::char_traits<char>::length(" packets transmitted, "));
    }
    if (const auto label = output.find("min/avg/max"); label != std::string::npos) {
        const auto slash = output.find('/', output.find(" = ", label));
        if (slash != std::string::npos) outcome.average_rtt_ms = std::atof(output.c_str() + slash + 1);
    }
    return outcome;
}

namespace {
struct PingRun {
    PingRun(asio::io_context& ioc, int fd) : pipe(ioc, fd) {}
    asio::posix::stream_descriptor pipe;
    std::array<char, 1024> chunk{};
    std::string output;
    pid_t pid = -1;
    std::function<void(const PingOutcome&)> done;
};

void read_more(const std::shared_ptr<PingRun>& run) {
    run->pipe.async_read_some(asio::buffer(run->chunk), [run](boost::system::error_code ec, std::size_t n) {
        run->output.append(run->chunk.data(), n);
        if (!ec) {
            read_more(run);
            return;
        }
        // End of output: ping is exiting (it closed stdout), so this wait is short.
        int status = 0;
        ::waitpid(run->pid, &status, 0);
        run->done(parse_ping_summary(run->output));
    });
}

std::string seconds(std::chrono::milliseconds d) {
    char out[32];
    std::snprintf(out, sizeof out, "%.3f", static_cast<double>(d.count()) / 1000.0);
    return out;
}
}  // namespace

void stop_ping_children(const std::vector<int>& pids) {
    for (const int pid : pids) ::kill(pid, SIGTERM);
    for (const int pid : pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
}

int run_system_ping(asio::io_context& ioc, const std::string& ip, int count, std::chrono::milliseconds spacing,
                    std::chrono::milliseconds timeout, std::function<void(const PingOutcome&)> done) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        asio::post(ioc, [done] { done(PingOutcome{}); });
        return -1;
    }
    const std::string count_arg = std::to_string(count);
    const std::string interval_arg = seconds(std::max(spacing, std::chrono::milliseconds(200)));
    const std::string timeout_arg = seconds(timeout);
    const char* argv[] = {"ping", "-n", "-q", "-c", count_arg.c_str(), "-i", interval_arg.c_str(), "-W",
                          timeout_arg.c_str(), ip.c_str(), nullptr};
    // The child gets the pipe as stdout and nothing else of ours: no client
    // socket, no database, and none of our environment (it may have held the
    // token secret); ping needs only a locale-free C environment.
    static const char* const k_environment[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, "ping", &actions, nullptr, const_cast<char* const*>(argv),
                                const_cast<char* const*>(k_environment));
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        asio::post(ioc, [done] { done(PingOutcome{}); });
        return -1;
    }
    auto run = std::make_shared<PingRun>(ioc, fds[0]);
    run->pid = pid;
    run->done = std::move(done);
    read_more(run);
    return pid;
}

}  // namespace gatewatch::monitor
