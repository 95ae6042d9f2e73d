#include "store/pg.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <vector>

namespace gatewatch::store::pg {
namespace {

constexpr Oid k_bool_oid = 16;
constexpr Oid k_bytea_oid = 17;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string field(const PGresult* r, int code) {
    const char* value = PQresultErrorField(r, code);
    return value == nullptr ? std::string() : std::string(value);
}

// The column a unique constraint named TABLE_COLUMN_key covers.
std::string unique_column(const std::string& constraint, const std::string& table) {
    std::string name = constraint;
    if (!table.empty() && name.starts_with(table + "_")) name.erase(0, table.size() + 1);
    if (name.ends_with("_key")) name.erase(name.size() - 4);
    return name;
}

[[noreturn]] void throw_error(const PGresult* r, pg_conn* conn) {
    const std::string state = r != nullptr ? field(r, PG_DIAG_SQLSTATE) : std::string();
    if (state == "23505") throw UniqueViolation(unique_column(field(r, PG_DIAG_CONSTRAINT_NAME), field(r, PG_DIAG_TABLE_NAME)));
    if (state == "23503") throw NotFound(Entity::room);
    std::string message = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    throw StoreError("postgresql: " + message + (state.empty() ? "" : " (" + state + ")"));
}

bool succeeded(const PGresult* r) {
    const auto status = PQresultStatus(r);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::int64_t affected_rows(const PGresult* r) {
    const char* text = PQcmdTuples(const_cast<PGresult*>(r));
    return text == nullptr || *text == '\0' ? 0 : std::strtoll(text, nullptr, 10);
}

class Cursor final : public sql::Cursor {
public:
    Cursor(Connection& owner, std::string name, std::string sql, int parameters)
        : owner_(owner), name_(std::move(name)), sql_(std::move(sql)), values_(static_cast<std::size_t>(parameters)),
          set_(values_.size()), binary_(values_.size()) {}

    void bind_int64(int index, std::int64_t value) override { set(index, std::to_string(value), false); }
    void bind_text(int index, std::string_view value) override { set(index, std::string(value), false); }
    void bind_blob(int index, std::string_view bytes) override { set(index, std::string(bytes), true); }
    void bind_null(int index) override {
        const auto i = slot(index);
        set_[i] = false;
        binary_[i] = 0;
    }

    bool step() override {
        if (!result_) {
            execute();
            row_ = 0;
        } else {
            ++row_;
        }
        return row_ < PQntuples(result_.get());
    }

    [[nodiscard]] std::int64_t int64(int column) const override {
        const char* value = PQgetvalue(result_.get(), row_, column);
        if (PQftype(result_.get(), column) == k_bool_oid) return *value == 't' ? 1 : 0;
        std::int64_t out = 0;
        std::from_chars(value, value + PQgetlength(result_.get(), row_, column), out);
        return out;
    }
    [[nodiscard]] std::string text(int column) const override {
        return std::string(PQgetvalue(result_.get(), row_, column),
                           static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
    }
    [[nodiscard]] std::string blob(int column) const override {
        if (PQftype(result_.get(), column) != k_bytea_oid) return text(column);
        std::size_t size = 0;
        unsigned char* bytes =
            PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row_, column)), &size);
        if (bytes == nullptr) throw StoreError("postgresql: out of memory reading bytea");
        std::string out(reinterpret_cast<const char*>(bytes), size);
        PQfreemem(bytes);
        return out;
    }
    [[nodiscard]] bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }
    void reset() override {
        result_.reset();
        std::fill(set_.begin(), set_.end(), false);
    }

private:
    std::size_t slot(int index) const {
        if (index < 1 || static_cast<std::size_t>(index) > values_.size())
            throw StoreError("postgresql: no parameter " + std::to_string(index) + " in " + sql_);
        return static_cast<std::size_t>(index - 1);
    }
    void set(int index, std::string value, bool binary) {
        const auto i = slot(index);
        values_[i] = std::move(value);
        set_[i] = true;
        binary_[i] = binary ? 1 : 0;
    }

    void prepare() {
        Result r(PQprepare(owner_.native(), name_.c_str(), sql_.c_str(), 0, nullptr));
        if (!r || !succeeded(r.get())) throw_error(r.get(), owner_.native());
        prepared_ = true;
    }

    void execute() {
        std::vector<const char*> values(values_.size());
        std::vector<int> lengths(values_.size());
        for (std::size_t i = 0; i < values_.size(); ++i) {
            values[i] = set_[i] ? values_[i].data() : nullptr;
            lengths[i] = static_cast<int>(values_[i].size());
        }
        if (!prepared_) prepare();
        Result r(PQexecPrepared(owner_.native(), name_.c_str(), static_cast<int>(values.size()), values.data(),
                                lengths.data(), binary_.data(), 0));
        if (!r || !succeeded(r.get())) throw_error(r.get(), owner_.native());
        owner_.set_changes(affected_rows(r.get()));
        result_ = std::move(r);
    }

