// Bundling: for every template and every allowed capability set, one self-contained schema
// (`$schema` declared, no external refs, sections in order with their titles, at most 64 kB)
// that compiles, and a UI schema nested the way rjsf reads it; refs rewritten; the cache.

#include "capconf/catalog/bundle.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <thread>

#include "capconf/catalog/rules.h"
#include "capconf/json/pointer.h"
#include "capconf/json/serialize.h"
#include "catalog_files.h"

namespace capconf::catalog {
namespace {
namespace bj = boost::json;

void ForEachRef(const bj::value& v, const std::function<void(std::string_view)>& f) {
  if (const bj::object* o = v.if_object()) {
    for (const auto& [k, sub] : *o) {
      if (k == "$ref" && sub.is_string()) f(sub.get_string());
      if (k == "const" || k == "enum" || k == "default" || k == "examples") continue;
      ForEachRef(sub, f);
    }
  } else if (const bj::array* a = v.if_array()) {
    for (const bj::value& sub : *a) ForEachRef(sub, f);
  }
}

void ForEachKey(const bj::value& v, const std::function<void(std::string_view)>& f) {
  if (const bj::object* o = v.if_object()) {
    for (const auto& [k, sub] : *o) {
      f(k);
      if (!std::string_view(k).starts_with("ui:")) ForEachKey(sub, f);
    }
  }
}

class BundleTest : public testing::Test {
 protected:
  void SetUp() override {
    auto loaded = Catalog::LoadEmbedded();
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    catalog_ = *loaded;
  }
  std::shared_ptr<const Bundle> Compose(const char* tmpl, const char* caps) {
    const Template* t = catalog_->FindTemplate(tmpl);
    auto set = catalog_->ParseSetList(caps);
    auto bundle = ComposeBundle(*t, *set);
    EXPECT_TRUE(bundle.ok()) << bundle.status().message();
    return bundle.ok() ? *bundle : nullptr;
  }
  std::shared_ptr<const Catalog> catalog_;
};

TEST_F(BundleTest, EveryTemplateAndAllowedSetBundles) {
  std::size_t count = 0;
  for (const auto& t : catalog_->templates()) {
    for (CapabilitySet set : AllowedSets(*catalog_, *t)) {
      std::string ids;
      for (const std::string& id : catalog_->SetIds(set)) ids += id + ",";
      SCOPED_TRACE(t->id() + " " + ids);
      auto bundle = ComposeBundle(*t, set);
      ASSERT_TRUE(bundle.ok()) << bundle.status().message();
      const Bundle& b = **bundle;
      ++count;
      const bj::object& root = b.schema.as_object();
      EXPECT_EQ(root.at("$schema").as_string(), "http://json-schema.org/draft-07/schema#");
      EXPECT_EQ(root.at("title").as_string(), t->name());
      EXPECT_LE(b.schema_text.size(), kMaxBundleBytes);
      ForEachRef(b.schema, [&](std::string_view ref) {
        EXPECT_EQ(ref.substr(0, 1), "#") << "external ref " << ref;
        EXPECT_NE(
            capconf::json::Resolve(b.schema, *capconf::json::DecodeUriFragment(ref.substr(1))),
            nullptr)
            << "dangling ref " << ref;
      });
      // Sections: the template's order, present exactly when universal, inline or enabled.
      std::vector<std::string> expected, got, order;
      for (const Section& s : t->sections()) {
        if (!s.capability || s.capability->universal() || (set & s.capability->bit())) {
          expected.push_back(s.key);
        }
      }
      for (const auto& [k, v] : root.at("properties").as_object()) {
        got.push_back(k);
        EXPECT_TRUE(v.as_object().contains("title")) << k;
      }
      for (const bj::value& k : b.ui_schema.at("ui:order").as_array())
        order.emplace_back(k.as_string());
      EXPECT_EQ(got, expected);
      EXPECT_EQ(order, expected);
      ASSERT_EQ(b.sections.size(), expected.size());
      // Every key of the template may appear in a configuration, even a disabled one's.
      EXPECT_EQ(root.at("propertyNames").at("enum").as_array().size(), t->sections().size());
      // No dotted keys are left for rjsf to ignore.
      ForEachKey(b.ui_schema, [&](std::string_view k) {
        EXPECT_EQ(k.find('.'), std::string_view::npos) << "dotted UI key " << k;
      });
      EXPECT_NE(b.compiled, nullptr);
      EXPECT_EQ(b.schema_text, capconf::json::Serialize(b.schema));
      EXPECT_EQ(b.ui_schema_text, capconf::json::Serialize(b.ui_schema));
    }
  }
  EXPECT_EQ(count, 7u);
}

TEST_F(BundleTest, NestsTheSpecsDottedUiKeys) {
  auto b = Compose("customer-support-agent", "rag,widget,api,escalation");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->ui_schema.at("branding").at("colors").at("primary").at("ui:widget").as_string(),
            "ColorPickerWidget");
  EXPECT_EQ(b->ui_schema.at("branding").at("colors").at("secondary").at("ui:widget").as_string(),
            "ColorPickerWidget");
  EXPECT_EQ(b->ui_schema.at("escalation").at("triggers").at("keywords").at("ui:widget").as_string(),
            "TagsWidget");
  // Option values are data: "0.5" in the creativity labels is not a path.
  EXPECT_EQ(b->ui_schema.at("behavior")
                .at("creativity")
                .at("ui:options")
                .at("labels")
                .at("0.5")
                .as_string(),
            "Balanced");
}

TEST_F(BundleTest, NestUiSchemaMergesDottedAndNestedEntries) {
  bj::value ui = bj::parse(R"({"colors": {"ui:title": "C"}, "colors.primary": {"ui:widget": "x"},
                              "a.b.c": {"ui:widget": "y"}, "ui:order": ["a.b", "colors"]})");
  bj::value nested = NestUiSchema(ui);
  EXPECT_EQ(nested, bj::parse(R"({"colors": {"ui:title": "C", "primary": {"ui:widget": "x"}},
                                  "a": {"b": {"c": {"ui:widget": "y"}}},
                                  "ui:order": ["a.b", "colors"]})"));
}

