#include "monitor/device_loader.hpp"

#include "log/rate_limit.hpp"

#include <boost/asio/post.hpp>
#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
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

DeviceLoader::DeviceLoader(asio::io_context& ioc, store::Store& store, std::size_t max_held, Idle idle, Apply apply,
                           Replay replay)
    : ioc_(ioc),
      store_(store),
      max_held_(max_held),
      idle_(std::move(idle)),
      apply_(std::move(apply)),
      replay_(std::move(replay)),
      retry_(ioc) {}

void DeviceLoader::read(Spread spread) {
    if (loading_) {
        ask_again(spread);
        return;
    }
    if (idle_()) {
        try {
            loaded(store_.list_devices(std::nullopt), spread);
        } catch (const std::exception& e) {
            failed(e.what(), spread);
        }
        return;
    }
    loading_ = true;
    join();  // the last one has posted its list and is ending
    thread_ = std::thread([this, spread] {
        pthread_setname_np(pthread_self(), "gw-load");
        try {
            auto devices = std::make_shared<const std::vector<store::Device>>(store_.list_devices(std::nullopt));
            asio::post(ioc_, [this, devices = std::move(devices), spread]() mutable {
                loaded(*devices, spread);
                devices.reset();
                malloc_trim(0);  // gw-load's arena, now free (0.7 ms at 100,000 devices)
            });
        } catch (const std::exception& e) {
            asio::post(ioc_, [this, spread, what = std::string(e.what())] { failed(what, spread); });
        }
    });
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
    if (thread_.joinable()) thread_.join();
}

void DeviceLoader::loaded(const std::vector<store::Device>& devices, Spread spread) {
    loading_ = false;
    // Devices assigned to this node while it read join with the spread asked
    // for then: the read after this one finds them joined already.
    try {
        apply_(devices, again_ ? narrower(spread, *again_) : spread);
    } catch (const std::exception& e) {  // out of memory, say: the loop goes on, and reads again
        failed(e.what(), spread);
        return;
    }
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
