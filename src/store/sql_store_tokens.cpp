// The SQL store's API tokens (sql_store.hpp).
#include "store/sql_store_parts.hpp"

namespace gatewatch::store {
using sql::Connection;
using sql::Statement;
using namespace detail;

namespace {

constexpr const char* k_api_token_columns =
    "SELECT id, name, role, hash, created_ms, expires_ms, last_used_ms FROM api_tokens ";
ApiToken read_api_token(const Statement& s) {
    return ApiToken{s.int64(0), s.text(1), parse_role(s.text(2)), s.text(3), s.int64(4), s.optional_int64(5),
                    s.optional_int64(6)};
}

}  // namespace

ApiToken SqlStore::create_api_token(const ApiToken& token) {
    return write([&](Connection& c) {
        auto s = c.prepare("INSERT INTO api_tokens (name, role, hash, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?) RETURNING id");
        s.bind(1, token.name).bind(2, std::string_view(to_string(token.role))).bind(3, token.hash);
        s.bind(4, token.created_ms).bind(5, token.expires_ms);
        s.step();
        ApiToken created = token;
        created.id = s.int64(0);
        return created;
    });
}

std::vector<ApiToken> SqlStore::list_api_tokens() {
    auto lease = read();
    auto s = lease->prepare(std::string(k_api_token_columns) + "ORDER BY id");
    std::vector<ApiToken> out;
    while (s.step()) out.push_back(read_api_token(s));
    return out;
}

std::optional<ApiToken> SqlStore::find_api_token(const std::string& hash) {
    auto lease = read();
    auto s = lease->prepare(std::string(k_api_token_columns) + "WHERE hash = ?");
    s.bind(1, hash);
    if (!s.step()) return std::nullopt;
    return read_api_token(s);
}

std::optional<ApiToken> SqlStore::find_api_token_by_id(std::int64_t id) {
    auto lease = read();
    auto s = lease->prepare(std::string(k_api_token_columns) + "WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_api_token(s);
}

bool SqlStore::delete_api_token(std::int64_t id) {
    return write([&](Connection& c) {
        auto s = c.prepare("DELETE FROM api_tokens WHERE id = ?");
        s.bind(1, id);
        s.step();
        if (c.changes() == 0) return false;
        record_change(c, origin_, Entity::user, Change::Kind::updated, 0, std::nullopt);
        return true;
    });
}

void SqlStore::touch_api_token(std::int64_t id, std::int64_t used_ms) {
    write([&](Connection& c) {
        auto s = c.prepare("UPDATE api_tokens SET last_used_ms = ? WHERE id = ?");
        s.bind(1, used_ms).bind(2, id);
        s.step();
        return 0;
    });
}

}  // namespace gatewatch::store
