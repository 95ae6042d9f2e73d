#include "store/sqlite.hpp"

#include <sqlite3.h>

#include <cstring>

namespace gatewatch::store::sqlite {
namespace {

constexpr int k_busy_timeout_ms = 5000;

[[noreturn]] void throw_error(sqlite3* db, int rc) {
    const int extended = sqlite3_extended_errcode(db);
    const std::string message = sqlite3_errmsg(db);
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
        // "UNIQUE constraint failed: users.username" names the column.
        const auto dot = message.rfind('.');
        throw UniqueViolation(dot == std::string::npos ? message : message.substr(dot + 1));
    }
    if (extended == SQLITE_CONSTRAINT_FOREIGNKEY) throw NotFound(Entity::room);
    throw StoreError("sqlite: " + message + " (code " + std::to_string(rc) + ")");
}

}  // namespace

Statement::~Statement() {
    if (stmt_ != nullptr) sqlite3_reset(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
    if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) throw_error(sqlite3_db_handle(stmt_), rc);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    if (int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        rc != SQLITE_OK)
        throw_error(sqlite3_db_handle(stmt_), rc);
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    if (int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT); rc != SQLITE_OK)
        throw_error(sqlite3_db_handle(stmt_), rc);
    return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
    if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) throw_error(sqlite3_db_handle(stmt_), rc);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_);
    throw_error(sqlite3_db_handle(stmt_), rc);
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
}

std::string Statement::blob(int column) const {
    const auto* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::optional<std::string> Statement::optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
}

Connection::Connection(const std::filesystem::path& file) {
    const int rc = sqlite3_open_v2(file.c_str(), &db_,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw StoreError("cannot open database " + file.string() + ": " + message);
    }
    sqlite3_busy_timeout(db_, k_busy_timeout_ms);
    sqlite3_extended_result_codes(db_, 1);
    // WAL: readers never wait for the writer. synchronous=FULL: a write that
    // was acknowledged survives a power cut. foreign_keys: per connection.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
}

Connection::~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

Statement Connection::prepare(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                        &stmt, nullptr);
            rc != SQLITE_OK)
            throw_error(db_, rc);
        it = statements_.emplace(std::string(sql), stmt).first;
    }
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return Statement(it->second);
}

void Connection::exec(const char* sql) {
    char* error = nullptr;
    if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error); rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw StoreError("sqlite: " + message);
    }
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }

Transaction::Transaction(Connection& connection, bool immediate) : connection_(connection) {
    connection_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
    if (open_) {
        try {
            connection_.exec("ROLLBACK");
        } catch (...) {  // the transaction may already be gone after an I/O error
        }
    }
}

void Transaction::commit() {
    connection_.exec("COMMIT");
    open_ = false;
}

void migrate(Connection& c, std::span<const char* const> migrations, std::string_view what) {
    Transaction tx(c, true);
    const std::int64_t version = [&] {
        auto s = c.prepare("PRAGMA user_version");
        s.step();
        return s.int64(0);
    }();
    const auto known = static_cast<std::int64_t>(migrations.size());
    if (version > known)
        throw StoreError("the " + std::string(what) + " is at schema version " + std::to_string(version) +
                         ", newer than this gatewatch knows (" + std::to_string(known) + "); upgrade gatewatch");
    for (auto v = version; v < known; ++v) c.exec(migrations[static_cast<std::size_t>(v)]);
    c.exec(("PRAGMA user_version = " + std::to_string(known)).c_str());
    tx.commit();
}

ConnectionPool::Lease::~Lease() {
    std::lock_guard lock(pool_.mutex_);
    pool_.idle_.push_back(std::move(connection_));
}

ConnectionPool::Lease ConnectionPool::lease() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(c));
        }
    }
    return Lease(*this, std::make_unique<Connection>(file_));
}

}  // namespace gatewatch::store::sqlite
