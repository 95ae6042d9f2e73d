#include "notify/sender.hpp"

#include "log/rate_limit.hpp"
#include "notify/dispatcher.hpp"

#include <curl/curl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace gatewatch::notify {

namespace {

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}


// One transfer: the delivery, its message, and what curl borrows from them.
struct Transfer {
    store::Delivery delivery;
    Message message;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    curl_slist* recipients = nullptr;
    std::size_t read_at = 0;  // smtp: how much of the message was handed to curl
    std::string type;         // the notifier's, for the metrics
    std::size_t received = 0;  // bytes of the receiver's answer (discarded)
    char error[CURL_ERROR_SIZE] = {};

    Transfer() = default;
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;
    ~Transfer() {
        if (easy != nullptr) curl_easy_cleanup(easy);
        curl_slist_free_all(headers);
        curl_slist_free_all(recipients);
    }
};

// The answer's body is not needed: after 64 KiB the transfer ends (the
// status line already said whether it was accepted).
std::size_t discard(char*, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    t->received += size * count;
    return t->received > 65'536 ? 0 : size * count;
}

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = std::min(size * count, t->message.body.size() - t->read_at);
    std::copy_n(t->message.body.data() + t->read_at, n, buffer);
    t->read_at += n;
    return n;
}

}  // namespace

struct Sender::Impl {
    store::Store& store;
    store::HistoryStore& outbox;
    SenderOptions options;
    std::mutex mutex;
    std::condition_variable cv;
    bool woken = false;
    bool stopping = false;
    std::thread thread;
    CURLM* multi = nullptr;
    log::RateLimit warnings{std::chrono::seconds(60)};

    Impl(store::Store& s, store::HistoryStore& o, SenderOptions opts) : store(s), outbox(o), options(std::move(opts)) {
        static std::once_flag curl_ready;
        std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        multi = curl_multi_init();
    }
    ~Impl() { curl_multi_cleanup(multi); }

    // Transfers under way, by their curl handle; the ids of their deliveries.
    std::unordered_map<CURL*, std::unique_ptr<Transfer>> in_flight;
    std::unordered_set<std::int64_t> in_flight_ids;
    std::unordered_map<std::int64_t, std::size_t> in_flight_by_notifier;
    bool freed = false;  // a transfer ended since the outbox was last read

    void run() {
        pthread_setname_np(pthread_self(), "gw-notify");
        auto last_look = std::chrono::steady_clock::time_point{};
        for (;;) {
            bool look = freed || in_flight.empty() ||
                        std::chrono::steady_clock::now() - last_look >= std::chrono::seconds(1);
            {
                std::lock_guard lock(mutex);
                if (stopping) break;
                look = look || woken;
                woken = false;
            }
            if (look) {  // not at every socket event: a slot freed, wake(), or a second passed
                freed = false;
                last_look = std::chrono::steady_clock::now();
                try {
                    start_due();
                } catch (const std::exception& e) {  // the store failed (busy, I/O): try again in a moment
                    if (warnings.due()) spdlog::error("notifications: reading the outbox: {}", e.what());
                }
            }
            if (in_flight.empty()) {
                sleep();
                continue;
            }
            int running = 0;
            curl_multi_perform(multi, &running);
            collect();
            // Until a transfer moves, a second passes (newly due deliveries), or wake().
            if (!in_flight.empty()) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
        }
        for (auto& [easy, t] : in_flight) curl_multi_remove_handle(multi, easy);  // abandoned: still pending
        in_flight.clear();
    }

    // Starts what is due, up to `batch` transfers in all and `per_notifier` to one notifier.
    void start_due() {
        if (in_flight.size() >= options.batch) return;
        auto due = outbox.due_deliveries(wall_ms(), options.per_notifier, options.batch + in_flight.size());
        std::unordered_map<std::int64_t, std::optional<store::Notifier>> notifiers;
        for (auto& d : due) {
            if (in_flight_ids.contains(d.id)) continue;
            if (in_flight.size() >= options.batch || in_flight_by_notifier[d.notifier_id] >= options.per_notifier) {
                outbox.update_delivery(d);  // as it was: a backend that claims due rows (PostgreSQL) frees it
                continue;
            }
            auto found = notifiers.find(d.notifier_id);
            if (found == notifiers.end())
                found = notifiers.emplace(d.notifier_id, store.find_notifier(d.notifier_id)).first;
            const auto& notifier = found->second;
            if (!notifier) {
                finish(d, false, "the notifier was deleted", true);
                continue;
            }
            if (!notifier->enabled) {
                finish(d, false, "the notifier is disabled", true);
                continue;
            }
            auto t = std::make_unique<Transfer>();
            t->delivery = std::move(d);
            t->type = notifier->type;
            try {
                t->message = compose(*notifier, t->delivery, options.smtp);
            } catch (const CannotCompose& e) {
                finish(t->delivery, false, e.what(), true);
                continue;
            }
            if (!prepare(*t)) {
                finish(t->delivery, false, "could not prepare the transfer", false);
                continue;
            }
            curl_multi_add_handle(multi, t->easy);
            in_flight_ids.insert(t->delivery.id);
            ++in_flight_by_notifier[t->delivery.notifier_id];
            in_flight.emplace(t->easy, std::move(t));
        }
    }

