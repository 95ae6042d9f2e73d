#include "http/host_policy.hpp"
#include "net/client_address.hpp"

#include <gtest/gtest.h>

using namespace gatewatch;

TEST(ClientKey, Ipv4IsOneClientIpv6IsGroupedBySlash64) {
    EXPECT_EQ(net::client_key("127.0.0.9"), "127.0.0.9");
    EXPECT_EQ(net::client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(net::client_key("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
    EXPECT_NE(net::client_key("2001:db8:1:3::1"), net::client_key("2001:db8:1:2::1"));
    EXPECT_EQ(net::client_key("::ffff:127.0.0.9"), "127.0.0.9");  // a mapped IPv4 client is that client
    EXPECT_EQ(net::client_key(""), "");
    EXPECT_EQ(net::client_key("fe80::2%lo"), net::client_key("fe80::3%eth0")) << "scopes name our interfaces";
}

TEST(ClientKey, Loopback) {
    EXPECT_TRUE(net::is_loopback("127.0.0.1"));
    EXPECT_TRUE(net::is_loopback("127.255.0.3"));
    EXPECT_TRUE(net::is_loopback("::1"));
    EXPECT_TRUE(net::is_loopback("::ffff:127.0.0.1"));
    EXPECT_FALSE(net::is_loopback("128.0.0.1"));
    EXPECT_FALSE(net::is_loopback("::2"));
    EXPECT_FALSE(net::is_loopback(""));
    EXPECT_FALSE(net::is_loopback("localhost"));
}

TEST(Cidr, ParsesAndContains) {
    const auto v4 = net::parse_cidr("127.10.0.0/16");
    ASSERT_TRUE(v4);
    EXPECT_TRUE(v4->contains(*net::parse_ip("127.10.200.1")));
    EXPECT_FALSE(v4->contains(*net::parse_ip("127.11.0.1")));
    EXPECT_FALSE(v4->contains(*net::parse_ip("::1")));
    const auto host = net::parse_cidr("::1");
    ASSERT_TRUE(host);
    EXPECT_TRUE(host->contains(*net::parse_ip("::1")));
    EXPECT_FALSE(host->contains(*net::parse_ip("::2")));
    for (const char* bad : {"", "/8", "127.0.0.1/33", "::1/129", "127.0.0.1/", "127.0.0.1/x", "example.com/8", "1.2.3/8"})
        EXPECT_FALSE(net::parse_cidr(bad)) << bad;
    EXPECT_THROW(net::ProxyList({"127.0.0.1/32", "nonsense"}), std::invalid_argument);
}

TEST(ProxyList, HeadersCountOnlyFromATrustedPeer) {
    const net::ProxyList none;
    EXPECT_EQ(none.client_of("127.0.0.5", "", "127.9.9.9"), "127.0.0.5");

    const net::ProxyList proxies({"127.0.0.1/32", "127.0.1.0/24"});
    EXPECT_EQ(proxies.client_of("127.0.0.5", "", "127.9.9.9"), "127.0.0.5") << "an untrusted peer's header is ignored";
    EXPECT_EQ(proxies.client_of("127.0.0.1", "", "127.9.9.9"), "127.9.9.9");
    // A client may send its own X-Forwarded-For: only what trusted hops appended counts.
    EXPECT_EQ(proxies.client_of("127.0.0.1", "", "127.6.6.6, 127.9.9.9, 127.0.1.7"), "127.9.9.9");
    EXPECT_EQ(proxies.client_of("127.0.0.1", "", ""), "127.0.0.1");
    EXPECT_EQ(proxies.client_of("127.0.0.1", "", "garbage"), "127.0.0.1");
    EXPECT_EQ(proxies.client_of("127.0.0.1", R"(for=127.6.6.6, for="[2001:db8::7]:4711";proto=https)", ""),
              "2001:db8::7");
    EXPECT_EQ(proxies.client_of("127.0.0.1", "for=127.6.6.6", "127.9.9.9"), "127.9.9.9")
        << "a client's own Forwarded does not beat the proxy's X-Forwarded-For";
    EXPECT_EQ(proxies.client_of("127.0.0.1", "", "127.9.9.9:5000"), "127.9.9.9");
}

TEST(HostPolicy, DefaultsAreOurOwnNamesWithOurPort) {
    const http::HostPolicy policy("127.0.0.1", 8000, {});
    for (const char* ok : {"127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"})
        EXPECT_TRUE(policy.allows(ok)) << ok;
    for (const char* bad : {"evil.example:8000", "evil.example", "localhost:8001", "localhost", "127.0.0.2:8000", "",
                            "localhost:8000.evil", "[::1", "localhost:80000", "127.0.0.1:8000 evil"})
        EXPECT_FALSE(policy.allows(bad)) << bad;
}

TEST(HostPolicy, Port80MayBeLeftOut) {
    const http::HostPolicy policy("127.0.0.1", 80, {});
    EXPECT_TRUE(policy.allows("localhost"));
    EXPECT_TRUE(policy.allows("localhost:80"));
}

TEST(HostPolicy, EveryAddressAllowsIpLiteralsButNoNames) {
    const http::HostPolicy policy("0.0.0.0", 8000, {});
    EXPECT_TRUE(policy.allows("127.8.8.8:8000"));
    EXPECT_TRUE(policy.allows("[2001:db8::1]:8000"));
    EXPECT_FALSE(policy.allows("evil.example:8000"));
    const http::HostPolicy v6("::", 8000, {});
    EXPECT_TRUE(v6.allows("127.8.8.8:8000"));
}

TEST(HostPolicy, ConfiguredNames) {
    const http::HostPolicy policy("127.0.0.1", 8000, http::parse_allowed_hosts("Monitor.Example, ops.example:8443"));
    EXPECT_TRUE(policy.allows("monitor.example"));
    EXPECT_TRUE(policy.allows("monitor.example:443"));
    EXPECT_TRUE(policy.allows("ops.example:8443"));
    EXPECT_FALSE(policy.allows("ops.example:8000"));
    EXPECT_FALSE(policy.allows("other.example"));
    EXPECT_TRUE(http::HostPolicy("127.0.0.1", 8000, http::parse_allowed_hosts("*")).allows("anything.example"));
    EXPECT_THROW(http::parse_allowed_hosts("good.example, bad/path"), std::invalid_argument);
    EXPECT_THROW(http::parse_allowed_hosts("host:port"), std::invalid_argument);
}
