#pragma once
// A device's up/down state and the rule that moves it.
//
// `unknown` until the first round ends; that round decides at once. After
// that the status flips only when `down_after` failed rounds in a row (or
// `up_after` successful ones) agree, which guards against flapping.
// Pure value type: no clock, no I/O, no locks.
#include <cstdint>

namespace gatewatch::monitor {

enum class Status : std::uint8_t { unknown, connected, disconnected };
const char* to_string(Status status);

struct Thresholds {
    int up_after = 1;
    int down_after = 2;
};

class StatusMachine {
public:
    // Feeds one round's outcome; returns true when the status changed.
    bool apply(bool round_succeeded, const Thresholds& thresholds);

    [[nodiscard]] Status status() const { return status_; }
    [[nodiscard]] int consecutive_successes() const { return successes_; }
    [[nodiscard]] int consecutive_failures() const { return failures_; }

private:
    Status status_ = Status::unknown;
    int successes_ = 0;
    int failures_ = 0;
};

}  // namespace gatewatch::monitor
