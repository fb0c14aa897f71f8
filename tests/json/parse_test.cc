#include "capconf/json/parse.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "capconf/json/equal.h"

namespace capconf::json {
namespace {

namespace bj = boost::json;

// `depth` nested arrays around a 1: Nested(2) is "[[1]]".
std::string Nested(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

// Expects `text` to be refused with `code` and exactly `message`.
void ExpectError(std::string_view text, StatusCode code, std::string_view message,
                 const ParseLimits& limits = {}) {
  const Result<bj::value> result = Parse(text, limits);
  ASSERT_FALSE(result.ok()) << "parsed: " << text;
  EXPECT_EQ(result.status().code(), code) << result.status().ToString();
  EXPECT_EQ(result.status().message(), message);
}

TEST(ParseTest, ParsesEveryKindOfValue) {
  const Result<bj::value> result =
      Parse(R"({"s":"x","i":-3,"u":18446744073709551615,"d":1.5,"b":true,"n":null,"a":[],"o":{}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const bj::object& o = result->as_object();
  EXPECT_EQ(o.at("s").as_string(), "x");
  EXPECT_EQ(o.at("i").as_int64(), -3);
  EXPECT_EQ(o.at("u").as_uint64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(o.at("d").as_double(), 1.5);
  EXPECT_TRUE(o.at("b").as_bool());
  EXPECT_TRUE(o.at("n").is_null());
  EXPECT_TRUE(o.at("a").as_array().empty());
  EXPECT_TRUE(o.at("o").as_object().empty());
}

TEST(ParseTest, AcceptsScalarsAndSurroundingWhitespace) {
  const Result<bj::value> number = Parse(" \t\r\n 42 \n");
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number->as_int64(), 42);
  const Result<bj::value> string = Parse(R"("a\u00e9\ud83d\ude00")");
  ASSERT_TRUE(string.ok());
  EXPECT_EQ(string->as_string(), "a\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(ParseTest, DuplicateKeysKeepTheLastValue) {
  const Result<bj::value> result = Parse(R"({"a":1,"b":2,"a":3})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->as_object().size(), 2u);
  EXPECT_EQ(result->as_object().at("a").as_int64(), 3);
}

TEST(ParseTest, NumbersTakeTheNarrowestExactKind) {
  const Result<bj::value> result = Parse(
      "[9223372036854775807, -9223372036854775808, 9223372036854775808, "
      "18446744073709551616, -9223372036854775809, 1.0, -0, -0.0, 1e2, 1e-400]");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const bj::array& a = result->as_array();
  EXPECT_EQ(a[0].as_int64(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(a[1].as_int64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(a[2].as_uint64(), 9223372036854775808ULL);
  EXPECT_EQ(a[3].as_double(), 18446744073709551616.0);
  EXPECT_EQ(a[4].as_double(), -9223372036854775808.0);
  EXPECT_TRUE(a[5].is_double());
  EXPECT_EQ(a[6].as_int64(), 0);  // "-0" is an integer zero
  ASSERT_TRUE(a[7].is_double());
  EXPECT_TRUE(std::signbit(a[7].as_double()));
  EXPECT_EQ(a[8].as_double(), 100.0);
  EXPECT_EQ(a[9].as_double(), 0.0);  // underflow rounds to zero, which is still a number
}

TEST(ParseTest, HugeIntegersBecomeDoubles) {
  const Result<bj::value> result = Parse("123456789012345678901234567890");
  ASSERT_TRUE(result.ok());
  EXPECT_DOUBLE_EQ(result->as_double(), 1.2345678901234568e29);
}

TEST(ParseTest, RejectsNumbersThatOverflowADouble) {
  ExpectError("[1, 1e400]", StatusCode::kInvalidArgument,
              "line 1, column 5: number out of range: its magnitude overflows a double");
  ExpectError("-1e309", StatusCode::kInvalidArgument,
              "line 1, column 1: number out of range: its magnitude overflows a double");
}

TEST(ParseTest, DepthExactlyAtTheLimitParses) {
  ParseLimits limits;
  limits.max_depth = 5;
  EXPECT_TRUE(Parse(Nested(5), limits).ok());
  EXPECT_TRUE(Parse(R"({"a":{"b":{"c":{"d":{"e":1}}}}})", limits).ok());
}

TEST(ParseTest, DepthOneOverTheLimitIsResourceExhaustedAndNamesTheLimit) {
  ParseLimits limits;
  limits.max_depth = 5;
  // The sixth '[' is the first one too deep: column 6.
  ExpectError(Nested(6), StatusCode::kResourceExhausted,
              "line 1, column 6: arrays and objects nest deeper than the limit of 5", limits);
  ExpectError(R"({"a":{"b":{"c":{"d":{"e":{}}}}}})", StatusCode::kResourceExhausted,
              "line 1, column 26: arrays and objects nest deeper than the limit of 5", limits);
}

TEST(ParseTest, DefaultDepthLimitIs64) {
  EXPECT_TRUE(Parse(Nested(64)).ok());
  const Result<bj::value> result = Parse(Nested(65));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(result.status().message().find("limit of 64"), std::string::npos);
}

TEST(ParseTest, DepthZeroAllowsOnlyScalars) {
  ParseLimits limits;
  limits.max_depth = 0;
  EXPECT_TRUE(Parse("\"scalar\"", limits).ok());
  ExpectError("[]", StatusCode::kResourceExhausted,
              "line 1, column 1: arrays and objects nest deeper than the limit of 0", limits);
}

TEST(ParseTest, VeryDeepInputFailsCleanly) {
  // A hostile input far deeper than the limit must neither crash nor build anything.
  const std::string deep(1'000'000, '[');
  const Result<bj::value> result = Parse(deep);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
}

TEST(ParseTest, SizeExactlyAtTheLimitParses) {
  ParseLimits limits;
  limits.max_bytes = 7;
  EXPECT_TRUE(Parse("[1,2,3]", limits).ok());
}

TEST(ParseTest, SizeOverTheLimitIsResourceExhaustedAndNamesTheLimit) {
  ParseLimits limits;
  limits.max_bytes = 7;
  // The position is the first byte past the limit.
  ExpectError("[1,\n2,3 ]", StatusCode::kResourceExhausted,
              "line 2, column 4: the text is 9 bytes, over the limit of 7 bytes", limits);
}

TEST(ParseTest, ErrorPositionsCountLinesAndByteColumns) {
  ExpectError("{\n  \"a\": 1,\n  \"b\": x\n}", StatusCode::kInvalidArgument,
              "line 3, column 8: unexpected character 'x'");
  // CRLF line ends: the '\r' belongs to the previous line, so columns restart after '\n'.
  ExpectError("[1,\r\n2,\r\n ?]", StatusCode::kInvalidArgument,
              "line 3, column 2: unexpected character '?'");
  // Columns count bytes: "é" is two bytes, so the '?' after it is column 9, not 8.
  ExpectError("[\"\xC3\xA9\",  ?]", StatusCode::kInvalidArgument,
              "line 1, column 9: unexpected character '?'");
}

TEST(ParseTest, RejectsTrailingGarbage) {
  ExpectError("{\"a\":1} x", StatusCode::kInvalidArgument,
              "line 1, column 9: unexpected data after the JSON value");
  ExpectError("1 2", StatusCode::kInvalidArgument,
              "line 1, column 3: unexpected data after the JSON value");
  ExpectError("[]\n\n]", StatusCode::kInvalidArgument,
              "line 3, column 1: unexpected data after the JSON value");
}

TEST(ParseTest, RejectsLeadingZeros) {
  ExpectError("01", StatusCode::kInvalidArgument,
              "line 1, column 2: numbers must not have leading zeros");
  ExpectError("[01]", StatusCode::kInvalidArgument, "line 1, column 3: unexpected character '1'");
}

TEST(ParseTest, RejectsComments) {
  ExpectError("// note\n{}", StatusCode::kInvalidArgument,
              "line 1, column 1: unexpected character '/' (comments are not allowed)");
  ExpectError("[1, /* two */ 2]", StatusCode::kInvalidArgument,
              "line 1, column 5: unexpected character '/' (comments are not allowed)");
}

TEST(ParseTest, RejectsTrailingCommas) {
  ExpectError("[1,2,]", StatusCode::kInvalidArgument,
              "line 1, column 6: unexpected ']' after ',' (trailing commas are not allowed)");
  ExpectError("{\"a\":1,\n}", StatusCode::kInvalidArgument,
              "line 2, column 1: unexpected '}' after ',' (trailing commas are not allowed)");
}

TEST(ParseTest, RejectsEmptyAndIncompleteInput) {
  ExpectError("", StatusCode::kInvalidArgument,
              "line 1, column 1: no JSON value: the text is empty or only whitespace");
  ExpectError(" \n ", StatusCode::kInvalidArgument,
              "line 2, column 2: no JSON value: the text is empty or only whitespace");
  ExpectError("{\"a\":[1,", StatusCode::kInvalidArgument,
              "line 1, column 9: unexpected end of input");
  ExpectError("\"abc", StatusCode::kInvalidArgument, "line 1, column 5: unexpected end of input");
}

TEST(ParseTest, RejectsBadLiterals) {
  ExpectError("nul", StatusCode::kInvalidArgument, "line 1, column 4: unexpected end of input");
  ExpectError("[nulx]", StatusCode::kInvalidArgument,
              "line 1, column 2: invalid literal: expected true, false or null");
  ExpectError("True", StatusCode::kInvalidArgument, "line 1, column 1: unexpected character 'T'");
}

TEST(ParseTest, RejectsInvalidUtf8InStringsWithAClearMessage) {
  ExpectError("\"ab\xFF\"", StatusCode::kInvalidArgument,
              "line 1, column 4: invalid UTF-8: byte 0xFF starts no valid sequence");
  // Truncated two-byte sequence.
  ExpectError("[\"\xC3(\"]", StatusCode::kInvalidArgument,
              "line 1, column 3: invalid UTF-8: byte 0xC3 starts no valid sequence");
  // Overlong encoding of '/'.
  ExpectError("\"\xC0\xAF\"", StatusCode::kInvalidArgument,
              "line 1, column 2: invalid UTF-8: byte 0xC0 starts no valid sequence");
  // A UTF-16 surrogate encoded directly as UTF-8 (CESU-8) is not valid UTF-8.
  ExpectError("\"\xED\xA0\x80\"", StatusCode::kInvalidArgument,
              "line 1, column 2: invalid UTF-8: byte 0xED starts no valid sequence");
}

TEST(ParseTest, RejectsInvalidUtf8InKeys) {
  ExpectError("{\n\"k\xFE\":1}", StatusCode::kInvalidArgument,
              "line 2, column 3: invalid UTF-8: byte 0xFE starts no valid sequence");
}

TEST(ParseTest, RejectsNonAsciiOutsideStrings) {
  ExpectError("\xEF\xBB\xBF{}", StatusCode::kInvalidArgument,
              "line 1, column 1: unexpected byte order mark (U+FEFF)");
  ExpectError("[\xC3\xA9]", StatusCode::kInvalidArgument,
              "line 1, column 2: unexpected character U+00E9");
  ExpectError("[\x80]", StatusCode::kInvalidArgument,
              "line 1, column 2: invalid UTF-8: byte 0x80 starts no valid sequence");
}

TEST(ParseTest, RejectsUnescapedControlCharacters) {
  ExpectError("\"a\tb\"", StatusCode::kInvalidArgument,
              "line 1, column 3: unexpected control character 0x09 (control characters inside "
              "strings must be escaped)");
  ExpectError("\"a\nb\"", StatusCode::kInvalidArgument,
              "line 1, column 3: unexpected control character 0x0A (control characters inside "
              "strings must be escaped)");
}

TEST(ParseTest, RejectsUnpairedSurrogateEscapes) {
  ExpectError(R"("\ud800")", StatusCode::kInvalidArgument,
              "line 1, column 8: unpaired UTF-16 surrogate: a \\uD800-\\uDBFF escape must be "
              "followed by a \\uDC00-\\uDFFF escape");
  ExpectError(R"("\udc00")", StatusCode::kInvalidArgument,
              "line 1, column 8: unpaired UTF-16 surrogate in a \\u escape");
  // Boost stops inside the second escape, at its first hex digit.
  ExpectError(R"("\ud800\u0041")", StatusCode::kInvalidArgument,
              "line 1, column 10: unpaired UTF-16 surrogate in a \\u escape");
}

TEST(ParseTest, RejectsBadEscapes) {
  ExpectError(R"("\x")", StatusCode::kInvalidArgument,
              "line 1, column 3: unexpected character 'x'");
  ExpectError(R"("\u12g4")", StatusCode::kInvalidArgument,
              "line 1, column 6: expected a hexadecimal digit in a \\u escape");
}

TEST(ParseTest, DeleteCharacterIsOnlyAllowedInsideStrings) {
  const Result<bj::value> inside = Parse("\"a\x7F\"");
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(inside->as_string(), "a\x7F");
  ExpectError("[\x7F]", StatusCode::kInvalidArgument,
              "line 1, column 2: unexpected character 0x7F");
}

TEST(ParseTest, AgreesWithBoostOnMutatedInput) {
  // Differential check on corrupted documents: whatever we accept, boost::json::parse accepts
  // with the same result; whatever we reject gets a positioned one-line message.
  const std::string base =
      R"({"name":"caf\u00e9 \u00e9","list":[1,-2.5e3,true,null,{"k":[[]]}],"big":1e300,"s":"x\"y"})";
  std::mt19937 random(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          text.erase(at, 1);
          break;
        default:
          text.insert(at, 1, "{}[]\",:0e9-\\u"[random() % 14]);
      }
    }
    const Result<bj::value> ours = Parse(text);
    bj::error_code ec;
    const bj::value theirs = bj::parse(text, ec);
    if (ours.ok()) {
      ASSERT_FALSE(ec) << text;
      EXPECT_EQ(*ours, theirs) << text;
    } else {
      const std::string& message = ours.status().message();
      EXPECT_EQ(message.rfind("line ", 0), 0u) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      // The only texts Boost takes and we refuse are numbers it would turn into infinity.
      if (!ec) {
        EXPECT_NE(message.find("number out of range"), std::string::npos) << message;
      }
    }
  }
}

TEST(ParseTest, EveryErrorMessageIsOneLine) {
  for (const std::string_view text : {"{\n\n\"a\"\n:\n", "[1,\n2\n,]", "\"\n\"", "\n\n\n}"}) {
    const Result<bj::value> result = Parse(text);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().message().find('\n'), std::string::npos) << result.status().message();
    EXPECT_EQ(result.status().message().rfind("line ", 0), 0u) << result.status().message();
  }
}

TEST(ParserTest, IsReusableAfterSuccessAndAfterErrors) {
  Parser parser;
  for (int round = 0; round < 3; ++round) {
    const Result<bj::value> good = parser.Parse(R"({"round":[1,2,3]})");
    ASSERT_TRUE(good.ok()) << good.status().ToString();
    EXPECT_EQ(good->as_object().at("round").as_array().size(), 3u);

    const Result<bj::value> bad = parser.Parse("[1,");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().message(), "line 1, column 4: unexpected end of input");

    const Result<bj::value> too_deep = parser.Parse(Nested(100));
    ASSERT_FALSE(too_deep.ok());
    EXPECT_EQ(too_deep.status().code(), StatusCode::kResourceExhausted);
  }
}

TEST(ParserTest, ValuesOutliveLaterParses) {
  Parser parser;
  Result<bj::value> first = parser.Parse(R"(["first",{"k":"v"}])");
  Result<bj::value> second = parser.Parse(R"(["second"])");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(bj::serialize(*first), R"(["first",{"k":"v"}])");
  EXPECT_EQ(bj::serialize(*second), R"(["second"])");
}

TEST(ParserTest, UsesItsLimits) {
  ParseLimits limits;
  limits.max_depth = 2;
  limits.max_bytes = 100;
  Parser parser(limits);
  EXPECT_EQ(parser.limits().max_depth, 2u);
  EXPECT_TRUE(parser.Parse(Nested(2)).ok());
  EXPECT_EQ(parser.Parse(Nested(3)).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(parser.Parse(std::string(101, ' ')).status().code(), StatusCode::kResourceExhausted);
}

TEST(ParserTest, AllocatesFromTheGivenMonotonicStorage) {
  Parser parser;
  bj::storage_ptr storage = bj::make_shared_resource<bj::monotonic_resource>();
  Result<bj::value> result = parser.Parse(R"({"a":["x","y"]})", storage);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->storage().get(), storage.get());
  EXPECT_EQ(result->as_object().at("a").as_array()[1].storage().get(), storage.get());
  // The value shares ownership of the resource, so it stays usable once our handle is gone.
  storage = {};
  EXPECT_EQ(result->as_object().at("a").as_array()[0].as_string(), "x");
}

TEST(ParserTest, DefaultStorageIsTheHeap) {
  Parser parser;
  const Result<bj::value> result = parser.Parse("[1]");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->storage().get(), bj::storage_ptr().get());
}

TEST(ParserTest, IsMovable) {
  Parser original;
  Parser moved(std::move(original));
  const Result<bj::value> result = moved.Parse("[true]");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->as_array()[0].as_bool());
}

}  // namespace
}  // namespace capconf::json

namespace capconf::json {
namespace {

// Found by the json_parse_fuzzer: Boost 1.81 rounds long mantissas wrongly, so a value did not
// survive a canonical dump and parse.
TEST(ParseNumbersTest, RoundsLongMantissasCorrectly) {
  auto v = Parse(std::string(61, '9'));
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->is_double());
  EXPECT_EQ(v->get_double(), 1e61);
  auto w = Parse("0.30000000000000000000001");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->get_double(), 0.3);
  auto again = Parse(CanonicalDump(*v));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(Equal(*v, *again));
  // Short mantissas with large exponents too (the fuzzer's second find).
  auto big = Parse("9999999999900000000000009000000000000000000000000000445805053");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->get_double(), 9999999999900000000000009000000000000000000000000000445805053.0);
  auto dumped = Parse(CanonicalDump(*big));
  ASSERT_TRUE(dumped.ok());
  EXPECT_TRUE(Equal(*big, *dumped));
}

}  // namespace
}  // namespace capconf::json
