#include "capconf/json/pointer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace capconf::json {
namespace {

namespace bj = boost::json;

using Tokens = std::vector<std::string>;

TEST(EscapeTokenTest, EscapesTildeAndSlash) {
  EXPECT_EQ(EscapeToken("plain"), "plain");
  EXPECT_EQ(EscapeToken(""), "");
  EXPECT_EQ(EscapeToken("a/b"), "a~1b");
  EXPECT_EQ(EscapeToken("m~n"), "m~0n");
  // '~' is escaped on its own, so "~1" stays distinguishable from "/".
  EXPECT_EQ(EscapeToken("~1"), "~01");
  EXPECT_EQ(EscapeToken("/~"), "~1~0");
}

TEST(AppendTokenTest, AppendsSlashAndEscapedToken) {
  std::string pointer;
  AppendToken(pointer, "properties");
  AppendToken(pointer, "a/b");
  AppendToken(pointer, "");
  AppendToken(pointer, "~");
  EXPECT_EQ(pointer, "/properties/a~1b//~0");
}

TEST(AppendIndexTest, AppendsDecimalIndex) {
  std::string pointer = "/items";
  AppendIndex(pointer, 0);
  AppendIndex(pointer, 42);
  AppendIndex(pointer, 18446744073709551615ULL);
  EXPECT_EQ(pointer, "/items/0/42/18446744073709551615");
}

TEST(ParsePointerTest, EmptyPointerHasNoTokens) {
  const Result<Tokens> tokens = ParsePointer("");
  ASSERT_TRUE(tokens.ok());
  EXPECT_TRUE(tokens->empty());
}

TEST(ParsePointerTest, SplitsAndKeepsEmptyTokens) {
  EXPECT_EQ(*ParsePointer("/"), Tokens({""}));
  EXPECT_EQ(*ParsePointer("//"), Tokens({"", ""}));
  EXPECT_EQ(*ParsePointer("/a/b/0"), Tokens({"a", "b", "0"}));
  EXPECT_EQ(*ParsePointer("/a/"), Tokens({"a", ""}));
}

TEST(ParsePointerTest, DecodesEscapesLeftToRightInOnePass) {
  EXPECT_EQ(*ParsePointer("/a~1b"), Tokens({"a/b"}));
  EXPECT_EQ(*ParsePointer("/m~0n"), Tokens({"m~n"}));
  // RFC 6901 section 4: "~01" is "~1", not "/" (decoding ~1 first would give "~" then "/").
  EXPECT_EQ(*ParsePointer("/~01"), Tokens({"~1"}));
  EXPECT_EQ(*ParsePointer("/~10"), Tokens({"/0"}));
  EXPECT_EQ(*ParsePointer("/~0~1~0"), Tokens({"~/~"}));
}

TEST(ParsePointerTest, RoundTripsWithAppendToken) {
  const Tokens original = {"a/b", "~", "~1", "", "x y"};
  std::string pointer;
  for (const std::string& token : original) AppendToken(pointer, token);
  EXPECT_EQ(*ParsePointer(pointer), original);
}

TEST(ParsePointerTest, RejectsPointerWithoutLeadingSlash) {
  const Result<Tokens> tokens = ParsePointer("a/b");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tokens.status().message(), "JSON pointer must be empty or start with '/'");
  EXPECT_FALSE(ParsePointer("#/a").ok());
}

