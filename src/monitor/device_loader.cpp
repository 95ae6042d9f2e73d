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
        const std::size_t expected = store_.count_devices();
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
                ++pages_ahead_;  // counted for a page read: a read that throws has none
            }
            try {
                asio::post(ioc_, [this, d = Delivery{std::move(page), first, last, spread, expected, {}}]() mutable {
                    arrive(std::move(d));
                });
            } catch (...) {
                std::lock_guard lock(mutex_);
                --pages_ahead_;  // never to be applied
                throw;
            }
        }
    } catch (const std::exception& e) {
        asio::post(ioc_, [this, d = Delivery{nullptr, false, false, spread, 0, std::string(e.what())}]() mutable {
            arrive(std::move(d));
        });
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

// What gw-load posts is applied in the order it was read, by one chain of
// handlers, k_slice devices a handler: the replies and sends due in between
// are not held up (a whole page at once kept the engine from reading its
// sockets for milliseconds, and their receive buffers overflowed: 15% of a
// 100,000-device round lost). One chain, so that a page's slices never
// interleave with the next page's, nor a read's end with its pages.
void DeviceLoader::arrive(Delivery delivery) {
    arrived_.push_back(std::move(delivery));
    if (slicing_) return;
    slicing_ = true;
    next_slice();
}

void DeviceLoader::next_slice() {
    Delivery& d = arrived_.front();
    if (d.failure) {
        const std::string what = std::move(*d.failure);
        const Spread spread = d.spread;
        arrived_.pop_front();
        failed(what, spread);
    } else {
        bool page_done = false, read_done = false;
        {
            const auto page = d.page;  // kept here: a finished page leaves the queue before it is applied
            const std::size_t from = slice_from_;
            const std::size_t to = std::min(page->size(), from + k_slice);
            page_done = to == page->size();
            read_done = d.last && page_done;
            const bool first = d.first && from == 0;
            const Spread spread = d.spread;
            const std::size_t expected = d.expected;
            slice_from_ = page_done ? 0 : to;
            if (page_done) arrived_.pop_front();
            page_in(std::span(*page).subspan(from, to - from), first, read_done, spread, expected);
        }
        if (page_done) {
            if (read_done) malloc_trim(0);  // gw-load's arena, now free
            {
                std::lock_guard lock(mutex_);
                --pages_ahead_;
            }
            applied_.notify_one();
        }
    }
    if (arrived_.empty()) {
        slicing_ = false;
        return;
    }
    asio::post(ioc_, [this] { next_slice(); });
}

void DeviceLoader::page_in(std::span<const store::Device> devices, bool first, bool last, Spread spread,
                           std::size_t expected) {
    // Devices assigned to this node while it read join with the spread asked
    // for then: the read after this one finds them joined already.
    if (!broken_) {
        try {
            apply_(devices, Page{again_ ? narrower(spread, *again_) : spread, expected, first, last});
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
