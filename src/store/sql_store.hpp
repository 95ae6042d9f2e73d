#pragma once
// The store (store.hpp) over any SQL database of sql.hpp: the accounts, rooms,
// devices, notifiers, windows, API tokens and configuration as code, written
// once (sql_store*.cpp) for both backends. A backend (SqliteStore,
// PgStore) opens the connections, runs the schema's migrations, and says how
// a write transaction is serialized and how the change feed is read cheaply.
//
// Every write runs in run_write(): one transaction in which no other store
// write of any process runs (SQLite: BEGIN IMMEDIATE; PostgreSQL: a lock row),
// so the rules checked inside it (the last admin, parent circles) hold, and
// the change feed's seq, max + 1 under that lock, grows in commit order with
// no gaps: a reader that saw seq N has seen every change up to N.
#include "store/sql.hpp"
#include "store/store.hpp"

#include <functional>
#include <optional>
#include <vector>

namespace gatewatch::store {

class SqlStore : public Store {
public:
    [[nodiscard]] std::uint64_t origin() const override { return origin_; }
    std::uint64_t last_change() override;

    std::optional<User> find_user(const std::string& username) override;
    User create_user(const NewUser& user, const std::function<Role(bool first)>& role_for) override;
    bool set_password_hash(const std::string& username, const std::string& expected_hash,
                           const std::string& password_hash) override;
    bool revoke_tokens(const std::string& username, const std::optional<std::string>& new_password_hash) override;
    bool delete_user(const std::string& username) override;
    std::vector<User> list_users() override;
    std::optional<User> find_user_by_id(std::int64_t id) override;
    std::optional<User> update_user(std::int64_t id, const std::function<void(User&)>& edit) override;
    std::optional<User> delete_user_by_id(std::int64_t id) override;

    ApiToken create_api_token(const ApiToken& token) override;
    std::vector<ApiToken> list_api_tokens() override;
    std::optional<ApiToken> find_api_token(const std::string& hash) override;
    std::optional<ApiToken> find_api_token_by_id(std::int64_t id) override;
    bool delete_api_token(std::int64_t id) override;
    void touch_api_token(std::int64_t id, std::int64_t used_ms) override;

    std::vector<Room> list_rooms() override;
    std::optional<Room> find_room(std::int64_t id) override;
    Room create_room(const Room& room) override;
    std::optional<Room> update_room(std::int64_t id, const std::function<void(Room&)>& edit) override;
    bool delete_room(std::int64_t id) override;

    std::vector<Device> list_devices(std::optional<std::int64_t> room_id) override;
    std::vector<Device> list_devices_after(std::int64_t after_id, std::size_t limit) override;
    std::size_t count_devices() override;
    std::optional<Device> find_device(std::int64_t id) override;
    Device create_device(const Device& device) override;
    std::optional<Device> update_device(std::int64_t id, const std::function<void(Device&)>& edit) override;
    std::optional<Device> delete_device(std::int64_t id) override;
    std::vector<Device> create_devices(const std::vector<BulkDevice>& rows) override;

    std::vector<Notifier> list_notifiers() override;
    std::optional<Notifier> find_notifier(std::int64_t id) override;
    Notifier create_notifier(const Notifier& notifier) override;
    std::optional<Notifier> update_notifier(std::int64_t id, const std::function<void(Notifier&)>& edit) override;
    bool delete_notifier(std::int64_t id) override;

    std::vector<MaintenanceWindow> list_maintenance() override;
    MaintenanceWindow create_maintenance(const MaintenanceWindow& window) override;
    bool delete_maintenance(std::int64_t id) override;

    ConfigSnapshot read_config() override;
    void write_config(const std::function<std::optional<ConfigWrite>(const ConfigSnapshot&)>& plan) override;

protected:
    SqlStore();

    // Runs `work` in one write transaction (see above), committed when it
    // returns (a return before any write commits nothing), rolled back when
    // it throws.
    virtual void run_write(const std::function<void(sql::Connection&)>& work) = 0;
    // A connection for reads, outside any transaction.
    virtual sql::ConnectionPool::Lease read() = 0;

    // The changes after `seq` (changes_after's contract) read on `c`, in one
    // snapshot; `newest` is set to the newest seq in the log.
    static std::optional<std::vector<Change>> read_changes(sql::Connection& c, std::uint64_t seq, std::size_t limit,
                                                           std::uint64_t& newest);

private:
    template <typename Work>
    auto write(Work&& work) {
        std::optional<decltype(work(std::declval<sql::Connection&>()))> result;
        run_write([&](sql::Connection& c) { result.emplace(work(c)); });
        return std::move(*result);
    }

    std::uint64_t origin_ = 0;
};

}  // namespace gatewatch::store
