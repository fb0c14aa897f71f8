// Defaults filled as rjsf 6 fills them (each case mirrors a run of tools/rjsf/defaults.mjs; the
// whole-catalog comparison with rjsf itself is tests/catalog/rjsf_defaults.mjs).

#include "capconf/catalog/defaults.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "capconf/json/parse.h"

namespace capconf::catalog {
namespace {
namespace bj = boost::json;

bj::value Fill(std::string_view schema, std::string_view data = "") {
  bj::value s = bj::parse(schema);
  if (data.empty()) return FillDefaults(s, nullptr);
  bj::value d = bj::parse(data);
  return FillDefaults(s, &d);
}

void ExpectFill(std::string_view schema, std::string_view data, std::string_view expected) {
  EXPECT_EQ(bj::serialize(Fill(schema, data)), bj::serialize(bj::parse(expected)))
      << "schema " << schema << "\ndata " << data;
}

TEST(DefaultsTest, FillsNestedObjectsThatGetADefault) {
  ExpectFill(R"({"type":"object","properties":{"cfg":{"type":"object","properties":{
               "a":{"type":"string","default":"x"},"b":{"type":"integer"}}}}})",
             "", R"({"cfg":{"a":"x"}})");
}

TEST(DefaultsTest, LeavesOutEmptyOptionalObjectsButKeepsRequiredOnes) {
  const char* optional =
      R"({"type":"object","properties":{"cfg":{"type":"object","properties":{"a":{"type":"string"}}}}})";
  ExpectFill(optional, "", "{}");
  const char* required =
      R"({"type":"object","required":["cfg"],"properties":{"cfg":{"type":"object","properties":{"a":{"type":"string"}}}}})";
  ExpectFill(required, "", R"({"cfg":{}})");
}

TEST(DefaultsTest, RequiredBooleansBecomeFalseOtherRequiredScalarsStayAbsent) {
  ExpectFill(R"({"type":"object","required":["s","n","b","s2"],"properties":{
               "s":{"type":"string"},"n":{"type":"number"},"b":{"type":"boolean"},
               "s2":{"type":"string","default":"d"},"ob":{"type":"boolean"}}})",
             "", R"({"b":false,"s2":"d"})");
}

TEST(DefaultsTest, Arrays) {
  ExpectFill(
      R"({"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"},"default":["a","b"]}}})",
      "", R"({"tags":["a","b"]})");
  ExpectFill(
      R"({"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"}}}})", "",
      "{}");
  ExpectFill(
      R"({"type":"object","required":["tags"],"properties":{"tags":{"type":"array","items":{"type":"string"}}}})",
      "", R"({"tags":[]})");
  // minItems is filled with item defaults, also after a shorter default.
  ExpectFill(R"({"type":"object","properties":{
               "t1":{"type":"array","minItems":2,"items":{"type":"string","default":"i"}},
               "t3":{"type":"array","minItems":2,"items":{"type":"object","properties":{"k":{"type":"string","default":"v"}}}},
               "t4":{"type":"array","minItems":3,"default":["a"],"items":{"type":"string","default":"i"}}}})",
             "", R"({"t1":["i","i"],"t3":[{"k":"v"},{"k":"v"}],"t4":["a","i","i"]})");
  // rjsf pads with undefined here; JSON has no undefined, so the array is left alone.
  ExpectFill(
      R"({"type":"object","properties":{"t2":{"type":"array","minItems":2,"items":{"type":"string"}}}})",
      "", "{}");
  // Multi-select arrays are not padded.
  ExpectFill(R"({"type":"object","properties":{"m":{"type":"array","minItems":2,"uniqueItems":true,
               "items":{"type":"string","enum":["a","b","c"],"default":"a"}}}})",
             "", "{}");
  // A user's array is kept, never padded or merged with the default; its items get theirs.
  ExpectFill(
      R"({"type":"object","properties":{"t":{"type":"array","minItems":3,"default":["d1","d2","d3"],"items":{"type":"string"}}}})",
      R"({"t":["u1"]})", R"({"t":["u1"]})");
  ExpectFill(
      R"({"type":"object","properties":{"t":{"type":"array","items":{"type":"object","properties":{
               "n":{"type":"string"},"k":{"type":"integer","default":3}}}}}})",
      R"({"t":[{"n":"a"},{"n":"b","k":9}]})", R"({"t":[{"n":"a","k":3},{"n":"b","k":9}]})");
}

TEST(DefaultsTest, ConstWinsOverDefaultButNotOverTheData) {
  const char* schema = R"({"type":"object","properties":{"k":{"type":"string","const":"fixed"},
                          "k2":{"type":"string","const":"c","default":"d"}}})";
  ExpectFill(schema, "", R"({"k":"fixed","k2":"c"})");
  ExpectFill(schema, R"({"k":"user"})", R"({"k":"user","k2":"c"})");
}

