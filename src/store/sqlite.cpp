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

class Cursor final : public sql::Cursor {
public:
    explicit Cursor(sqlite3_stmt* stmt) : stmt_(stmt) {}
    ~Cursor() override { sqlite3_finalize(stmt_); }
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    void bind_int64(int index, std::int64_t value) override { check(sqlite3_bind_int64(stmt_, index, value)); }
    void bind_text(int index, std::string_view value) override {
        check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    }
    void bind_blob(int index, std::string_view bytes) override {
        check(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
    }
    void bind_null(int index) override { check(sqlite3_bind_null(stmt_, index)); }
    bool step() override {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        sqlite3_reset(stmt_);
        throw_error(sqlite3_db_handle(stmt_), rc);
    }
    [[nodiscard]] std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
    [[nodiscard]] std::string text(int column) const override {
        const auto* data = sqlite3_column_text(stmt_, column);
        const int size = sqlite3_column_bytes(stmt_, column);
        return data == nullptr ? std::string()
                               : std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
    }
    [[nodiscard]] std::string blob(int column) const override {
        const auto* data = sqlite3_column_blob(stmt_, column);
        const int size = sqlite3_column_bytes(stmt_, column);
        return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), static_cast<size_t>(size));
    }
    [[nodiscard]] bool is_null(int column) const override {
        return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
    }
    void reset() override {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

private:
    void check(int rc) {
        if (rc != SQLITE_OK) throw_error(sqlite3_db_handle(stmt_), rc);
    }
    sqlite3_stmt* stmt_;
};

}  // namespace

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
    statements_.clear();  // finalized before the connection closes
    sqlite3_close(db_);
}

sql::Statement Connection::prepare(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                        &stmt, nullptr);
            rc != SQLITE_OK)
            throw_error(db_, rc);
        it = statements_.emplace(std::string(sql), std::make_unique<Cursor>(stmt)).first;
    }
    it->second->reset();
    return sql::Statement(it->second.get());
}

void Connection::exec(const char* sql) {
    char* error = nullptr;
    if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error); rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw StoreError("sqlite: " + message);
    }
}

std::int64_t Connection::changes() const { return sqlite3_changes64(db_); }

void Connection::begin(Mode mode) { exec(mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN"); }
void Connection::commit() { exec("COMMIT"); }
void Connection::rollback() { exec("ROLLBACK"); }

void migrate(Connection& c, std::span<const char* const> migrations, std::string_view what) {
    sql::Transaction tx(c, sql::Connection::Mode::write);
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

sql::ConnectionPool pool(const std::filesystem::path& file) {
    return sql::ConnectionPool([file] { return std::make_unique<Connection>(file); });
}

}  // namespace gatewatch::store::sqlite