    Connection& owner_;
    std::string name_;
    std::string sql_;
    std::vector<std::string> values_;
    std::vector<bool> set_;
    std::vector<int> binary_;
    bool prepared_ = false;
    Result result_;
    int row_ = 0;
};

// Quiet: the server's NOTICEs (an IF NOT EXISTS that found the table) are not ours to print.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string translate_parameters(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int next = 0;
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char ch = sql[i];
        if (quote != 0) {
            if (ch == quote) quote = 0;
            out += ch;
            continue;
        }
        if (ch == '\'' || ch == '"') {
            quote = ch;
            out += ch;
            continue;
        }
        if (ch != '?') {
            out += ch;
            continue;
        }
        std::size_t digits = i + 1;
        while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') ++digits;
        out += '$';
        if (digits > i + 1) {
            out.append(sql.substr(i + 1, digits - i - 1));
            i = digits - 1;
        } else {
            out += std::to_string(++next);
        }
    }
    return out;
}

namespace {
// The highest $N in translated SQL.
int parameter_count(std::string_view sql) {
    int most = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] != '$') continue;
        int n = 0;
        std::size_t j = i + 1;
        while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
        most = std::max(most, n);
    }
    return most;
}
}  // namespace

Connection::Connection(const std::string& url) {
    // connect_timeout before the URL (which may set its own), the
    // application's name after it as a fallback only.
    const char* keys[] = {"connect_timeout", "dbname", "fallback_application_name", nullptr};
    const char* values[] = {"5", url.c_str(), "gatewatch", nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
        std::string message = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        PQfinish(conn_);
        throw StoreError("cannot connect to PostgreSQL: " + message);
    }
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
}

Connection::~Connection() {
    statements_.clear();
    PQfinish(conn_);
}

bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool Connection::usable() { return PQconsumeInput(conn_) == 1 && !broken(); }

sql::Statement Connection::prepare(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
        std::string translated = translate_parameters(sql);
        const int parameters = parameter_count(translated);
        auto cursor = std::make_unique<Cursor>(*this, "gw" + std::to_string(statements_.size()), std::move(translated),
                                               parameters);
        it = statements_.emplace(std::string(sql), std::move(cursor)).first;
    }
    it->second->reset();
    return sql::Statement(it->second.get());
}

void Connection::exec(const char* sql) {
    Result r(PQexec(conn_, sql));
    if (!r || !succeeded(r.get())) throw_error(r.get(), conn_);
    changes_ = affected_rows(r.get());
}

void Connection::begin(Mode mode) {
    exec(mode == Mode::read ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN");
}

void Connection::commit() {
    Result r(PQexec(conn_, "COMMIT"));
    if (!r || !succeeded(r.get())) throw_error(r.get(), conn_);
    // COMMIT of a transaction that failed answers ROLLBACK, not an error.
    if (std::string_view(PQcmdStatus(r.get())) == "ROLLBACK") throw StoreError("postgresql: the transaction was rolled back");
}

void Connection::rollback() { exec("ROLLBACK"); }

void migrate(Connection& c, std::span<const char* const> migrations, std::string_view component) {
    sql::Transaction tx(c, sql::Connection::Mode::write);
    // Nodes that start together: one migrates, the others wait and find it done.
    c.exec("SELECT pg_advisory_xact_lock(7470697331)");
    c.exec("CREATE TABLE IF NOT EXISTS gatewatch_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
    std::int64_t version = 0;
    {
        auto s = c.prepare("SELECT version FROM gatewatch_schema WHERE component = ?");
        s.bind(1, component);
        if (s.step()) version = s.int64(0);
    }
    const auto known = static_cast<std::int64_t>(migrations.size());
    if (version > known)
        throw StoreError("the PostgreSQL database's " + std::string(component) + " tables are at schema version " +
                         std::to_string(version) + ", newer than this gatewatch knows (" + std::to_string(known) +
                         "); upgrade gatewatch");
    for (auto v = version; v < known; ++v) c.exec(migrations[static_cast<std::size_t>(v)]);
    auto s = c.prepare(
        "INSERT INTO gatewatch_schema (component, version) VALUES (?, ?)"
        " ON CONFLICT (component) DO UPDATE SET version = excluded.version");
    s.bind(1, component).bind(2, known);
    s.step();
    tx.commit();
}

sql::ConnectionPool pool(const std::string& url) {
    return sql::ConnectionPool([url] { return std::make_unique<Connection>(url); },
                               [](sql::Connection& c) { return static_cast<Connection&>(c).usable(); });
}

bool is_url(std::string_view database) {
    return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

}  // namespace gatewatch::store::pg