TEST(DefaultsTest, OneOfTakesTheFirstOptionWithoutDataAndTheMatchingOneWithIt) {
  const char* schema = R"({"type":"object","properties":{"m":{"type":"object","oneOf":[
      {"properties":{"kind":{"const":"a"},"x":{"type":"string","default":"xa"}},"required":["kind"]},
      {"properties":{"kind":{"const":"b"},"y":{"type":"string","default":"yb"}},"required":["kind"]}]}}})";
  ExpectFill(schema, "", R"({"m":{"kind":"a","x":"xa"}})");
  ExpectFill(schema, R"({"m":{"kind":"b"}})", R"({"m":{"kind":"b","y":"yb"}})");
  // A string whose options are consts gets the first const.
  ExpectFill(
      R"({"type":"object","properties":{"m":{"type":"string","oneOf":[{"const":"a"},{"const":"b"}]}}})",
      "", R"({"m":"a"})");
}

TEST(DefaultsTest, IfThenElseFollowsTheDataNotTheDefaults) {
  const char* schema = R"({"type":"object","properties":{"h":{"type":"object",
      "properties":{"method":{"type":"string","enum":["webhook","email","none"],"default":"webhook"}},
      "if":{"properties":{"method":{"const":"webhook"}},"required":["method"]},
      "then":{"properties":{"webhook_url":{"type":"string","default":"https://h"}}},
      "else":{"if":{"properties":{"method":{"const":"email"}},"required":["method"]},
              "then":{"properties":{"email":{"type":"string","default":"a@b"}}}}}}})";
  // Without data the `if` fails (method is absent), as in rjsf.
  ExpectFill(schema, "", R"({"h":{"method":"webhook"}})");
  ExpectFill(schema, R"({"h":{"method":"webhook"}})",
             R"({"h":{"method":"webhook","webhook_url":"https://h"}})");
  ExpectFill(schema, R"({"h":{"method":"email"}})", R"({"h":{"method":"email","email":"a@b"}})");
  ExpectFill(schema, R"({"h":{"method":"none"}})", R"({"h":{"method":"none"}})");
}

TEST(DefaultsTest, ResolvesRefsAndTheDeepestDefaultWins) {
  ExpectFill(
      R"({"type":"object","definitions":{"addr":{"type":"object","properties":{"city":{"type":"string","default":"Oslo"}}},
               "n":{"type":"integer","default":7}},
               "properties":{"a":{"$ref":"#/definitions/addr"},
                             "b":{"$ref":"#/definitions/addr","default":{"city":"Paris"}},
                             "c":{"$ref":"#/definitions/n"}}})",
      "", R"({"a":{"city":"Oslo"},"b":{"city":"Oslo"},"c":7})");
  ExpectFill(
      R"({"type":"object","properties":{"addr":{"type":"object","default":{"city":"Paris","zip":"75"},
               "properties":{"city":{"type":"string","default":"Oslo"},"zip":{"type":"string"}}}}})",
      "", R"({"addr":{"city":"Oslo","zip":"75"}})");
}

TEST(DefaultsTest, NestedAllOfIsIgnoredAsRjsfDoes) {
  ExpectFill(
      R"({"type":"object","properties":{"p":{"type":"object","allOf":[{"properties":{"a":{"type":"string","default":"A"}}}],
               "properties":{"c":{"type":"string","default":"C"}}}}})",
      "", R"({"p":{"c":"C"}})");
}

TEST(DefaultsTest, KeepsWhatTheDataHas) {
  const char* schema =
      R"({"type":"object","properties":{"a":{"type":"string","default":"x"},"b":{"type":"integer","default":1},
                          "o":{"type":"object","properties":{"p":{"type":"string","default":"P"},"q":{"type":"string","default":"Q"}}}}})";
  ExpectFill(schema, R"({"a":"user","o":{"p":"mine"},"extra":5})",
             R"({"a":"user","o":{"p":"mine","q":"Q"},"extra":5,"b":1})");
  ExpectFill(schema, R"({"a":null,"o":null})", R"({"a":null,"o":null,"b":1})");
  ExpectFill(schema, R"({"a":""})", R"({"a":"","b":1,"o":{"p":"P","q":"Q"}})");
}

TEST(DefaultsTest, SurvivesHostileSchemas) {
  // A ref cycle and a ref to nowhere give no default instead of a hang or a crash.
  ExpectFill(
      R"({"type":"object","definitions":{"a":{"$ref":"#/definitions/a"}},"properties":{"x":{"$ref":"#/definitions/a"},"y":{"$ref":"#/nowhere"}}})",
      "", "{}");
  std::string nested;
  for (int i = 0; i < 200; ++i) nested += R"({"type":"object","properties":{"a":)";
  nested += R"({"type":"string","default":"z"})";
  for (int i = 0; i < 200; ++i) nested += "}}";
  auto parsed = capconf::json::Parse(nested, {.max_bytes = 1 << 20, .max_depth = 1000});
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  bj::value s = std::move(*parsed);
  bj::value out = FillDefaults(s, nullptr);
  EXPECT_TRUE(out.is_object());
  EXPECT_EQ(FillDefaults(bj::value(true), nullptr), bj::object());
}

}  // namespace
}  // namespace capconf::catalog
