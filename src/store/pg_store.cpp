// The PostgreSQL backend of the SQL store (pg_store.hpp).
#include "store/pg_store.hpp"

#include "store/pg_store_schema.hpp"

#include <sodium.h>

namespace gatewatch::store {

PgStore::PgStore(std::string url) : url_(std::move(url)), pool_(pg::pool(url_)) {
    auto lease = pool_.lease();
    pg::migrate(static_cast<pg::Connection&>(*lease), detail::pg_schema::k_migrations, "store");
}

PgStore::~PgStore() = default;

int PgStore::schema_version() { return static_cast<int>(detail::pg_schema::k_migrations.size()); }

bool PgStore::accepts_notify() {
    try {
        auto lease = pool_.lease();
        lease->exec("NOTIFY gw_config");
        return true;
    } catch (const StoreError&) {
        return false;
    }
}

void PgStore::run_write(const std::function<void(sql::Connection&)>& work) {
    auto lease = pool_.lease();
    sql::Transaction tx(*lease, sql::Connection::Mode::write);
    lease->exec("SELECT id FROM store_lock FOR UPDATE");
    lease->recorded_change = false;
    work(*lease);
    if (lease->recorded_change && notify_changes_) lease->exec("NOTIFY gw_config");
    tx.commit();
}

std::optional<std::vector<Change>> PgStore::changes_after(std::uint64_t seq, std::size_t limit) {
    // One indexed query when nothing changed: max(seq) of the primary key.
    auto lease = pool_.lease();
    std::uint64_t newest = 0;
    return read_changes(*lease, seq, limit, newest);
}

std::string PgStore::shared_secret() {
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    char hex[2 * sizeof bytes + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    sodium_memzero(bytes, sizeof bytes);
    std::string secret;
    auto lease = pool_.lease();
    {
        // The first node's stays: a later one's insert does nothing.
        auto s = lease->prepare(
            "INSERT INTO shared_secret (id, secret) VALUES (1, ?) ON CONFLICT (id) DO NOTHING");
        s.bind(1, std::string_view(hex));
        s.step();
    }
    sodium_memzero(hex, sizeof hex);
    auto s = lease->prepare("SELECT secret FROM shared_secret WHERE id = 1");
    if (!s.step()) throw StoreError("postgresql: the shared secret is missing");
    secret = s.text(0);
    return secret;
}

}  // namespace gatewatch::store
