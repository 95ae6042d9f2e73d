#include "config/config.hpp"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace gatewatch::config;

namespace {
// Parses `args` as `gatewatch serve` would, with the given environment.
Settings parse(std::vector<std::string> args, const std::vector<std::pair<const char*, const char*>>& env = {}) {
    for (auto [k, v] : env) setenv(k, v, 1);
    CLI::App app;
    Overrides overrides;
    add_server_options(app, overrides);
    std::vector<const char*> argv{"serve"};
    for (auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    for (auto [k, v] : env) unsetenv(k);
    return resolve(overrides);
}

std::string write_config(const std::string& text) {
    char tmpl[] = "/tmp/gw-config-XXXXXX";
    const int fd = mkstemp(tmpl);
    close(fd);
    std::ofstream(tmpl) << text;
    return tmpl;
}
}  // namespace

TEST(Config, Defaults) {
    const auto s = parse({});
    EXPECT_EQ(s.host, "127.0.0.1");
    EXPECT_EQ(s.port, 8000);
    EXPECT_EQ(s.data_dir, "data");
    EXPECT_EQ(s.token_lifetime, std::chrono::minutes(30));
    EXPECT_TRUE(s.registration_open);
    EXPECT_FALSE(s.secret_key);
}

TEST(Config, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
    const auto file = write_config("port = 9001\ntoken_minutes = 5\nhost = \"127.0.0.2\"\n");
    auto s = parse({"--config", file});
    EXPECT_EQ(s.port, 9001);
    EXPECT_EQ(s.host, "127.0.0.2");
    s = parse({"--config", file}, {{"GATEWATCH_PORT", "9002"}});
    EXPECT_EQ(s.port, 9002);
    EXPECT_EQ(s.token_lifetime, std::chrono::minutes(5));
    s = parse({"--config", file, "--port", "9003"}, {{"GATEWATCH_PORT", "9002"}});
    EXPECT_EQ(s.port, 9003);
    s = parse({}, {{"GATEWATCH_CONFIG", file.c_str()}, {"GATEWATCH_REGISTRATION_OPEN", "false"}});
    EXPECT_EQ(s.port, 9001);
    EXPECT_FALSE(s.registration_open);
    std::remove(file.c_str());
}

TEST(Config, BadValuesAreFatalWithTheSettingNamed) {
    const auto unknown = write_config("prot = 1\n");
    try {
        parse({"--config", unknown});
        FAIL() << "an unknown key was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("prot"), std::string::npos);
    }
    const auto wrong_type = write_config("port = \"eighty\"\n");
    EXPECT_THROW(parse({"--config", wrong_type}), ConfigError);
    const auto broken = write_config("port = \n");
    EXPECT_THROW(parse({"--config", broken}), ConfigError);
    EXPECT_THROW(parse({"--token-minutes", "0"}), ConfigError);
    EXPECT_THROW(parse({"--log-level", "loud"}), ConfigError);
    EXPECT_THROW(parse({"--config", "/nonexistent/gatewatch.toml"}), ConfigError);
    for (const auto& f : {unknown, wrong_type, broken}) std::remove(f.c_str());
}
