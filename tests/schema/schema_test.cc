#include "capconf/schema/schema.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "capconf/json/parse.h"

namespace capconf::schema {
namespace {
namespace json = boost::json;

json::value J(std::string_view text) {
  auto v = capconf::json::Parse(text, {.max_depth = 512});
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : json::value();
}

class SchemaTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Schema> Compile(std::string_view schema, CompileOptions options = {}) {
    auto compiled = Schema::Compile(J(schema), options);
    EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
    return compiled.ok() ? *compiled : nullptr;
  }
  Status CompileError(std::string_view schema, CompileOptions options = {}) {
    auto compiled = Schema::Compile(J(schema), options);
    EXPECT_FALSE(compiled.ok());
    return compiled.ok() ? Status::Ok() : compiled.status();
  }
};

TEST_F(SchemaTest, ReportsAjvShapedErrorsWithPointers) {
  auto s = Compile(R"({
    "type": "object",
    "properties": {
      "rag": {"type": "object", "properties": {"chunk_size": {"type": "integer", "maximum": 2048}}}
    }
  })");
  auto errors = s->Validate(J(R"({"rag": {"chunk_size": 4096}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_path, "/rag/chunk_size");
  EXPECT_EQ(errors[0].schema_path, "#/properties/rag/properties/chunk_size/maximum");
  EXPECT_EQ(errors[0].keyword, "maximum");
  EXPECT_EQ(errors[0].message, "must be <= 2048");
  EXPECT_EQ(json::value(*errors[0].params), J(R"({"comparison": "<=", "limit": 2048})"));
  EXPECT_FALSE(s->IsValid(J(R"({"rag": {"chunk_size": 4096}})")));
  EXPECT_TRUE(s->IsValid(J(R"({"rag": {"chunk_size": 512}})")));
}

TEST_F(SchemaTest, CollectsEveryErrorInAllErrorsMode) {
  auto s = Compile(R"({
    "type": "object",
    "required": ["a", "b"],
    "properties": {"c": {"type": "string", "maxLength": 2}, "d": {"enum": ["x", "y"]}},
    "additionalProperties": false
  })");
  auto errors = s->Validate(J(R"({"c": "long", "d": "z", "e~/": 1})"));
  std::vector<std::string> seen;
  for (const auto& e : errors)
    seen.push_back(std::string(e.instance_path) + " " + std::string(e.keyword));
  // Members are checked before required ones (a cheaper way to fail fast); the set is ajv's.
  EXPECT_EQ(seen, (std::vector<std::string>{"/c maxLength", "/d enum", " additionalProperties",
                                            " required", " required"}));
  EXPECT_EQ(errors[3].message, "must have required property 'a'");
  EXPECT_EQ(errors[2].params->at("additionalProperty"), "e~/");
}

TEST_F(SchemaTest, EscapesInstancePathTokens) {
  auto s = Compile(R"({"properties": {"a/b": {"properties": {"c~d": {"type": "string"}}}}})");
  auto errors = s->Validate(J(R"({"a/b": {"c~d": 1}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_path, "/a~1b/c~0d");
  EXPECT_EQ(errors[0].schema_path, "#/properties/a~1b/properties/c~0d/type");
}

TEST_F(SchemaTest, TreatsIntegralDoublesAsIntegers) {
  auto s = Compile(R"({"type": "integer"})");
  EXPECT_TRUE(s->IsValid(J("1.0")));
  EXPECT_TRUE(s->IsValid(J("-3")));
  EXPECT_FALSE(s->IsValid(J("1.5")));
  EXPECT_EQ(s->Validate(J("1.5"))[0].message, "must be integer");
}

TEST_F(SchemaTest, MultipleOfUsesAjvPrecisionOnDecimals) {
  auto s = Compile(R"({"multipleOf": 0.01})");
  EXPECT_TRUE(s->IsValid(J("0.07")));  // 0.07 / 0.01 = 7.000000000000001 in binary floats
  EXPECT_TRUE(s->IsValid(J("19.99")));
  EXPECT_FALSE(s->IsValid(J("0.075")));
  auto i = Compile(R"({"multipleOf": 3})");
  EXPECT_TRUE(i->IsValid(J("9223372036854775806")));
  EXPECT_FALSE(i->IsValid(J("9223372036854775807")));
  EXPECT_EQ(i->Validate(J("4"))[0].message, "must be multiple of 3");
}

TEST_F(SchemaTest, CountsStringLengthInCodePoints) {
  auto s = Compile(R"({"maxLength": 2, "minLength": 2})");
  EXPECT_TRUE(s->IsValid(J(R"("\ud83d\ude00\ud83d\ude00")")));  // two astral code points
  EXPECT_TRUE(s->IsValid(J(R"("éé")")));
  EXPECT_FALSE(s->IsValid(J(R"("abc")")));
  EXPECT_EQ(s->Validate(J(R"("abc")"))[0].message, "must NOT have more than 2 characters");
}

TEST_F(SchemaTest, AssertsFormatsByDefaultAndAnnotatesOnRequest) {
  auto asserted = Compile(R"({"format": "email"})");
  EXPECT_FALSE(asserted->IsValid(J(R"("not an email")")));
  EXPECT_EQ(asserted->Validate(J(R"("x")"))[0].message, "must match format \"email\"");
  CompileOptions annotate;
  annotate.formats = FormatMode::kAnnotate;
  auto annotated = Compile(R"({"format": "email"})", annotate);
  EXPECT_TRUE(annotated->IsValid(J(R"("not an email")")));
  auto unknown = Compile(R"({"format": "no-such-format"})");
  EXPECT_TRUE(unknown->IsValid(J(R"("anything")")));
}

TEST_F(SchemaTest, PatternFollowsEcmaScriptDollar) {
  auto s = Compile(R"({"pattern": "^abc$"})");
  EXPECT_TRUE(s->IsValid(J(R"("abc")")));
  EXPECT_FALSE(s->IsValid(J(R"("abc\n")")));
}

TEST_F(SchemaTest, OneOfReportsPassingSchemasWhenSeveralMatch) {
  auto s = Compile(R"({"oneOf": [{"type": "integer"}, {"minimum": 2}]})");
  EXPECT_TRUE(s->IsValid(J("1")));
  EXPECT_TRUE(s->IsValid(J("2.5")));
  auto errors = s->Validate(J("3"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].keyword, "oneOf");
  EXPECT_EQ(json::value(*errors[0].params), J(R"({"passingSchemas": [0, 1]})"));
}

TEST_F(SchemaTest, AnyOfKeepsBranchErrorsOnlyWhenAllFail) {
  auto s = Compile(R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})");
  EXPECT_TRUE(s->Validate(J("1")).empty());
  auto errors = s->Validate(J("1.5"));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[2].keyword, "anyOf");
  EXPECT_EQ(errors[2].message, "must match a schema in anyOf");
}

TEST_F(SchemaTest, IfThenElseReportsTheFailingBranch) {
  auto s = Compile(R"({
    "if": {"properties": {"method": {"const": "email"}}},
    "then": {"required": ["email"]},
    "else": {"required": ["webhook_url"]}
  })");
  auto errors = s->Validate(J(R"({"method": "email"})"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].keyword, "required");
  EXPECT_EQ(errors[1].keyword, "if");
  EXPECT_EQ(errors[1].message, "must match \"then\" schema");
  EXPECT_TRUE(s->IsValid(J(R"({"method": "webhook", "webhook_url": "x"})")));
}