TEST(ParsePointerTest, RejectsInvalidTildeEscapes) {
  for (const std::string_view bad : {"/~", "/a~", "/~2", "/~a", "/ok/~~0"}) {
    const Result<Tokens> tokens = ParsePointer(bad);
    ASSERT_FALSE(tokens.ok()) << bad;
    EXPECT_EQ(tokens.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(ParsePointer("/ok/x~2").status().message(),
            "JSON pointer has an invalid escape at offset 5: '~' must be followed by '0' or '1'");
}

class ResolveTest : public ::testing::Test {
 protected:
  // The example document of RFC 6901, section 5, plus a few members of our own.
  const bj::value doc_ = bj::parse(R"({
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    "k\"l": 6,
    " ": 7,
    "m~n": 8,
    "~1": 9,
    "nested": {"list": [{"x": null}, [10, 11]]}
  })");
};

TEST_F(ResolveTest, EmptyPointerIsTheWholeDocument) { EXPECT_EQ(Resolve(doc_, ""), &doc_); }

TEST_F(ResolveTest, ResolvesTheRfc6901Examples) {
  EXPECT_EQ(*Resolve(doc_, "/foo"), bj::parse(R"(["bar","baz"])"));
  EXPECT_EQ(*Resolve(doc_, "/foo/0"), "bar");
  EXPECT_EQ(*Resolve(doc_, "/"), 0);
  EXPECT_EQ(*Resolve(doc_, "/a~1b"), 1);
  EXPECT_EQ(*Resolve(doc_, "/c%d"), 2);
  EXPECT_EQ(*Resolve(doc_, "/e^f"), 3);
  EXPECT_EQ(*Resolve(doc_, "/g|h"), 4);
  EXPECT_EQ(*Resolve(doc_, "/i\\j"), 5);
  EXPECT_EQ(*Resolve(doc_, "/k\"l"), 6);
  EXPECT_EQ(*Resolve(doc_, "/ "), 7);
  EXPECT_EQ(*Resolve(doc_, "/m~0n"), 8);
}

TEST_F(ResolveTest, TildeZeroOneIsTheKeyTildeOne) { EXPECT_EQ(*Resolve(doc_, "/~01"), 9); }

TEST_F(ResolveTest, ResolvesNestedArraysAndObjects) {
  const bj::value* x = Resolve(doc_, "/nested/list/0/x");
  ASSERT_NE(x, nullptr);
  EXPECT_TRUE(x->is_null());
  EXPECT_EQ(*Resolve(doc_, "/nested/list/1/1"), 11);
  // The pointer points into the document, not at a copy.
  EXPECT_EQ(Resolve(doc_, "/foo/1"), &doc_.at("foo").as_array()[1]);
}

TEST_F(ResolveTest, AbsentValuesAreNull) {
  EXPECT_EQ(Resolve(doc_, "/missing"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/2"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/0/deeper"), nullptr);  // "bar" is a string
  EXPECT_EQ(Resolve(doc_, "/a~1b/x"), nullptr);        // 1 is a number
  EXPECT_EQ(Resolve(doc_, "/nested/list/0/x/y"), nullptr);
}

TEST_F(ResolveTest, ArrayIndexesMustBeCanonical) {
  EXPECT_EQ(Resolve(doc_, "/foo/-"), nullptr);  // one past the end: never a value
  EXPECT_EQ(Resolve(doc_, "/foo/01"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/00"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/+1"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/-1"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/1.0"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/ 1"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/foo/99999999999999999999999"), nullptr);  // overflows size_t
}

TEST_F(ResolveTest, ObjectKeysThatLookLikeIndexesAreKeys) {
  const bj::value doc = bj::parse(R"({"01": "zero-one", "-": "dash", "0": "zero"})");
  EXPECT_EQ(*Resolve(doc, "/01"), "zero-one");
  EXPECT_EQ(*Resolve(doc, "/-"), "dash");
  EXPECT_EQ(*Resolve(doc, "/0"), "zero");
}

TEST_F(ResolveTest, MalformedPointersResolveToNothing) {
  EXPECT_EQ(Resolve(doc_, "foo"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/m~2n"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/m~"), nullptr);
}

TEST(DecodeUriFragmentTest, DecodesPercentEscapes) {
  EXPECT_EQ(*DecodeUriFragment("/a%20b"), "/a b");
  EXPECT_EQ(*DecodeUriFragment("/c%25d"), "/c%d");
  EXPECT_EQ(*DecodeUriFragment("%2Fx%2fy"), "/x/y");  // both hex cases
  EXPECT_EQ(*DecodeUriFragment("/%C3%A9"), "/\xC3\xA9");
  EXPECT_EQ(*DecodeUriFragment(""), "");
  EXPECT_EQ(*DecodeUriFragment("/plain~0"), "/plain~0");  // '~' escapes are the pointer's business
}

TEST(DecodeUriFragmentTest, RejectsBadEscapes) {
  for (const std::string_view bad : {"%", "/a%2", "/a%g0", "/%0g", "/%%41"}) {
    const Result<std::string> decoded = DecodeUriFragment(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(DecodeUriFragment("/ab%2").status().message(),
            "URI fragment has an invalid percent-escape at offset 3: '%' must be followed by two "
            "hex digits");
}

TEST(DecodeUriFragmentTest, RejectsBytesThatAreNotUtf8) {
  const Result<std::string> decoded = DecodeUriFragment("/%FF");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "URI fragment does not percent-decode to valid UTF-8");
  EXPECT_FALSE(DecodeUriFragment("/%C3").ok());  // truncated sequence
}

TEST_F(ResolveTest, FragmentThenPointerResolves) {
  // "#/c%25d" in a $ref: the fragment is percent-decoded first, then read as a pointer.
  const Result<std::string> pointer = DecodeUriFragment("/c%25d");
  ASSERT_TRUE(pointer.ok());
  EXPECT_EQ(*Resolve(doc_, *pointer), 2);
  // Percent-decoding happens before '~' unescaping: %7E1 is "~1", i.e. '/'.
  const Result<std::string> slash = DecodeUriFragment("/a%7E1b");
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(*Resolve(doc_, *slash), 1);
  EXPECT_EQ(*Resolve(doc_, *DecodeUriFragment("/%20")), 7);
}

}  // namespace
}  // namespace capconf::json
