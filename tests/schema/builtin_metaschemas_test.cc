#include "builtin_metaschemas.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <iterator>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "capconf/json/parse.h"

namespace capconf::schema::internal {
namespace {

namespace bj = boost::json;

// Every document the engine must know without a network, by its official $id.
constexpr std::string_view kExpectedUris[] = {
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2019-09/meta/core",
    "https://json-schema.org/draft/2019-09/meta/applicator",
    "https://json-schema.org/draft/2019-09/meta/validation",
    "https://json-schema.org/draft/2019-09/meta/meta-data",
    "https://json-schema.org/draft/2019-09/meta/format",
    "https://json-schema.org/draft/2019-09/meta/content",
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2020-12/meta/core",
    "https://json-schema.org/draft/2020-12/meta/applicator",
    "https://json-schema.org/draft/2020-12/meta/unevaluated",
    "https://json-schema.org/draft/2020-12/meta/validation",
    "https://json-schema.org/draft/2020-12/meta/meta-data",
    "https://json-schema.org/draft/2020-12/meta/format-annotation",
    "https://json-schema.org/draft/2020-12/meta/format-assertion",
    "https://json-schema.org/draft/2020-12/meta/content",
};

std::string WithoutEmptyFragment(std::string_view id) {
  if (!id.empty() && id.back() == '#') id.remove_suffix(1);
  return std::string(id);
}

TEST(BuiltinMetaschemasTest, KnowsExactlyTheExpectedUris) {
  const std::set<std::string_view> expected(std::begin(kExpectedUris), std::end(kExpectedUris));
  const std::span<const std::string_view> uris = BuiltinMetaschemaUris();
  const std::set<std::string_view> actual(uris.begin(), uris.end());
  EXPECT_EQ(actual.size(), uris.size()) << "duplicate URIs";
  EXPECT_EQ(actual, expected);
}

TEST(BuiltinMetaschemasTest, FindsEveryExpectedMetaschema) {
  for (const std::string_view uri : kExpectedUris) {
    EXPECT_NE(FindBuiltinMetaschema(uri), nullptr) << uri;
  }
}

TEST(BuiltinMetaschemasTest, EveryTextParsesAndItsIdIsItsLookupUri) {
  for (const std::string_view uri : BuiltinMetaschemaUris()) {
    const std::string_view* text = FindBuiltinMetaschema(uri);
    ASSERT_NE(text, nullptr) << uri;
    const Result<bj::value> document = json::Parse(*text);
    ASSERT_TRUE(document.ok()) << uri << ": " << document.status().ToString();
    const bj::object* object = document->if_object();
    ASSERT_NE(object, nullptr) << uri;
    const bj::value* id = object->if_contains("$id");
    ASSERT_NE(id, nullptr) << uri;
    ASSERT_TRUE(id->is_string()) << uri;
    EXPECT_EQ(WithoutEmptyFragment(id->get_string()), uri);
  }
}

TEST(BuiltinMetaschemasTest, AcceptsATrailingEmptyFragment) {
  const std::string_view* without = FindBuiltinMetaschema("http://json-schema.org/draft-07/schema");
  const std::string_view* with = FindBuiltinMetaschema("http://json-schema.org/draft-07/schema#");
  ASSERT_NE(without, nullptr);
  EXPECT_EQ(with, without);
  EXPECT_EQ(FindBuiltinMetaschema("https://json-schema.org/draft/2020-12/schema#"),
            FindBuiltinMetaschema("https://json-schema.org/draft/2020-12/schema"));
}

TEST(BuiltinMetaschemasTest, SchemeMustMatchTheOfficialId) {
  EXPECT_EQ(FindBuiltinMetaschema("https://json-schema.org/draft-07/schema"), nullptr);
  EXPECT_EQ(FindBuiltinMetaschema("http://json-schema.org/draft/2020-12/schema"), nullptr);
  EXPECT_EQ(FindBuiltinMetaschema("http://json-schema.org/draft/2019-09/schema#"), nullptr);
}

TEST(BuiltinMetaschemasTest, RejectsNearMisses) {
  EXPECT_EQ(FindBuiltinMetaschema(""), nullptr);
  EXPECT_EQ(FindBuiltinMetaschema("#"), nullptr);
  EXPECT_EQ(FindBuiltinMetaschema("https://json-schema.org/draft/2020-12/schema##"), nullptr);
  EXPECT_EQ(FindBuiltinMetaschema("https://json-schema.org/draft/2020-12/schema/"), nullptr);
  EXPECT_EQ(FindBuiltinMetaschema("https://json-schema.org/draft/2020-12/meta/format"), nullptr);
  EXPECT_EQ(FindBuiltinMetaschema("https://json-schema.org/draft/2020-12/meta/core#/$defs"),
            nullptr);
}

TEST(BuiltinMetaschemasTest, TextsAreTheOfficialDocuments) {
  // Spot checks of content that differs between drafts and between their published revisions.
  const Result<bj::value> draft7 =
      json::Parse(*FindBuiltinMetaschema("http://json-schema.org/draft-07/schema"));
  ASSERT_TRUE(draft7.ok());
  EXPECT_EQ(draft7->at("$schema"), "http://json-schema.org/draft-07/schema#");
  EXPECT_EQ(draft7->at("default"), true);
  EXPECT_TRUE(draft7->at("properties").as_object().contains("if"));

  const Result<bj::value> v2019 =
      json::Parse(*FindBuiltinMetaschema("https://json-schema.org/draft/2019-09/schema"));
  ASSERT_TRUE(v2019.ok());
  EXPECT_EQ(v2019->at("$recursiveAnchor"), true);
  EXPECT_EQ(v2019->at("$vocabulary").at("https://json-schema.org/draft/2019-09/vocab/format"),
            false);

  const Result<bj::value> v2020 =
      json::Parse(*FindBuiltinMetaschema("https://json-schema.org/draft/2020-12/schema"));
  ASSERT_TRUE(v2020.ok());
  EXPECT_EQ(v2020->at("$dynamicAnchor"), "meta");
  EXPECT_EQ(v2020->at("allOf").as_array().size(), 7u);
  EXPECT_FALSE(v2020->at("$vocabulary")
                   .as_object()
                   .contains("https://json-schema.org/draft/2020-12/vocab/format-assertion"));

  const Result<bj::value> assertion = json::Parse(
      *FindBuiltinMetaschema("https://json-schema.org/draft/2020-12/meta/format-assertion"));
  ASSERT_TRUE(assertion.ok());
  EXPECT_EQ(assertion->at("$vocabulary")
                .at("https://json-schema.org/draft/2020-12/vocab/format-assertion"),
            true);
}

TEST(BuiltinMetaschemasTest, ReturnedTextsAreStable) {
  // Callers keep the pointer and the text; both must stay the same across calls.
  const std::string_view uri = "https://json-schema.org/draft/2020-12/meta/core";
  const std::string_view* first = FindBuiltinMetaschema(uri);
  const std::string_view* second = FindBuiltinMetaschema(uri);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first, second);
  EXPECT_EQ(first->data(), second->data());
  EXPECT_FALSE(first->empty());
}

}  // namespace
}  // namespace capconf::schema::internal