    // Records every finished transfer.
    void collect() {
        CURLMsg* msg = nullptr;
        int left = 0;
        while ((msg = curl_multi_info_read(multi, &left)) != nullptr) {
            if (msg->msg != CURLMSG_DONE) continue;
            const auto it = in_flight.find(msg->easy_handle);
            if (it == in_flight.end()) continue;
            std::unique_ptr<Transfer> t = std::move(it->second);
            in_flight.erase(it);
            curl_multi_remove_handle(multi, t->easy);
            in_flight_ids.erase(t->delivery.id);
            if (--in_flight_by_notifier[t->delivery.notifier_id] == 0)
                in_flight_by_notifier.erase(t->delivery.notifier_id);
            record(*t, msg->data.result);
            freed = true;
        }
    }

    // Until the next delivery is due, wake(), or stop(); at most a minute.
    void sleep() {
        std::optional<std::int64_t> next;
        try {
            next = outbox.next_delivery_at();
        } catch (const std::exception&) {
        }
        const std::int64_t now = wall_ms();
        const std::int64_t wait_ms = std::clamp<std::int64_t>(next ? *next - now : 60'000, 0, 60'000);
        std::unique_lock lock(mutex);
        cv.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(wait_ms, 1)),
                    [&] { return woken || stopping; });
    }

    bool prepare(Transfer& t) {
        t.easy = curl_easy_init();
        if (t.easy == nullptr) return false;
        CURL* e = t.easy;
        curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
        curl_easy_setopt(e, CURLOPT_URL, t.message.url.c_str());
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<std::int64_t>(
                                                            options.timeout.count(), 5'000)));
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
        if (t.message.kind == Message::Kind::http) {
            curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
            curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
            curl_easy_setopt(e, CURLOPT_POST, 1L);
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.message.body.c_str());
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.message.body.size()));
            for (const auto& h : t.message.headers) t.headers = curl_slist_append(t.headers, h.c_str());
            t.headers = curl_slist_append(t.headers, "Expect:");
            curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
        } else {
            const auto& smtp = options.smtp;
            curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp");
            curl_easy_setopt(e, CURLOPT_USE_SSL, smtp.starttls ? static_cast<long>(CURLUSESSL_ALL)
                                                              : static_cast<long>(CURLUSESSL_NONE));
            if (!smtp.username.empty()) {
                curl_easy_setopt(e, CURLOPT_USERNAME, smtp.username.c_str());
                curl_easy_setopt(e, CURLOPT_PASSWORD, smtp.password.c_str());
            }
            const std::string from = "<" + t.message.mail_from + ">";
            curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());  // curl copies strings
            for (const auto& r : t.message.recipients)
                t.recipients = curl_slist_append(t.recipients, ("<" + r + ">").c_str());
            curl_easy_setopt(e, CURLOPT_MAIL_RCPT, t.recipients);
            curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(e, CURLOPT_READFUNCTION, read_message);
            curl_easy_setopt(e, CURLOPT_READDATA, &t);
            curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.message.body.size()));
        }
        return true;
    }

    void record(Transfer& t, CURLcode result) {
        long code = 0;
        curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &code);
        // A 2xx status line is the receiver's acceptance, whatever happens to
        // the body after it (slow, endless, cut off): never sent again.
        const bool http = t.message.kind == Message::Kind::http;
        const bool delivered = http ? code >= 200 && code <= 299 : result == CURLE_OK;
        if (options.on_attempt) options.on_attempt(t.type, delivered);
        if (delivered)
            finish(t.delivery, true, "", false);
        else if (result != CURLE_OK)
            finish(t.delivery, false, t.error[0] != '\0' ? t.error : curl_easy_strerror(result), false);
        else
            finish(t.delivery, false, "HTTP " + std::to_string(code), false);
    }

    // Records an attempt: delivered, retried later, or failed for good.
    void finish(store::Delivery& d, bool delivered, const std::string& error, bool permanent) {
        const std::int64_t now = wall_ms();
        d.attempts += 1;
        d.last_error = error;
        if (delivered) {
            d.status = "delivered";
        } else if (permanent || now - d.created_ms >= options.give_up_after.count()) {
            d.status = "failed";
        } else {
            const int doublings = std::min(d.attempts - 1, 30);
            const std::int64_t delay =
                std::min<std::int64_t>(options.first_retry.count() << doublings, options.longest_retry.count());
            d.next_at_ms = now + delay;
        }
        if (!delivered && warnings.due())
            spdlog::warn("notifications: delivery {} to notifier {}: {}{}", d.id, d.notifier_id, error,
                         d.status == "failed" ? " (given up)" : "; will retry");
        try {
            outbox.update_delivery(d);
        } catch (const std::exception& e) {
            if (warnings.due()) spdlog::error("notifications: recording delivery {}: {}", d.id, e.what());
        }
    }
};

Sender::Sender(store::Store& store, store::HistoryStore& outbox, SenderOptions options)
    : impl_(std::make_unique<Impl>(store, outbox, std::move(options))) {}

Sender::~Sender() { stop(); }

void Sender::start() {
    if (impl_->thread.joinable()) return;
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void Sender::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->cv.notify_all();
    curl_multi_wakeup(impl_->multi);
    if (impl_->thread.joinable()) impl_->thread.join();
}

void Sender::wake() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->woken = true;
    }
    impl_->cv.notify_all();
    curl_multi_wakeup(impl_->multi);  // when it waits on transfers instead
}

void Sender::send_test(std::int64_t notifier_id) {
    store::Delivery d;
    d.notifier_id = notifier_id;
    d.payload = test_payload(wall_ms());
    d.created_ms = d.next_at_ms = wall_ms();
    impl_->outbox.write({}, {}, {d});
    wake();
}

}  // namespace gatewatch::notify