TEST_F(BundleTest, LeavesDisabledCapabilitiesOut) {
  auto b = Compose("customer-support-agent", "rag,widget,api");
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(b->schema.at("properties").as_object().contains("escalation"));
  EXPECT_FALSE(b->ui_schema.as_object().contains("escalation"));
  // ... and a disabled capability's kept values are valid, unvalidated data.
  bj::value config = bj::parse(R"({"escalation": {"fallback_message": 42}})");
  EXPECT_TRUE(b->compiled->IsValid(config));
  bj::value typo = bj::parse(R"({"brandng": {}})");
  EXPECT_FALSE(b->compiled->IsValid(typo));
}

TEST_F(BundleTest, RefusesCapabilitiesTheTemplateDoesNotOffer) {
  const Template* t = catalog_->FindTemplate("topic-assistant");
  auto b = ComposeBundle(*t, *catalog_->ParseSetList("api,voice"));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  // Universal ones may be named.
  EXPECT_TRUE(ComposeBundle(*t, *catalog_->ParseSetList("api,branding")).ok());
}

TEST_F(BundleTest, CollectsTheSecretPointersOfPresentSections) {
  auto research = Compose("research-agent", "web_search,api");
  ASSERT_NE(research, nullptr);
  EXPECT_EQ(research->secret_pointers, std::vector<std::string>{"/web_search/api_key"});
  auto support = Compose("customer-support-agent", "rag,widget,api");
  ASSERT_NE(support, nullptr);
  EXPECT_TRUE(support->secret_pointers.empty());
}

