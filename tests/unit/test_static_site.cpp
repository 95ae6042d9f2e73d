// The dashboard's files: what is served, with which type and caching.
#include "temp_dir.hpp"
#include "web/static_site.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace fs = std::filesystem;
using gatewatch::web::StaticSite;

namespace {
void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}
}  // namespace

TEST(StaticSite, AFolderWithoutIndexIsRefused) {
    TempDir dir;
    write(dir.path / "app.js", "x");
    EXPECT_THROW(StaticSite::load(dir.path), std::runtime_error);
    EXPECT_THROW(StaticSite::load(dir.path / "missing"), std::runtime_error);
}

TEST(StaticSite, ServesItsFilesWithTypesAndCaching) {
    TempDir dir;
    write(dir.path / "index.html", "<!doctype html>");
    write(dir.path / "assets/index-AbC123.js", "js");
    write(dir.path / "assets/index-AbC123.css", "css");
    write(dir.path / "favicon.svg", "<svg/>");
    const auto site = StaticSite::load(dir.path);

    const auto* index = site.find("/");
    ASSERT_NE(index, nullptr);
    EXPECT_EQ(index->body, "<!doctype html>");
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(index->cache_control, "no-cache");
    EXPECT_TRUE(index->is_page);
    EXPECT_EQ(site.find("/index.html"), index);

    const auto* script = site.find("/assets/index-AbC123.js");
    ASSERT_NE(script, nullptr);
    EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(script->cache_control, "public, max-age=31536000, immutable");
    EXPECT_FALSE(script->is_page);
    EXPECT_EQ(site.find("/assets/index-AbC123.css")->content_type, "text/css; charset=utf-8");
    EXPECT_EQ(site.find("/favicon.svg")->cache_control, "no-cache");
}

TEST(StaticSite, NothingButTheFolderItsOwnRegularFiles) {
    TempDir dir;
    TempDir outside;
    write(dir.path / "index.html", "page");
    write(outside.path / "secret", "do not serve");
    fs::create_symlink(outside.path / "secret", dir.path / "secret");
    fs::create_directory_symlink(outside.path, dir.path / "linked");
    const auto site = StaticSite::load(dir.path);
    EXPECT_EQ(site.find("/secret"), nullptr);
    EXPECT_EQ(site.find("/linked/secret"), nullptr);
    EXPECT_EQ(site.find("/../secret"), nullptr);
    EXPECT_EQ(site.find("/assets"), nullptr);
    EXPECT_EQ(site.find(""), nullptr);
    EXPECT_EQ(site.size(), 1u);
}

TEST(StaticSite, UnknownExtensionsAreOpaqueBytes) {
    EXPECT_EQ(gatewatch::web::content_type_for("blob.bin"), "application/octet-stream");
    EXPECT_EQ(gatewatch::web::content_type_for("x.woff2"), "font/woff2");
}
