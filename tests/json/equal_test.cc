#include "capconf/json/equal.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_set>
#include <vector>

namespace capconf::json {
namespace {

namespace bj = boost::json;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::uint64_t kUint64Max = std::numeric_limits<std::uint64_t>::max();

// Expects Equal both ways and equal hashes: what uniqueItems relies on.
void ExpectSame(const bj::value& a, const bj::value& b) {
  EXPECT_TRUE(Equal(a, b)) << bj::serialize(a) << " vs " << bj::serialize(b);
  EXPECT_TRUE(Equal(b, a)) << bj::serialize(b) << " vs " << bj::serialize(a);
  EXPECT_EQ(Hash(a), Hash(b)) << bj::serialize(a) << " vs " << bj::serialize(b);
  EXPECT_EQ(CanonicalDump(a), CanonicalDump(b));
}

void ExpectDifferent(const bj::value& a, const bj::value& b) {
  EXPECT_FALSE(Equal(a, b)) << bj::serialize(a) << " vs " << bj::serialize(b);
  EXPECT_FALSE(Equal(b, a)) << bj::serialize(b) << " vs " << bj::serialize(a);
  EXPECT_NE(CanonicalDump(a), CanonicalDump(b));
}

TEST(EqualTest, IntegersEqualAcrossInt64Uint64AndDouble) {
  ExpectSame(bj::value(std::int64_t{1}), bj::value(std::uint64_t{1}));
  ExpectSame(bj::value(std::int64_t{1}), bj::value(1.0));
  ExpectSame(bj::value(std::uint64_t{1}), bj::value(1.0));
  ExpectSame(bj::value(std::int64_t{-5}), bj::value(-5.0));
  ExpectSame(bj::value(kInt64Max), bj::value(static_cast<std::uint64_t>(kInt64Max)));
  ExpectSame(bj::value(kInt64Min), bj::value(-9223372036854775808.0));
  ExpectSame(bj::value(std::uint64_t{1} << 63), bj::value(9223372036854775808.0));
  ExpectSame(bj::value(std::uint64_t{10000000000000000000ULL}), bj::value(1e19));
}

TEST(EqualTest, NegativeZeroEqualsZero) {
  ExpectSame(bj::value(-0.0), bj::value(0.0));
  ExpectSame(bj::value(-0.0), bj::value(std::int64_t{0}));
  ExpectSame(bj::value(-0.0), bj::value(std::uint64_t{0}));
}

TEST(EqualTest, ComparesExactlyWithoutRoundingIntegersToDouble) {
  // 2^53 + 1 has no double; converting it would make it equal to 2^53.
  ExpectDifferent(bj::value(std::int64_t{9007199254740993}), bj::value(9007199254740992.0));
  ExpectSame(bj::value(std::int64_t{9007199254740992}), bj::value(9007199254740992.0));
  // uint64 max rounds to 2^64 as a double, which is out of the uint64 range: not equal.
  ExpectDifferent(bj::value(kUint64Max), bj::value(18446744073709551616.0));
  ExpectDifferent(bj::value(kInt64Max), bj::value(9223372036854775808.0));
  // -2^63 - 1 has no double either.
  ExpectDifferent(bj::value(kInt64Min), bj::value(-9223372036854777856.0));
}

TEST(EqualTest, NegativeIntegersNeverEqualUnsignedOnes) {
  ExpectDifferent(bj::value(std::int64_t{-1}), bj::value(kUint64Max));
  ExpectDifferent(bj::value(kInt64Min), bj::value(std::uint64_t{1} << 63));
}

TEST(EqualTest, FractionsEqualOnlyTheSameDouble) {
  ExpectSame(bj::value(1.5), bj::value(1.5));
  ExpectDifferent(bj::value(1.5), bj::value(std::int64_t{1}));
  ExpectDifferent(bj::value(1.5), bj::value(std::int64_t{2}));
  ExpectDifferent(bj::value(0.1 + 0.2), bj::value(0.3));
  ExpectDifferent(bj::value(1e-300), bj::value(0.0));
}

TEST(EqualTest, ParsedNumbersCompareByValue) {
  const bj::value a = bj::parse("[1, 1.0, 10e-1, 100e-2, 18446744073709551615, -0.0, 1e20]");
  const bj::value b = bj::parse("[1.0, 1, 1, 1, 18446744073709551615.0, 0, 100000000000000000000]");
  // Index 4: the double 18446744073709551615.0 is 2^64, not the uint64 max.
  for (std::size_t i : {0, 1, 2, 3, 5, 6}) ExpectSame(a.as_array()[i], b.as_array()[i]);
  ExpectDifferent(a.as_array()[4], b.as_array()[4]);
}

TEST(EqualTest, OtherKindsNeverEqualNumbers) {
  ExpectDifferent(bj::value(true), bj::value(std::int64_t{1}));
  ExpectDifferent(bj::value(false), bj::value(0.0));
  ExpectDifferent(bj::value(nullptr), bj::value(std::int64_t{0}));
  ExpectDifferent(bj::value("1"), bj::value(std::int64_t{1}));
  ExpectDifferent(bj::value(nullptr), bj::value(false));
  ExpectDifferent(bj::value(bj::array{}), bj::value(bj::object{}));
  ExpectDifferent(bj::value(""), bj::value(bj::array{}));
}

TEST(EqualTest, ObjectsIgnoreMemberOrder) {
  ExpectSame(bj::parse(R"({"a":1,"b":[1,{"x":1,"y":2}]})"),
             bj::parse(R"({"b":[1.0,{"y":2,"x":1}],"a":1})"));
}

TEST(EqualTest, ObjectsNeedTheSameKeys) {
  ExpectDifferent(bj::parse(R"({"a":1})"), bj::parse(R"({"a":1,"b":2})"));
  ExpectDifferent(bj::parse(R"({"a":1})"), bj::parse(R"({"b":1})"));
  ExpectDifferent(bj::parse(R"({"a":null})"), bj::parse(R"({})"));
}

TEST(EqualTest, ArraysCompareElementWiseInOrder) {
  ExpectSame(bj::parse("[1,[2,3]]"), bj::parse("[1.0,[2,3.0]]"));
  ExpectDifferent(bj::parse("[1,2]"), bj::parse("[2,1]"));
  ExpectDifferent(bj::parse("[1,2]"), bj::parse("[1,2,3]"));
  ExpectDifferent(bj::parse("[[]]"), bj::parse("[]"));
}

TEST(EqualTest, StringsCompareBytewise) {
  ExpectSame(bj::value("caf\xC3\xA9"), bj::parse(R"("caf\u00e9")"));
  // Precomposed vs decomposed é: different bytes, so different strings (no normalisation).
  ExpectDifferent(bj::value("caf\xC3\xA9"), bj::value("cafe\xCC\x81"));
  ExpectDifferent(bj::value("a"), bj::value("A"));
  ExpectDifferent(bj::value(bj::string_view("a\0b", 3)), bj::value("a"));
}

TEST(HashTest, MemberOrderDoesNotMatter) {
  EXPECT_EQ(Hash(bj::parse(R"({"a":1,"b":2,"c":[3]})")),
            Hash(bj::parse(R"({"c":[3],"b":2,"a":1})")));
}

TEST(HashTest, DistinguishesCommonNearMisses) {
  // Not required by the contract, but collisions here would make uniqueItems slow.
  const std::vector<bj::value> values = {bj::parse("null"),
                                         bj::parse("true"),
                                         bj::parse("false"),
                                         bj::parse("0"),
                                         bj::parse("1"),
                                         bj::parse("-1"),
                                         bj::parse("1.5"),
                                         bj::parse("\"\""),
                                         bj::parse("\"1\""),
                                         bj::parse("[]"),
                                         bj::parse("{}"),
                                         bj::parse("[0]"),
                                         bj::parse("[[]]"),
                                         bj::parse("[1,2]"),
                                         bj::parse("[2,1]"),
                                         bj::parse(R"({"a":1})"),
                                         bj::parse(R"({"a":2})"),
                                         bj::parse(R"({"b":1})"),
                                         bj::parse(R"({"a":1,"b":2})"),
                                         bj::parse(R"({"a":2,"b":1})"),
                                         bj::parse("18446744073709551615"),
                                         bj::parse("1e20")};
  std::unordered_set<std::size_t> hashes;
  for (const bj::value& v : values) hashes.insert(Hash(v));
  EXPECT_EQ(hashes.size(), values.size());
}

TEST(HashTest, SupportsAHashSetOfValuesForUniqueItems) {
  struct ValueHash {
    std::size_t operator()(const bj::value& v) const { return Hash(v); }
  };
  struct ValueEqual {
    bool operator()(const bj::value& a, const bj::value& b) const { return Equal(a, b); }
  };
  const bj::value items = bj::parse(R"([1, 1.0, {"a":[1]}, {"a":[1.0]}, "1", true, 2, -0.0, 0])");
  std::unordered_set<bj::value, ValueHash, ValueEqual> seen;
  for (const bj::value& item : items.as_array()) seen.insert(item);
  // Distinct: 1, {"a":[1]}, "1", true, 2, 0.
  EXPECT_EQ(seen.size(), 6u);
}

TEST(CanonicalDumpTest, SortsKeysBytewiseAndDropsWhitespace) {
  EXPECT_EQ(CanonicalDump(bj::parse(R"({ "b": 1, "a": { "d": [ 1, 2 ], "c": null }, "B": true })")),
            R"({"B":true,"a":{"c":null,"d":[1,2]},"b":1})");
  // Byte order: "Z" (0x5A) < "a" (0x61) < "é" (0xC3 0xA9); bytes compare unsigned.
  EXPECT_EQ(CanonicalDump(bj::parse("{\"\xC3\xA9\":1,\"a\":2,\"Z\":3,\"\":4}")),
            "{\"\":4,\"Z\":3,\"a\":2,\"\xC3\xA9\":1}");
}

TEST(CanonicalDumpTest, PrintsIntegralDoublesAsIntegers) {
  EXPECT_EQ(CanonicalDump(bj::parse("[1.0, -0.0, 0.0, -5.0, 1e2, 9007199254740992.0]")),
            "[1,0,0,-5,100,9007199254740992]");
  EXPECT_EQ(CanonicalDump(bj::value(-9223372036854775808.0)), "-9223372036854775808");
  EXPECT_EQ(CanonicalDump(bj::value(1e19)), "10000000000000000000");
}

TEST(CanonicalDumpTest, PrintsOtherNumbersAsBoostDoes) {
  EXPECT_EQ(CanonicalDump(bj::value(1.5)), bj::serialize(bj::value(1.5)));
  EXPECT_EQ(CanonicalDump(bj::value(0.1)), bj::serialize(bj::value(0.1)));
  EXPECT_EQ(CanonicalDump(bj::value(1e20)), bj::serialize(bj::value(1e20)));  // beyond uint64
  EXPECT_EQ(CanonicalDump(bj::value(kInt64Min)), "-9223372036854775808");
  EXPECT_EQ(CanonicalDump(bj::value(kUint64Max)), "18446744073709551615");
}

TEST(CanonicalDumpTest, WritesNonFiniteDoublesAsNull) {
  EXPECT_EQ(CanonicalDump(bj::value(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(CanonicalDump(bj::value(std::nan(""))), "null");
}

TEST(CanonicalDumpTest, EscapesStringsExactlyAsBoostDoes) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string s = std::string("x") + static_cast<char>(c) + "y";
    EXPECT_EQ(CanonicalDump(bj::value(s)), bj::serialize(bj::value(s))) << "byte " << c;
  }
  EXPECT_EQ(CanonicalDump(bj::value("caf\xC3\xA9 \xF0\x9F\x98\x80")),
            "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
}

TEST(CanonicalDumpTest, OutputParsesBackToAnEqualValue) {
  const bj::value original =
      bj::parse(R"({"z":[1,2.5,-0.0,"a\"\\\n\u0001"],"a":{"y":null,"x":true},"m":1e300,"n":-7})");
  const std::string dump = CanonicalDump(original);
  EXPECT_TRUE(Equal(bj::parse(dump), original)) << dump;
  EXPECT_EQ(CanonicalDump(bj::parse(dump)), dump);
}

TEST(CanonicalDumpTest, EqualValuesHaveEqualDumps) {
  // The dump is used as an ETag: values that Equal says are the same must produce the same tag.
  EXPECT_EQ(CanonicalDump(bj::parse(R"({"a":[1,{"c":2,"b":1.0}],"d":-0.0})")),
            CanonicalDump(bj::parse(R"({"d":0,"a":[1.0,{"b":1,"c":2}]})")));
}

}  // namespace
}  // namespace capconf::json