// Refs inside a capability and inside an inline section are rewritten to the bundle's places,
// and a 2020-12 template bundles with $defs.
TEST_F(BundleTest, RewritesLocalRefsAndFollowsTheTemplatesDialect) {
  std::string error;
  std::vector<CatalogFile> files = testutil::EditedCatalog(
      bj::array{
          bj::object{{"file", "capabilities/rag.json"},
                     {"pointer", "/schema/definitions"},
                     {"set", bj::parse(R"({"size": {"type": "integer", "minimum": 256}})")}},
          bj::object{{"file", "capabilities/rag.json"},
                     {"pointer", "/schema/properties/chunk_overlap"},
                     {"set", bj::parse(R"({"$ref": "#/definitions/size"})")}},
          bj::object{{"file", "capabilities/rag.json"},
                     {"pointer", "/schema/properties/mirror"},
                     {"set", bj::parse(R"({"$ref": "#/properties/sync_frequency"})")}},
          bj::object{{"file", "templates/topic-assistant.json"},
                     {"pointer", "/config_schema/$schema"},
                     {"set", "https://json-schema.org/draft/2020-12/schema"}},
          bj::object{{"file", "templates/topic-assistant.json"},
                     {"pointer", "/config_schema/$defs"},
                     {"set", bj::parse(R"({"short": {"type": "string", "maxLength": 3}})")}},
          bj::object{{"file", "templates/topic-assistant.json"},
                     {"pointer", "/config_schema/allOf/2/properties/role"},
                     {"set", bj::parse(R"({"$ref": "#/$defs/short"})")}},
          bj::object{{"file", "templates/customer-support-agent.json"},
                     {"pointer", "/config_schema/definitions/merged_schema/allOf/1"},
                     {"set", bj::parse(R"({"$ref": "capability:behavior"})")}},
      },
      error);
  ASSERT_TRUE(error.empty()) << error;
  auto loaded = Catalog::Load(files);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();

  auto cs = ComposeBundle(*(*loaded)->FindTemplate("customer-support-agent"),
                          *(*loaded)->ParseSetList("rag,widget,api"));
  ASSERT_TRUE(cs.ok()) << cs.status().message();
  const bj::value& rag = (*cs)->schema.at("properties").at("rag");
  EXPECT_EQ(rag.at("properties").at("chunk_overlap").at("$ref").as_string(),
            "#/definitions/rag.size");
  EXPECT_EQ(rag.at("properties").at("mirror").at("$ref").as_string(),
            "#/properties/rag/properties/sync_frequency");
  EXPECT_FALSE(rag.as_object().contains("definitions"));
  EXPECT_EQ((*cs)->schema.at("definitions").at("rag.size").at("minimum").as_int64(), 256);
  EXPECT_FALSE((*cs)->compiled->IsValid(bj::parse(R"({"rag": {"chunk_overlap": 100}})")));
  EXPECT_FALSE((*cs)->compiled->IsValid(bj::parse(R"({"rag": {"mirror": "hourly"}})")));
  EXPECT_TRUE(
      (*cs)->compiled->IsValid(bj::parse(R"({"rag": {"chunk_overlap": 300, "mirror": "daily"}})")));

  auto topic =
      ComposeBundle(*(*loaded)->FindTemplate("topic-assistant"), *(*loaded)->ParseSetList("api"));
  ASSERT_TRUE(topic.ok()) << topic.status().message();
  EXPECT_EQ((*topic)->schema.at("$schema").as_string(),
            "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ((*topic)->compiled->dialect(), schema::Dialect::kDraft2020_12);
  EXPECT_EQ((*topic)
                ->schema.at("properties")
                .at("assistant_configuration")
                .at("properties")
                .at("role")
                .at("$ref")
                .as_string(),
            "#/$defs/template.short");
  EXPECT_FALSE((*topic)->compiled->IsValid(
      bj::parse(R"({"assistant_configuration": {"role": "too long", "system_prompt": "x"}})")));
}

TEST_F(BundleTest, CacheReturnsTheSameBundleAndIsThreadSafe) {
  BundleCache cache;
  const Template* t = catalog_->FindTemplate("customer-support-agent");
  CapabilitySet set = *catalog_->ParseSetList("rag,widget,api");
  auto first = cache.Get(*t, set);
  ASSERT_TRUE(first.ok());
  auto second = cache.Get(*t, set | catalog_->universal());  // the same pair
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(cache.size(), 1u);
  std::vector<std::thread> threads;
  std::vector<const Bundle*> seen(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto b = cache.Get(
          *t, *catalog_->ParseSetList(i % 2 ? "rag,widget,api,escalation" : "rag,widget,api"));
      seen[i] = b.ok() ? *b : nullptr;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(cache.size(), 2u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(seen[i], cache
                           .Get(*t, *catalog_->ParseSetList(i % 2 ? "rag,widget,api,escalation"
                                                                  : "rag,widget,api"))
                           .value());
  }
  EXPECT_FALSE(cache.Get(*t, *catalog_->ParseSetList("rag,voice")).ok());
  EXPECT_EQ(cache.size(), 2u);  // failures are not cached
}

}  // namespace
}  // namespace capconf::catalog
