#include "api/validation.hpp"

#include <gtest/gtest.h>

using namespace gatewatch::api;
namespace json = boost::json;

TEST(CanonicalIp, Ipv4IsKeptAndBadOctetsRefused) {
    EXPECT_EQ(canonical_ip("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(canonical_ip("255.255.255.255"), "255.255.255.255");
    for (const char* bad : {"256.0.0.1", "1.2.3", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4.5", "", "localhost",
                            "1.2.3.4/24", "0x7f.0.0.1"}) {
        EXPECT_EQ(canonical_ip(bad), std::nullopt) << bad;
    }
}

TEST(CanonicalIp, Ipv6IsCanonicalRfc5952) {
    EXPECT_EQ(canonical_ip("::1"), "::1");
    EXPECT_EQ(canonical_ip("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
    EXPECT_EQ(canonical_ip("2001:0db8:0000:0000:0001:0000:0000:0001"), "2001:db8::1:0:0:1");
    EXPECT_EQ(canonical_ip("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // one zero field is not compressed
    EXPECT_EQ(canonical_ip("fe80::1%eth0"), std::nullopt);
    EXPECT_EQ(canonical_ip("2001:db8:::1"), std::nullopt);
    EXPECT_EQ(canonical_ip(std::string("::1\0x", 5)), std::nullopt);
}

TEST(Username, AlphabetAndLength) {
    EXPECT_TRUE(is_valid_username("abc"));
    EXPECT_TRUE(is_valid_username("A.b_c-9"));
    EXPECT_TRUE(is_valid_username(std::string(32, 'a')));
    EXPECT_FALSE(is_valid_username("ab"));
    EXPECT_FALSE(is_valid_username(std::string(33, 'a')));
    EXPECT_FALSE(is_valid_username("with space"));
    EXPECT_FALSE(is_valid_username("ünï"));
}

TEST(Characters, CountsCodePointsNotBytes) {
    EXPECT_EQ(count_characters("abc"), 3u);
    EXPECT_EQ(count_characters("ééé"), 3u);
    EXPECT_EQ(count_characters("日本"), 2u);
}

TEST(PositiveId, OnlyPositive64BitDecimal) {
    EXPECT_EQ(parse_positive_id("1"), 1);
    EXPECT_EQ(parse_positive_id("9223372036854775807"), INT64_MAX);
    for (const char* bad : {"0", "-1", "9223372036854775808", "abc", "1a", "", " 1", "+1", "1.0"}) {
        EXPECT_EQ(parse_positive_id(bad), std::nullopt) << bad;
    }
}

namespace {
json::array detail_of(const ValidationErrors& errors) {
    return json::parse(errors.response().body).as_object().at("detail").as_array();
}
}  // namespace

TEST(JsonBody, InvalidJsonAndNonObjectsAndEmptyBodies) {
    {
        ValidationErrors errors;
        JsonBody body("{\"name\": ", errors);
        EXPECT_FALSE(body.is_object());
        EXPECT_EQ(detail_of(errors)[0].at("type"), "json_invalid");
    }
    {
        ValidationErrors errors;
        JsonBody body("[1]", errors);
        EXPECT_EQ(detail_of(errors)[0].at("type"), "model_attributes_type");
    }
    {
        ValidationErrors errors;
        JsonBody body("", errors);
        EXPECT_EQ(detail_of(errors)[0].at("type"), "missing");
    }
    {
        ValidationErrors errors;
        JsonBody body("{\"name\": \"\xff\"}", errors);  // invalid UTF-8
        EXPECT_EQ(detail_of(errors)[0].at("type"), "json_invalid");
    }
    {
        ValidationErrors errors;
        JsonBody body("{} {}", errors);  // trailing data
        EXPECT_EQ(detail_of(errors)[0].at("type"), "json_invalid");
    }
}

TEST(JsonBody, CollectsEveryFieldErrorWithItsLocation) {
    ValidationErrors errors;
    JsonBody body(R"({"name": 5, "count": "x", "flag": "maybe"})", errors);
    EXPECT_FALSE(body.text("name", true, 1, 10));
    EXPECT_FALSE(body.text("missing", true, 1, 10));
    EXPECT_FALSE(body.integer("count", true));
    EXPECT_FALSE(body.boolean("flag", false));
    const auto detail = detail_of(errors);
    ASSERT_EQ(detail.size(), 4u);
    EXPECT_EQ(detail[0].at("type"), "string_type");
    EXPECT_EQ(detail[0].at("loc"), (json::array{"body", "name"}));
    EXPECT_EQ(detail[1].at("type"), "missing");
    EXPECT_EQ(detail[1].at("msg"), "Field required");
    EXPECT_EQ(detail[2].at("type"), "int_parsing");
    EXPECT_EQ(detail[3].at("type"), "bool_parsing");
}

TEST(JsonBody, LengthsAreInCharacters) {
    ValidationErrors errors;
    JsonBody body(R"({"a": "ééé", "b": "", "c": "abcd"})", errors);
    EXPECT_EQ(body.text("a", true, 1, 3), "ééé");
    EXPECT_FALSE(body.text("b", true, 1, 3));
    EXPECT_FALSE(body.text("c", true, 1, 3));
    const auto detail = detail_of(errors);
    EXPECT_EQ(detail[0].at("msg"), "String should have at least 1 character");
    EXPECT_EQ(detail[1].at("msg"), "String should have at most 3 characters");
}

TEST(JsonBody, LaxIntegersAndBooleansLikePydantic) {
    ValidationErrors errors;
    JsonBody body(R"({"i": "42", "f": 3.0, "t": "yes", "z": 0})", errors);
    EXPECT_EQ(body.integer("i", true), 42);
    EXPECT_EQ(body.integer("f", true), 3);
    EXPECT_EQ(body.boolean("t", true), true);
    EXPECT_EQ(body.boolean("z", true), false);
    EXPECT_TRUE(errors.empty());
}
