// The CSV reader of POST /devices/bulk.
#include "api/csv.hpp"

#include <gtest/gtest.h>

using gatewatch::api::CsvError;
using gatewatch::api::CsvTable;
using gatewatch::api::parse_csv;

TEST(Csv, QuotesCommasLineBreaksAndBlankLines) {
    const auto parsed = parse_csv("\xEF\xBB\xBFname,ip\r\n\"a, \"\"b\"\"\",1\r\n\r\n\"two\nlines\",2\nlast,3");
    ASSERT_TRUE(std::holds_alternative<CsvTable>(parsed));
    const auto& t = std::get<CsvTable>(parsed);
    ASSERT_EQ(t.records.size(), 4u);
    EXPECT_EQ(t.records[0], (std::vector<std::string>{"name", "ip"}));
    EXPECT_EQ(t.records[1], (std::vector<std::string>{"a, \"b\"", "1"}));
    EXPECT_EQ(t.records[2], (std::vector<std::string>{"two\nlines", "2"}));
    EXPECT_EQ(t.records[3], (std::vector<std::string>{"last", "3"}));
    EXPECT_EQ(t.lines[2], 4u);
    EXPECT_EQ(t.lines[3], 6u);
}

TEST(Csv, EmptyFieldsAndTrailingComma) {
    const auto t = std::get<CsvTable>(parse_csv("a,,c,\n\"\",x\n"));
    EXPECT_EQ(t.records[0], (std::vector<std::string>{"a", "", "c", ""}));
    EXPECT_EQ(t.records[1], (std::vector<std::string>{"", "x"}));
}

TEST(Csv, BrokenQuotesAreErrorsWithTheirLine) {
    const auto open = parse_csv("a,b\n\"never closed,1\n");
    ASSERT_TRUE(std::holds_alternative<CsvError>(open));
    EXPECT_EQ(std::get<CsvError>(open).line, 2u);
    EXPECT_TRUE(std::holds_alternative<CsvError>(parse_csv("\"x\"y,1\n")));
}
