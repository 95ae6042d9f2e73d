#include "log/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
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

}  // namespace

void setup(const std::string& level) {
    auto logger = std::make_shared<spdlog::logger>("gatewatch", std::make_shared<BufferedStderrSink>());
    logger->set_level(spdlog::level::from_str(level));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    spdlog::flush_every(std::chrono::seconds(1));
}

void flush_logs() { spdlog::default_logger()->flush(); }

}  // namespace gatewatch::log
