#pragma once
// Process-wide logging (spdlog) to standard error.
//
// Lines are buffered in memory and written in blocks: at least every second,
// when 32 KiB have gathered, and at once for warnings and errors. An access-log
// line per request then costs no system call and wakes no thread, where an
// unbuffered or asynchronous sink cost a third of the server's time under load.
// A crash loses at most a second of info lines; call flush_logs() after a line
// another process waits for (e.g. "listening on").
#include <string>

namespace gatewatch::log {

// Installs the default logger; level is trace, debug, info, warn, error or
// off; format "text" (time level message) or "json" (one object a line:
// {"time", "level", "message"}, for log shippers).
void setup(const std::string& level, const std::string& format = "text");
void flush_logs();

}  // namespace gatewatch::log
