#pragma once
// A fresh history store of one backend, for the tests that run on each:
// "sqlite" (a file in a temporary directory) or "postgresql" (a database on
// the tests' server, test_database.hpp). `skipped()`: no server configured.
#include "store/pg_history.hpp"
#include "store/sqlite_history.hpp"
#include "temp_dir.hpp"
#include "test_database.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

struct TestHistoryStore {
    TempDir dir;
    std::optional<TestDatabase> database;
    std::unique_ptr<gatewatch::store::HistoryStore> store;

    explicit TestHistoryStore(const std::string& backend) {
        if (backend == "postgresql") {
            database.emplace();
            if (database->url.empty()) return;
            store = std::make_unique<gatewatch::store::PgHistory>(database->url);
        } else {
            store = std::make_unique<gatewatch::store::SqliteHistory>(dir.path / "history.db");
        }
    }
    [[nodiscard]] bool skipped() const { return store == nullptr; }
};

inline const auto k_history_backends = ::testing::Values(std::string("sqlite"), std::string("postgresql"));
