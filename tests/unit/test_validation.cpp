#include "api/validation.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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

namespace {
using gatewatch::api::schema::Schema;
using gatewatch::api::schema::Type;
const Schema short_text{.type = Type::string, .min_length = 1, .max_length = 10};
const Schema three_chars{.type = Type::string, .min_length = 1, .max_length = 3};
const Schema number{.type = Type::integer};
const Schema small{.type = Type::integer, .minimum = 1, .maximum = 9};
const Schema flag{.type = Type::boolean};
const Schema colour{.type = Type::string, .enumeration = {"red", "green", "blue"}};
const Schema fields{.type = Type::object,
                    .name = "Fields",
                    .properties = {{"name", &short_text, true},
                                   {"missing", &short_text, true},
                                   {"count", &number, true},
                                   {"flag", &flag},
                                   {"a", &three_chars, true},
                                   {"b", &three_chars, true},
                                   {"c", &three_chars, true},
                                   {"i", &number},
                                   {"f", &number},
                                   {"t", &flag},
                                   {"z", &flag},
                                   {"small", &small},
                                   {"colour", &colour}}};
}  // namespace

TEST(JsonBody, InvalidJsonAndNonObjectsAndEmptyBodies) {
    for (const auto& [text, type] : std::vector<std::pair<std::string, std::string>>{
             {"{\"name\": ", "json_invalid"},
             {"[1]", "model_attributes_type"},
             {"", "missing"},
             {"{\"name\": \"\xff\"}", "json_invalid"},  // invalid UTF-8
             {"{} {}", "json_invalid"}}) {                // trailing data
        ValidationErrors errors;
        JsonBody body(text, fields, errors);
        EXPECT_FALSE(body.is_object());
        EXPECT_EQ(detail_of(errors)[0].at("type").as_string(), type) << text;
    }
}

TEST(JsonBody, CollectsEveryFieldErrorWithItsLocation) {
    ValidationErrors errors;
    JsonBody body(R"({"name": 5, "count": "x", "flag": "maybe"})", fields, errors);
    EXPECT_FALSE(body.text("name"));
    EXPECT_FALSE(body.text("missing"));
    EXPECT_FALSE(body.integer("count"));
    EXPECT_FALSE(body.boolean("flag"));
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
    JsonBody body(R"({"a": "ééé", "b": "", "c": "abcd"})", fields, errors);
    EXPECT_EQ(body.text("a"), "ééé");
    EXPECT_FALSE(body.text("b"));
    EXPECT_FALSE(body.text("c"));
    const auto detail = detail_of(errors);
    EXPECT_EQ(detail[0].at("msg"), "String should have at least 1 character");
    EXPECT_EQ(detail[1].at("msg"), "String should have at most 3 characters");
}

TEST(JsonBody, LaxIntegersAndBooleansLikePydantic) {
    ValidationErrors errors;
    JsonBody body(R"({"i": "42", "f": 3.0, "t": "yes", "z": 0})", fields, errors);
    EXPECT_EQ(body.integer("i"), 42);
    EXPECT_EQ(body.integer("f"), 3);
    EXPECT_EQ(body.boolean("t"), true);
    EXPECT_EQ(body.boolean("z"), false);
    EXPECT_TRUE(errors.empty());
}

TEST(JsonBody, RangesAndChoicesComeFromTheSchema) {
    ValidationErrors errors;
    JsonBody body(R"({"small": 10, "colour": "purple"})", fields, errors);
    EXPECT_FALSE(body.integer("small"));
    EXPECT_FALSE(body.choice("colour"));
    const auto detail = detail_of(errors);
    ASSERT_EQ(detail.size(), 2u);
    EXPECT_EQ(detail[0].at("type"), "less_than_equal");
    EXPECT_EQ(detail[0].at("msg"), "Input should be less than or equal to 9");
    EXPECT_EQ(detail[1].at("type"), "literal_error");
    EXPECT_EQ(detail[1].at("msg"), "Input should be 'red', 'green' or 'blue'");

    ValidationErrors fine;
    JsonBody good(R"({"small": 1, "colour": "green"})", fields, fine);
    EXPECT_EQ(good.integer("small"), 1);
    EXPECT_EQ(good.choice("colour"), "green");
    EXPECT_TRUE(fine.empty());
}

TEST(JsonBody, AFieldTheSchemaDoesNotDeclareCannotBeRead) {
    ValidationErrors errors;
    JsonBody body(R"({"secret": "x"})", fields, errors);
    EXPECT_THROW((void)body.raw("secret"), std::logic_error);
    EXPECT_THROW((void)body.text("secret"), std::logic_error);
}
