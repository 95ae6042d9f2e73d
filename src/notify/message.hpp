#pragma once
// What one delivery sends: the request of a webhook in its format, or the
// email, built from the delivery's stored payload (the webhook `json` body
// without "delivery_id"). Pure: no I/O.
//
// Webhooks carry X-Gatewatch-Event and X-Gatewatch-Delivery, and with a
// secret X-Gatewatch-Signature: sha256=<hex HMAC-SHA256 of the body>, in
// every format. `slack` is Slack's incoming-webhook {"text"}; `ntfy` is
// ntfy's plain-text publish (Title, Tags, Priority headers). Emails are
// plain text; the subject is RFC 2047-encoded when it is not ASCII, and no
// text from a device (its name) can add a header line.
#include "store/history_store.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gatewatch::notify {

struct SmtpSettings {
    std::string host;  // empty: email is not configured
    std::uint16_t port = 587;
    std::string from;
    std::string username;  // empty: no login
    std::string password;
    bool starttls = true;
};

struct Message {
    enum class Kind { http, smtp };
    Kind kind = Kind::http;
    std::string url;                   // http(s)://... or smtp://host:port
    std::vector<std::string> headers;  // http: "Name: value"
    std::string body;                  // http: the request body; smtp: the whole message
    std::string mail_from;             // smtp
    std::vector<std::string> recipients;
};

// Thrown when a delivery cannot be composed at all (email without smtp_host,
// an unknown type or format): retrying would not help.
struct CannotCompose : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Message compose(const store::Notifier& notifier, const store::Delivery& delivery, const SmtpSettings& smtp);

// "sha256=<hex>" of HMAC-SHA256(secret, body).
std::string signature(std::string_view secret, std::string_view body);

// One line for people: "gateway (127.0.0.66) is down; 5 devices behind it are unreachable".
std::string summary(std::string_view payload_json);

}  // namespace gatewatch::notify
