#pragma once
// A fresh, empty database on the tests' PostgreSQL (tests/postgres.sh, found
// through GATEWATCH_TEST_POSTGRES) for one test, dropped when it ends. With
// no server configured, `url` is empty: the test skips (the CTest fixture
// always configures one).
#include "store/pg.hpp"

#include <cstdlib>
#include <random>
#include <string>

struct TestDatabase {
    std::string url;

    TestDatabase() {
        const char* server = std::getenv("GATEWATCH_TEST_POSTGRES");
        if (server == nullptr || *server == '\0') return;
        server_ = server;
        name_ = "gwt_" + std::to_string(std::random_device{}()) + std::to_string(std::random_device{}());
        gatewatch::store::pg::Connection admin(server_);
        admin.exec(("CREATE DATABASE " + name_).c_str());
        // The server's URL names the database `postgres`: the same server, this database.
        url = server_;
        const auto at = url.find("/postgres?");
        url.replace(at, 9, "/" + name_);
    }
    ~TestDatabase() {
        if (name_.empty()) return;
        try {
            gatewatch::store::pg::Connection admin(server_);
            admin.exec(("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)").c_str());
        } catch (...) {  // the server is gone: postgres.sh stop removes it all
        }
    }
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

private:
    std::string server_;
    std::string name_;
};
