#include "auth/token.hpp"

#include "util/base64url.hpp"
#include "util/hmac.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <stdexcept>

namespace gatewatch::auth {
namespace json = boost::json;

namespace {

constexpr std::string_view k_header = R"({"alg":"HS256","typ":"JWT"})";

// Parses one base64url JSON segment into an object, or returns nullopt.
std::optional<json::object> decode_object(std::string_view segment) {
    auto text = util::base64url_decode(segment);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    json::value v = json::parse(*text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.as_object());
}

std::optional<std::int64_t> numeric_date(const json::value* v) {
    if (v == nullptr) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double()) {
        double d = v->as_double();
        if (d >= -9.2e18 && d <= 9.2e18) return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

}  // namespace

TokenCodec::TokenCodec(std::string key) : key_(std::move(key)) {
    // An empty HMAC key would make every signature forgeable (libjwt's trap).
    if (key_.empty()) throw std::invalid_argument("token signing key must not be empty");
}

std::string TokenCodec::sign(std::string_view signing_input) const {
    return util::base64url_encode(util::hmac_sha256(key_, signing_input));
}

std::string TokenCodec::issue(std::string_view subject, std::int64_t user_id, std::int64_t generation,
                              std::int64_t issued_at, std::chrono::seconds lifetime) const {
    json::object claims;
    claims["sub"] = subject;
    claims["uid"] = user_id;
    claims["gen"] = generation;
    claims["iat"] = issued_at;
    claims["exp"] = issued_at + lifetime.count();
    std::string input = util::base64url_encode(k_header) + "." + util::base64url_encode(json::serialize(claims));
    std::string signature = sign(input);
    return input + "." + signature;
}

VerifiedToken TokenCodec::verify(std::string_view token, std::chrono::system_clock::time_point now) const {
    VerifiedToken result;
    const auto first_dot = token.find('.');
    if (first_dot == std::string_view::npos) return result;
    const auto second_dot = token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
        return result;

    const auto header = decode_object(token.substr(0, first_dot));
    if (!header) return result;
    const auto* alg = header->if_contains("alg");
    if (alg == nullptr || !alg->is_string()) return result;
    if (alg->as_string() != "HS256") {
        result.status = TokenStatus::wrong_algorithm;
        return result;
    }
    if (const auto* typ = header->if_contains("typ"); typ != nullptr && (!typ->is_string() || typ->as_string() != "JWT"))
        return result;

    const std::string expected = sign(token.substr(0, second_dot));
    const std::string_view given = token.substr(second_dot + 1);
    if (given.size() != expected.size() || sodium_memcmp(given.data(), expected.data(), given.size()) != 0) {
        result.status = TokenStatus::bad_signature;
        return result;
    }

    const auto claims = decode_object(token.substr(first_dot + 1, second_dot - first_dot - 1));
    if (!claims) return result;
    const auto* sub = claims->if_contains("sub");
    const auto exp = numeric_date(claims->if_contains("exp"));
    const auto iat = numeric_date(claims->if_contains("iat"));
    const auto* uid = claims->if_contains("uid");
    if (sub == nullptr || !sub->is_string() || sub->as_string().empty() || !exp || !iat) return result;
    if (uid == nullptr || !((uid->is_int64() && uid->as_int64() > 0) || (uid->is_uint64() && uid->as_uint64() <= INT64_MAX)))
        return result;
    const auto* gen = claims->if_contains("gen");
    if (gen != nullptr && !((gen->is_int64() && gen->as_int64() >= 0) || (gen->is_uint64() && gen->as_uint64() <= INT64_MAX)))
        return result;

    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (now_s >= *exp) {
        result.status = TokenStatus::expired;
        return result;
    }
    result.status = TokenStatus::valid;
    result.subject = std::string(sub->as_string());
    result.user_id = uid->is_int64() ? uid->as_int64() : static_cast<std::int64_t>(uid->as_uint64());
    result.generation = gen == nullptr ? 0 : gen->is_int64() ? gen->as_int64() : static_cast<std::int64_t>(gen->as_uint64());
    result.issued_at = *iat;
    result.expires_at = *exp;
    return result;
}

}  // namespace gatewatch::auth
