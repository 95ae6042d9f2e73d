// The SQLite backend of the SQL store (sqlite_store.hpp).
#include "store/sqlite_store.hpp"

#include "store/sqlite_store_schema.hpp"

namespace gatewatch::store {

SqliteStore::SqliteStore(std::filesystem::path file)
    : file_(std::move(file)), writer_(std::make_unique<sqlite::Connection>(file_)), readers_(sqlite::pool(file_)) {
    sqlite::migrate(*writer_, detail::k_migrations, "database");
    feed_reader_ = std::make_unique<sqlite::Connection>(file_);
}

SqliteStore::~SqliteStore() = default;

int SqliteStore::schema_version() { return static_cast<int>(detail::k_migrations.size()); }

void SqliteStore::run_write(const std::function<void(sql::Connection&)>& work) {
    std::lock_guard lock(writer_mutex_);
    sql::Transaction tx(*writer_, sql::Connection::Mode::write);
    work(*writer_);
    tx.commit();
}

std::optional<std::vector<Change>> SqliteStore::changes_after(std::uint64_t seq, std::size_t limit) {
    std::lock_guard lock(feed_mutex_);
    // PRAGMA data_version moves with every commit by any other connection, ours
    // and other processes' alike: while it stands still there is nothing new.
    auto version = feed_reader_->prepare("PRAGMA data_version");
    version.step();
    const auto now = static_cast<std::uint64_t>(version.int64(0));
    if (feed_version_ && *feed_version_ == now && seq >= feed_seen_) return std::vector<Change>{};
    std::uint64_t last = 0;
    auto out = read_changes(*feed_reader_, seq, limit, last);
    if (!out) return out;
    feed_version_ = now;
    feed_seen_ = out->empty() ? std::max(seq, last) : out->back().seq;
    if (feed_seen_ < last) feed_version_.reset();  // more to read: do not short-cut the next call
    return out;
}

}  // namespace gatewatch::store
