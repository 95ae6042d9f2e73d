#include "notify/message.hpp"

#include "util/hmac.hpp"
#include "wire/representation.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <chrono>

namespace gatewatch::notify {
namespace json = boost::json;

namespace {

std::string text_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// No line breaks or other control characters: text from a device's name goes into headers.
std::string one_line(std::string text) {
    for (auto& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return text;
}

// Slack reads &, < and > as markup (<!channel> pings everyone): escaped as its docs say.
std::string slack_escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

bool is_ascii(std::string_view text) {
    for (const unsigned char c : text)
        if (c >= 0x80) return false;
    return true;
}

std::string base64(std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

// RFC 2047 when needed, so a name in any script survives any mail server.
std::string header_text(const std::string& text) {
    return is_ascii(text) ? text : "=?UTF-8?B?" + base64(text) + "?=";
}

json::object parse_payload(std::string_view payload) {
    boost::system::error_code ec;
    auto v = json::parse(payload, ec);
    if (ec || !v.is_object()) throw CannotCompose("the stored payload is not a JSON object");
    return std::move(v.as_object());
}

std::string event_of(const json::object& payload) { return text_of(payload, "event"); }

std::string rfc5322_date() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char out[64];
    std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return out;
}

std::string details(const json::object& p) {
    std::string out;
    auto line = [&](std::string_view name, const json::value* v) {
        if (v == nullptr || v->is_null()) return;
        out += name;
        out += ": ";
        out += one_line(v->is_string() ? std::string(v->as_string()) : json::serialize(*v));
        out += "\r\n";
    };
    if (const auto* d = p.if_contains("device"); d != nullptr && d->is_object()) {
        line("Device", d->as_object().if_contains("name"));
        line("Address", d->as_object().if_contains("ip"));
    }
    line("Status", p.if_contains("status"));
    line("Previous", p.if_contains("previous"));
    line("Since", p.if_contains("since"));
    line("RTT (ms)", p.if_contains("rtt_ms"));
    line("Loss", p.if_contains("loss"));
    line("Unreachable behind it", p.if_contains("unreachable_children"));
    line("Event", p.if_contains("event"));
    line("Delivery", p.if_contains("delivery_id"));
    return out;
}

Message webhook(const store::Notifier& n, json::object payload, std::int64_t delivery_id) {
    Message m;
    m.kind = Message::Kind::http;
    m.url = n.url;
    const std::string event = event_of(payload);
    payload["delivery_id"] = delivery_id;
    const std::string line = summary(json::serialize(payload));
    if (n.format == "json") {
        m.body = json::serialize(payload);
        m.headers.push_back("Content-Type: application/json");
    } else if (n.format == "slack") {
        m.body = json::serialize(json::object{{"text", slack_escaped(line)}});
        m.headers.push_back("Content-Type: application/json");
    } else if (n.format == "ntfy") {
        m.body = line;
        m.headers.push_back("Content-Type: text/plain; charset=utf-8");
        m.headers.push_back("Title: " + one_line("gatewatch: " + event));
        m.headers.push_back(std::string("Tags: ") + (event == "device.down" ? "red_circle" : event == "device.up" ? "green_circle" : "bell"));
        m.headers.push_back(std::string("Priority: ") + (event == "device.down" ? "high" : "default"));
    } else {
        throw CannotCompose("unknown webhook format " + n.format);
    }
    m.headers.push_back("X-Gatewatch-Event: " + one_line(event));
    m.headers.push_back("X-Gatewatch-Delivery: " + std::to_string(delivery_id));
    if (!n.secret.empty()) m.headers.push_back("X-Gatewatch-Signature: " + signature(n.secret, m.body));
    m.headers.push_back("User-Agent: gatewatch");
    return m;
}

Message email(const store::Notifier& n, json::object payload, std::int64_t delivery_id, const SmtpSettings& smtp) {
    if (smtp.host.empty()) throw CannotCompose("email is not configured: set smtp_host");
    if (n.to.empty()) throw CannotCompose("the notifier has no recipients");
    Message m;
    m.kind = Message::Kind::smtp;
    m.url = "smtp://" + (smtp.host.find(':') != std::string::npos ? "[" + smtp.host + "]" : smtp.host) + ":" +
            std::to_string(smtp.port);
    m.mail_from = smtp.from;
    m.recipients = n.to;
    payload["delivery_id"] = delivery_id;
    std::string to;
    for (const auto& r : n.to) to += (to.empty() ? "" : ", ") + one_line(r);
    const std::string subject = "[gatewatch] " + one_line(summary(json::serialize(payload)));
    m.body = "Date: " + rfc5322_date() + "\r\n" +
             "From: " + one_line(smtp.from) + "\r\n" +
             "To: " + to + "\r\n" +
             "Subject: " + header_text(subject) + "\r\n" +
             "Message-ID: <delivery-" + std::to_string(delivery_id) + "." + std::to_string(n.id) + "@gatewatch>\r\n" +
             "MIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n"
             "Content-Transfer-Encoding: 8bit\r\n"
             "\r\n" +
             summary(json::serialize(payload)) + "\r\n\r\n" + details(payload);
    return m;
}

}  // namespace

std::string signature(std::string_view secret, std::string_view body) {
    return "sha256=" + util::to_hex(util::hmac_sha256(secret, body));
}

std::string summary(std::string_view payload_json) {
    json::object p;
    try {
        p = parse_payload(payload_json);
    } catch (const CannotCompose&) {
        return "gatewatch notification";
    }
    const std::string event = event_of(p);
    if (event == "test") return "Test message from gatewatch: this notifier works";
    std::string name = "a device", ip;
    if (const auto* d = p.if_contains("device"); d != nullptr && d->is_object()) {
        name = text_of(d->as_object(), "name");
        ip = text_of(d->as_object(), "ip");
    }
    std::string out = one_line(name) + (ip.empty() ? "" : " (" + ip + ")");
    if (event == "device.up") return out + " is up again";
    out += " is down";
    if (const auto* n = p.if_contains("unreachable_children"); n != nullptr && n->is_int64() && n->as_int64() > 0)
        out += "; " + std::to_string(n->as_int64()) + (n->as_int64() == 1 ? " device" : " devices") +
               " behind it " + (n->as_int64() == 1 ? "is" : "are") + " unreachable";
    return out;
}

Message compose(const store::Notifier& notifier, const store::Delivery& delivery, const SmtpSettings& smtp) {
    auto payload = parse_payload(delivery.payload);
    if (notifier.type == "webhook") return webhook(notifier, std::move(payload), delivery.id);
    if (notifier.type == "email") return email(notifier, std::move(payload), delivery.id, smtp);
    throw CannotCompose("unknown notifier type " + notifier.type);
}

}  // namespace gatewatch::notify
