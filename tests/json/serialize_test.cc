// Serialize writes what JavaScript's JSON.stringify writes (the expected texts are node's).

#include "capconf/json/serialize.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <limits>

#include "capconf/json/parse.h"

namespace capconf::json {
namespace {
namespace bj = boost::json;

TEST(SerializeTest, WritesNumbersAsJavaScriptDoes) {
  struct Case {
    double value;
    const char* text;
  };
  for (const Case& c :
       {Case{0.7, "0.7"}, Case{1.0, "1"}, Case{100.0, "100"}, Case{-0.0, "0"},
        Case{0.1 + 0.2, "0.30000000000000004"}, Case{1e21, "1e+21"},
        Case{1e20, "100000000000000000000"}, Case{123456789012345680000.0, "123456789012345680000"},
        Case{0.000001, "0.000001"}, Case{1e-7, "1e-7"}, Case{1.5e-7, "1.5e-7"},
        Case{-2.5e-10, "-2.5e-10"}, Case{1e300, "1e+300"},
        Case{1.7976931348623157e308, "1.7976931348623157e+308"}, Case{5e-324, "5e-324"},
        Case{123.456, "123.456"}, Case{-42.0, "-42"}, Case{2.5e21, "2.5e+21"}, Case{0.5, "0.5"}}) {
    EXPECT_EQ(Serialize(bj::value(c.value)), c.text) << c.value;
  }
  EXPECT_EQ(Serialize(bj::value(std::numeric_limits<std::int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(Serialize(bj::value(std::numeric_limits<std::uint64_t>::max())),
            "18446744073709551615");
  EXPECT_EQ(Serialize(bj::value(std::nan(""))), "null");
}

TEST(SerializeTest, EscapesOnlyWhatJsonRequires) {
  EXPECT_EQ(Serialize(bj::value("a\"b\\c\n\t\r\b\f\x01\x1f é ✓ 😀 \xe2\x80\xa8")),
            "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f é ✓ 😀 \xe2\x80\xa8\"");
  EXPECT_EQ(Serialize(bj::value(std::string("nul\0x", 5))), "\"nul\\u0000x\"");
}

TEST(SerializeTest, WritesStructuresWithoutWhitespaceAndRoundTrips) {
  const char* text = R"({"a":[1,2.5,"x",null,true,false,{}],"b":{"c":[]},"k\"ey":-0.125})";
  auto parsed = Parse(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Serialize(*parsed), text);
  for (double d : {0.1, 1.0 / 3, 6.02214076e23, 1e-300, 9007199254740993.0}) {
    auto again = Parse(Serialize(bj::value(d)));
    ASSERT_TRUE(again.ok());
    double back = again->is_double() ? again->get_double() : static_cast<double>(again->as_int64());
    EXPECT_EQ(back, d);
  }
}

}  // namespace
}  // namespace capconf::json
