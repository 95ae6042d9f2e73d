#pragma once
// The last-resort probe: one round runs the system `ping` command
// (`ping -n -q -c N -i SPACING -W TIMEOUT IP`) and reads its summary.
// The caller bounds how many run at once. The completion runs on `ioc`, after
// the child was reaped. run_system_ping returns the child's pid (-1 when it
// could not start; the completion then reports nothing received), so the
// caller can end and reap what still runs when it stops (stop_ping_children).
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace gatewatch::monitor {

struct PingOutcome {
    int transmitted = 0;
    int received = 0;
    double average_rtt_ms = 0;
};

bool system_ping_available();

// Parses ping's summary lines ("3 packets transmitted, 2 received, ..." and
// "rtt min/avg/max/mdev = 0.1/0.2/0.3/0.1 ms").
PingOutcome parse_ping_summary(const std::string& output);

int run_system_ping(boost::asio::io_context& ioc, const std::string& ip, int count, std::chrono::milliseconds spacing,
                    std::chrono::milliseconds timeout, std::function<void(const PingOutcome&)> done);

// Ends (SIGTERM) and reaps each of `pids`; for a caller whose io_context no
// longer runs the completions.
void stop_ping_children(const std::vector<int>& pids);

}  // namespace gatewatch::monitor
