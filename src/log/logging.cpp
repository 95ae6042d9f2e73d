#include "log/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace gatewatch::log {
namespace {

constexpr std::size_t k_block = 32 * 1024;

class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    ~BufferedStderrSink() override { write_out(); }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        buffer_.append(formatted.data(), formatted.size());
        if (buffer_.size() >= k_block) write_out();
    }
    void flush_() override { write_out(); }

private:
    void write_out() {
        std::size_t done = 0;
        while (done < buffer_.size()) {
            const ssize_t n = ::write(STDERR_FILENO, buffer_.data() + done, buffer_.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // stderr is gone: drop the lines rather than block the server
            done += static_cast<std::size_t>(n);
        }
        buffer_.clear();
    }
    std::string buffer_;
};

// One JSON object a line: {"time", "level", "message"}, for log shippers.
class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
        const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
        std::tm tm{};
        gmtime_r(&seconds, &tm);
        char time[64];
        const int n = std::snprintf(time, sizeof time, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"level\":\"",
                                    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                                    static_cast<int>(ms % 1000));
        dest.append(time, time + n);
        const auto level = spdlog::level::to_string_view(msg.level);
        dest.append(level.data(), level.data() + level.size());
        append(dest, "\",\"message\":\"");
        for (const char c : std::string_view(msg.payload.data(), msg.payload.size())) {
            switch (c) {
                case '"': append(dest, "\\\""); break;
                case '\\': append(dest, "\\\\"); break;
                case '\n': append(dest, "\\n"); break;
                case '\r': append(dest, "\\r"); break;
                case '\t': append(dest, "\\t"); break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        char escaped[8];
                        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                        append(dest, escaped);
                    } else {
                        dest.push_back(c);
                    }
            }
        }
        append(dest, "\"}\n");
    }
    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }

private:
    static void append(spdlog::memory_buf_t& dest, std::string_view text) { dest.append(text.data(), text.data() + text.size()); }
};

}  // namespace

void setup(const std::string& level, const std::string& format) {
    auto logger = std::make_shared<spdlog::logger>("gatewatch", std::make_shared<BufferedStderrSink>());
    logger->set_level(spdlog::level::from_str(level));
    if (format == "json")
        logger->set_formatter(std::make_unique<JsonFormatter>());
    else
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    spdlog::flush_every(std::chrono::seconds(1));
}

void flush_logs() { spdlog::default_logger()->flush(); }

}  // namespace gatewatch::log
