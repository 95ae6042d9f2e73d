#include "monitor/device_loader.hpp"

#include "log/rate_limit.hpp"

#include <boost/asio/post.hpp>
#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace gatewatch::monitor {
namespace asio = boost::asio;

namespace {
// The narrower of two spreads (none: one interval): a handover's second
// rather than an interval.
DeviceLoader::Spread narrower(DeviceLoader::Spread a, DeviceLoader::Spread b) {
    if (!a || !b) return a ? a : b;
    return std::min(*a, *b);
}
}  // namespace

DeviceLoader::DeviceLoader(asio::io_context& ioc, store::Store& store, std::size_t max_held, Apply apply,
                           Replay replay, std::size_t page_size)
    : ioc_(ioc),
      store_(store),
      max_held_(max_held),
      apply_(std::move(apply)),
      replay_(std::move(replay)),
      page_size_(std::max<std::size_t>(page_size, 1)),
      retry_(ioc) {}

void DeviceLoader::read(Spread spread) {
    if (loading_) {
        ask_again(spread);
        return;
    }
    loading_ = true;
    broken_.reset();
    if (thread_.joinable()) thread_.join();  // the last read has posted its end and is ending
    thread_ = std::thread([this, spread] { run(spread); });
}

void DeviceLoader::run(Spread spread) {
    pthread_setname_np(pthread_self(), "gw-load");
    std::int64_t after = std::numeric_limits<std::int64_t>::min();
    bool first = true;
    try {
        for (bool last = false; !last; first = false) {
            {
                std::unique_lock lock(mutex_);
                applied_.wait(lock, [this] { return stopping_ || pages_ahead_ < 2; });
                if (stopping_) return;
            }
            auto page = std::make_shared<const std::vector<store::Device>>(store_.list_devices_after(after, page_size_));
            last = page->size() < page_size_;
            if (!page->empty()) after = page->back().id;
            {
                std::lock_guard lock(mutex_);
                ++pages_ahead_;  // counted once posted: a read that throws has not
            }
            asio::post(ioc_, [this, page = std::move(page), first, last, spread]() mutable {
                slice_in(std::move(page), 0, first, last, spread);
            });
        }
    } catch (const std::exception& e) {
        asio::post(ioc_, [this, spread, what = std::string(e.what())] { failed(what, spread); });
    }
}

bool DeviceLoader::hold(const events::Event& event) {
    if (!loading_) return false;
    if (held_.size() < max_held_)
        held_.push_back(event);
    else
        ask_again(std::nullopt);  // too many to hold: the next list has them all
    return true;
}

void DeviceLoader::join() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    applied_.notify_one();
    if (thread_.joinable()) thread_.join();
}

// A page is applied k_slice devices at a time, each slice a handler of its
// own: the replies and sends due in between are not held up (a whole page at
// once kept the engine from reading its sockets for milliseconds, and their
// receive buffers overflowed: 15% of a 100,000-device round lost).
void DeviceLoader::slice_in(std::shared_ptr<const std::vector<store::Device>> page, std::size_t from, bool first,
                            bool last, Spread spread) {
    const std::size_t to = std::min(page->size(), from + k_slice);
    const bool page_done = to == page->size();
    page_in(std::span(*page).subspan(from, to - from), first && from == 0, last && page_done, spread);
    if (!page_done) {
        asio::post(ioc_, [this, page = std::move(page), to, first, last, spread]() mutable {
            slice_in(std::move(page), to, first, last, spread);
        });
        return;
    }
    page.reset();
    if (last) malloc_trim(0);  // gw-load's arena, now free
    {
        std::lock_guard lock(mutex_);
        --pages_ahead_;
    }
    applied_.notify_one();
}

void DeviceLoader::page_in(std::span<const store::Device> devices, bool first, bool last, Spread spread) {
    // Devices assigned to this node while it read join with the spread asked
    // for then: the read after this one finds them joined already.
    if (!broken_) {
        try {
            apply_(devices, Page{again_ ? narrower(spread, *again_) : spread, first, last});
        } catch (const std::exception& e) {  // out of memory, say: the loop goes on, and reads again
            broken_ = e.what();
        }
    }
    if (!last) return;
    if (broken_) {
        const std::string why = std::move(*broken_);
        broken_.reset();
        return failed(why, spread);
    }
    loading_ = false;
    replay_held();
    if (again_ && !loading_) read(take_again());
}

void DeviceLoader::failed(const std::string& what, Spread spread) {
    loading_ = false;
    static log::RateLimit unreadable{std::chrono::seconds(1)};
    if (const auto skipped = unreadable.due())
        spdlog::warn("monitor: cannot read devices: {} ({} more since the last line)", what, *skipped);
    ask_again(spread);
    replay_held();
    retry_.expires_after(std::chrono::seconds(1));  // try again
    retry_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !loading_ && again_) read(take_again());
    });
}

void DeviceLoader::ask_again(Spread spread) { again_ = again_ ? narrower(*again_, spread) : spread; }

DeviceLoader::Spread DeviceLoader::take_again() {
    const Spread spread = *again_;
    again_.reset();
    return spread;
}

// In order. A Reload or an Assignment is never held: each asks for a read of its own.
void DeviceLoader::replay_held() {
    auto events = std::move(held_);
    held_.clear();
    for (const auto& e : events) replay_(e);
}

}  // namespace gatewatch::monitor