TEST_F(SchemaTest, Draft7RefIgnoresItsSiblings) {
  auto s = Compile(R"({
    "definitions": {"s": {"type": "string"}},
    "properties": {"a": {"$ref": "#/definitions/s", "maxLength": 1}}
  })");
  EXPECT_TRUE(s->IsValid(J(R"({"a": "long"})")));
  EXPECT_FALSE(s->IsValid(J(R"({"a": 1})")));
}

TEST_F(SchemaTest, Draft2020RefAppliesBesideSiblings) {
  auto s = Compile(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"s": {"type": "string"}},
    "properties": {"a": {"$ref": "#/$defs/s", "maxLength": 1}}
  })");
  EXPECT_EQ(s->dialect(), Dialect::kDraft2020_12);
  EXPECT_FALSE(s->IsValid(J(R"({"a": "long"})")));
}

TEST_F(SchemaTest, ResolvesCapabilityRefsThroughTheResolver) {
  CompileOptions options;
  options.resolver = [](std::string_view uri) -> std::optional<json::value> {
    if (uri == "capability:rag")
      return J(R"({"type": "object", "properties": {"chunk_size": {"minimum": 256}}})");
    return std::nullopt;
  };
  auto s = Compile(R"({"properties": {"rag": {"$ref": "capability:rag"}}})", options);
  auto errors = s->Validate(J(R"({"rag": {"chunk_size": 1}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_path, "/rag/chunk_size");
  EXPECT_EQ(errors[0].schema_path, "capability:rag#/properties/chunk_size/minimum");
}

TEST_F(SchemaTest, UnresolvableRefIsACompileErrorNamingWhereItStands) {
  Status s = CompileError(R"({"properties": {"a": {"$ref": "#/definitions/missing"}}})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("#/properties/a/$ref"), std::string::npos) << s.message();
}

TEST_F(SchemaTest, BadKeywordValuesAreCompileErrors) {
  CompileOptions no_meta;
  no_meta.validate_against_metaschema = false;
  for (const char* bad : {R"({"minimum": "1"})", R"({"type": "strin"})", R"({"required": [1]})",
                          R"({"pattern": "("})", R"({"maxLength": -1})", R"({"multipleOf": 0})",
                          R"({"properties": {"a": 3}})"}) {
    EXPECT_FALSE(Schema::Compile(J(bad), no_meta).ok()) << bad;
    EXPECT_FALSE(Schema::Compile(J(bad)).ok()) << bad;
  }
  Status pattern = CompileError(R"({"properties": {"x": {"pattern": "(["}}})", no_meta);
  EXPECT_NE(pattern.message().find("#/properties/x/pattern"), std::string::npos)
      << pattern.message();
}

TEST_F(SchemaTest, MetaschemaCheckNamesTheOffendingLocation) {
  Status s = CompileError(R"({"properties": {"a": {"minLength": "3"}}})");
  EXPECT_NE(s.message().find("/properties/a/minLength"), std::string::npos) << s.message();
}

TEST_F(SchemaTest, RefCycleWithoutProgressIsAViolationNotACrash) {
  auto s =
      Compile(R"({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}})");
  EXPECT_FALSE(s->IsValid(J("1")));
  EXPECT_FALSE(s->Validate(J("1")).empty());
}

TEST_F(SchemaTest, UnevaluatedPropertiesSeesThroughCombinators) {
  auto s = Compile(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "properties": {"a": true},
    "anyOf": [{"properties": {"b": true}}, {"properties": {"c": true}}],
    "unevaluatedProperties": false
  })");
  EXPECT_TRUE(s->IsValid(J(R"({"a": 1, "b": 2, "c": 3})")));
  auto errors = s->Validate(J(R"({"a": 1, "d": 4})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].keyword, "unevaluatedProperties");
  EXPECT_EQ(errors[0].params->at("unevaluatedProperty"), "d");
}

TEST_F(SchemaTest, DynamicRefFollowsTheDynamicScope) {
  auto s = Compile(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.com/strict-tree",
    "$dynamicAnchor": "node",
    "$ref": "tree",
    "unevaluatedProperties": false,
    "$defs": {
      "tree": {
        "$id": "tree",
        "$dynamicAnchor": "node",
        "type": "object",
        "properties": {"data": true, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}
      }
    }
  })");
  EXPECT_TRUE(s->IsValid(J(R"({"children": [{"data": 1}]})")));
  EXPECT_FALSE(s->IsValid(J(R"({"children": [{"daat": 1}]})")));
}

TEST_F(SchemaTest, CompiledSchemaIsSafeToShareAcrossThreads) {
  auto s = Compile(R"({"type": "object", "properties": {"n": {"type": "integer", "maximum": 10},
                       "p": {"pattern": "^[a-z]+$"}}, "required": ["n"]})");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        json::value v = {{"n", (i + t) % 20}, {"p", (i % 3) ? "abc" : "ABC"}};
        bool expected = (i + t) % 20 <= 10 && (i % 3) != 0;
        if (s->IsValid(v) != expected || s->Validate(v).empty() != expected) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(SchemaTest, ErrorsSerialiseInAjvShape) {
  auto s = Compile(R"({"properties": {"a": {"type": "string"}}})");
  auto errors = s->Validate(J(R"({"a": 1})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(json::value(errors[0].ToJson()),
            J(R"({"instancePath": "/a", "schemaPath": "#/properties/a/type", "keyword": "type",
                  "params": {"type": "string"}, "message": "must be string"})"));
}

}  // namespace
}  // namespace capconf::schema

namespace capconf::schema {
namespace {

TEST(FormatLimitKeywordsTest, ApplyToDatesAsThePageDoes) {
  auto compiled = Schema::Compile(J(
      R"({"format": "date", "formatMinimum": "2024-01-01", "formatExclusiveMaximum": "2025-01-01"})"));
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  EXPECT_TRUE((*compiled)->IsValid(J(R"("2024-06-01")")));
  auto errors = (*compiled)->Validate(J(R"("2023-12-31")"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].keyword, "formatMinimum");
  EXPECT_EQ(errors[0].message, "should be >= 2024-01-01");
  EXPECT_FALSE((*compiled)->IsValid(J(R"("2025-01-01")")));
}

TEST(FormatLimitKeywordsTest, RefuseFormatsWithoutAnOrder) {
  auto compiled = Schema::Compile(J(R"({"format": "email", "formatMinimum": "a@b.c"})"));
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(compiled.status().message().find("#/formatMinimum"), std::string::npos)
      << compiled.status().message();
}

TEST(FormatLimitKeywordsTest, DoNothingWhenFormatsAreAnnotations) {
  CompileOptions options;
  options.formats = FormatMode::kAnnotate;
  auto compiled =
      Schema::Compile(J(R"({"format": "date", "formatMinimum": "2024-01-01"})"), options);
  ASSERT_TRUE(compiled.ok());
  EXPECT_TRUE((*compiled)->IsValid(J(R"("2000-01-01")")));
}

}  // namespace
}  // namespace capconf::schema

namespace capconf::schema {
namespace {

// Required names that are also properties are checked in the members' pass; the verdicts and
// errors must be those of a separate `required`.
TEST(RequiredPropertiesTest, AreCheckedInTheMembersPass) {
  auto compiled = Schema::Compile(J(R"({
    "properties": {"position": {"enum": ["left", "right"]}, "theme": {"type": "string"},
                   "domains": {"type": "array", "minItems": 1}},
    "required": ["position", "domains"]
  })"));
  ASSERT_TRUE(compiled.ok());
  const Schema& s = **compiled;
  EXPECT_TRUE(s.IsValid(J(R"({"domains": ["a.io"], "position": "left"})")));
  EXPECT_FALSE(s.IsValid(J(R"({"position": "left", "theme": "dark"})")));
  auto errors = s.Validate(J(R"({"theme": "dark"})"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message, "must have required property 'position'");
  EXPECT_EQ(errors[1].message, "must have required property 'domains'");
  EXPECT_EQ(errors[1].params->at("missingProperty"), "domains");
  auto both = s.Validate(J(R"({"position": "up", "domains": []})"));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].keyword, "enum");
  EXPECT_EQ(both[1].keyword, "minItems");
}

}  // namespace
}  // namespace capconf::schema

namespace capconf::schema {
namespace {

// Found by the schema fuzzer: references that branch without consuming the instance grow
// exponentially; evaluation stops at its budget with a clear error instead of hanging.
TEST(EvaluationBudgetTest, StopsExponentialReferenceTrees) {
  auto compiled = Schema::Compile(J(R"({
    "$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}]}},
    "$ref": "#/$defs/a"
  })"));
  ASSERT_TRUE(compiled.ok());
  EXPECT_FALSE((*compiled)->IsValid(J("1")));
  auto errors = (*compiled)->Validate(J("1"));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[errors.size() - 1].keyword, "evaluationBudget");
}

}  // namespace
}  // namespace capconf::schema
