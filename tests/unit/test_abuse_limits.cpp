// Connection caps and the CORS policy.
#include "http/connection_limits.hpp"
#include "http/cors.hpp"

#include <gtest/gtest.h>

#include <vector>

using gatewatch::http::ConnectionCaps;
using gatewatch::http::ConnectionLimits;
using gatewatch::http::CorsPolicy;
using gatewatch::http::parse_origins;

TEST(ConnectionLimits, CapsEachAddressAndReleasesWithTheSlot) {
    ConnectionLimits limits(ConnectionCaps{10, 2, 10, 10});
    auto a = limits.admit_connection("127.0.0.1");
    auto b = limits.admit_connection("127.0.0.1");
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(limits.admit_connection("127.0.0.1"));
    EXPECT_TRUE(limits.admit_connection("127.0.0.2"));  // another address is not affected (and its slot ends here)
    a.reset();
    EXPECT_TRUE(limits.admit_connection("127.0.0.1"));
    EXPECT_EQ(limits.connections(), 1u);  // b; the others went with their slots
}

TEST(ConnectionLimits, CapsTheTotal) {
    ConnectionLimits limits(ConnectionCaps{3, 3, 10, 10});
    std::vector<ConnectionLimits::Slot> held;
    for (const char* address : {"127.0.0.1", "127.0.0.2", "127.0.0.3"}) held.push_back(*limits.admit_connection(address));
    EXPECT_FALSE(limits.admit_connection("127.0.0.4"));
    held.pop_back();
    EXPECT_TRUE(limits.admit_connection("127.0.0.4"));
}

TEST(ConnectionLimits, WebSocketsHaveCapsOfTheirOwn) {
    ConnectionLimits limits(ConnectionCaps{100, 100, 2, 1});
    auto first = limits.admit_websocket("127.0.0.1");
    ASSERT_TRUE(first);
    EXPECT_FALSE(limits.admit_websocket("127.0.0.1"));
    auto second = limits.admit_websocket("127.0.0.2");
    ASSERT_TRUE(second);
    EXPECT_FALSE(limits.admit_websocket("127.0.0.3"));  // the total
    EXPECT_TRUE(limits.admit_connection("127.0.0.3"));  // plain connections are counted apart
    EXPECT_EQ(limits.websockets(), 2u);
}

TEST(Cors, NoneUnlessListed) {
    const CorsPolicy none;
    EXPECT_TRUE(none.response_headers("https://evil.example").empty());
    EXPECT_FALSE(none.preflight("OPTIONS", "https://evil.example", "DELETE"));

    const CorsPolicy listed({"https://ops.example"});
    EXPECT_TRUE(listed.response_headers("https://evil.example").empty());
    EXPECT_TRUE(listed.response_headers("https://ops.example.evil").empty());
    EXPECT_TRUE(listed.response_headers("").empty());
    const auto headers = listed.response_headers("https://ops.example");
    ASSERT_EQ(headers.size(), 2u);
    EXPECT_EQ(headers[0].second, "https://ops.example");
    EXPECT_EQ(headers[1].second, "Origin");
}

TEST(Cors, PreflightOnlyForAListedOriginThatAsks) {
    const CorsPolicy listed({"https://ops.example"});
    const auto answer = listed.preflight("OPTIONS", "https://ops.example", "PUT");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 204u);
    bool methods = false;
    for (const auto& [name, value] : answer->headers) methods |= name == "Access-Control-Allow-Methods" && value.find("PUT") != std::string::npos;
    EXPECT_TRUE(methods);
    EXPECT_FALSE(listed.preflight("OPTIONS", "https://ops.example", ""));  // not a preflight
    EXPECT_FALSE(listed.preflight("GET", "https://ops.example", "PUT"));
}

TEST(Cors, WebSocketsFromOtherSitesAreRefused) {
    const CorsPolicy listed({"https://ops.example"});
    EXPECT_TRUE(listed.allows_socket("", "gw:8000"));  // not a browser page
    EXPECT_TRUE(listed.allows_socket("http://gw:8000", "gw:8000"));
    EXPECT_TRUE(listed.allows_socket("https://ops.example", "gw:8000"));
    EXPECT_FALSE(listed.allows_socket("http://evil.example", "gw:8000"));
    EXPECT_FALSE(listed.allows_socket("http://gw:8000.evil.example", "gw:8000"));
}

TEST(Cors, OriginListsAreParsedStrictly) {
    EXPECT_EQ(parse_origins(" https://a.example, http://b.example:8080 ,"),
              (std::vector<std::string>{"https://a.example", "http://b.example:8080"}));
    EXPECT_TRUE(parse_origins("").empty());
    EXPECT_THROW(parse_origins("*"), std::invalid_argument);
    EXPECT_THROW(parse_origins("a.example"), std::invalid_argument);
    EXPECT_THROW(parse_origins("https://a.example/path"), std::invalid_argument);
    EXPECT_THROW(parse_origins("ftp://a.example"), std::invalid_argument);
}
