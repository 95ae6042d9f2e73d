#pragma once
// A fresh directory under /tmp for one test, removed with everything in it
// when the test ends. Declare it before what lives in it (a store), so that
// is destroyed first.
#include <cstdlib>
#include <filesystem>

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/gw-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};
