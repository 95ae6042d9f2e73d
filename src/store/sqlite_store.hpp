#pragma once
// The embedded store: one SQLite file in WAL mode.
//
// Readers take a connection from a pool, so many reads run at once; writes
// share one writer connection behind a mutex (SQLite admits one writer at a
// time anyway) and open with BEGIN IMMEDIATE. Other processes (the admin
// command line) may write to the same file at the same time: they wait on
// SQLite's busy timeout. Migrations run in the constructor.
#include "store/sqlite.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace gatewatch::store {

class SqliteStore final : public Store {
public:
    explicit SqliteStore(std::filesystem::path file);
    ~SqliteStore() override;

    // The schema version this build migrates to.
    static int schema_version();

    [[nodiscard]] std::uint64_t origin() const override { return origin_; }
    std::optional<std::vector<Change>> changes_after(std::uint64_t seq, std::size_t limit) override;
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

private:
    // Runs `work` on the writer connection in one BEGIN IMMEDIATE transaction,
    // committed when it returns (a return before any write commits nothing),
    // rolled back when it throws.
    template <typename Work>
    auto write(Work&& work);

    static std::optional<std::int64_t> user_id(sqlite::Connection& c, const std::string& username);

    sqlite::ConnectionPool::Lease read();

    std::filesystem::path file_;
    std::mutex writer_mutex_;
    std::unique_ptr<sqlite::Connection> writer_;
    std::uint64_t origin_ = 0;
    // The change feed's reader. It never writes, so its PRAGMA data_version
    // moves with every commit by any other connection, ours and other
    // processes' alike: while it stands still, changes_after() reads nothing.
    std::mutex feed_mutex_;
    std::unique_ptr<sqlite::Connection> feed_reader_;
    std::optional<std::uint64_t> feed_version_;
    std::uint64_t feed_seen_ = 0;
    sqlite::ConnectionPool readers_;
};

}  // namespace gatewatch::store
