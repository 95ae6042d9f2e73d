#include "monitor/status.hpp"

namespace gatewatch::monitor {

const char* to_string(Status status) {
    switch (status) {
        case Status::connected: return "connected";
        case Status::disconnected: return "disconnected";
        case Status::unknown: break;
    }
    return "unknown";
}

bool StatusMachine::apply(bool round_succeeded, const Thresholds& thresholds) {
    if (round_succeeded) {
        ++successes_;
        failures_ = 0;
    } else {
        ++failures_;
        successes_ = 0;
    }
    const Status before = status_;
    if (status_ == Status::unknown)
        status_ = round_succeeded ? Status::connected : Status::disconnected;
    else if (status_ == Status::connected && failures_ >= thresholds.down_after)
        status_ = Status::disconnected;
    else if (status_ == Status::disconnected && successes_ >= thresholds.up_after)
        status_ = Status::connected;
    return status_ != before;
}

}  // namespace gatewatch::monitor
