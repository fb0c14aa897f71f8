#include "format_limits.h"

#include <gtest/gtest.h>

namespace capconf::schema::internal {
namespace {

TEST(FormatLimitsTest, DatesCompareAsStringsEvenWhenMalformed) {
  auto compare = FindFormatCompare("date");
  ASSERT_NE(compare, nullptr);
  EXPECT_EQ(compare("2024-01-02", "2024-01-01"), 1);
  EXPECT_EQ(compare("2024-01-01", "2024-01-01"), 0);
  EXPECT_EQ(compare("2023-12-31", "2024-01-01"), -1);
  EXPECT_EQ(compare("bad", "2025-01-01"), 1);  // ajv-formats 2.1.1 does not validate first
  EXPECT_EQ(compare("", "2025-01-01"), std::nullopt);
}

TEST(FormatLimitsTest, TimesIgnoreTheirZoneAndKeepTheFraction) {
  auto compare = FindFormatCompare("time");
  ASSERT_NE(compare, nullptr);
  EXPECT_EQ(compare("12:00:01Z", "12:00:00"), 1);
  EXPECT_EQ(compare("12:00:00+05:00", "12:00:00Z"), 0);
  EXPECT_EQ(compare("12:00:00.5", "12:00:00.25"), 1);
  EXPECT_EQ(compare("12:00", "12:00:00"), std::nullopt);
  EXPECT_EQ(compare("12:00:00+5", "12:00:00"), std::nullopt);
}

TEST(FormatLimitsTest, DateTimesCompareDateThenTime) {
  auto compare = FindFormatCompare("date-time");
  ASSERT_NE(compare, nullptr);
  EXPECT_EQ(compare("2024-01-01T10:00:00Z", "2024-01-01T09:00:00Z"), 1);
  EXPECT_EQ(compare("2024-01-01t10:00:00Z", "2024-01-02 09:00:00Z"), -1);
  EXPECT_EQ(compare("2024-01-01", "2024-01-01T09:00:00Z"), std::nullopt);
}

TEST(FormatLimitsTest, OtherFormatsHaveNoOrder) {
  EXPECT_EQ(FindFormatCompare("email"), nullptr);
  EXPECT_EQ(FindFormatCompare("uri"), nullptr);
}

}  // namespace
}  // namespace capconf::schema::internal
