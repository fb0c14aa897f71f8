// Loading the catalog: the eleven capabilities with their parts, the spec's four templates as
// written (also straight from the specification's corpus), sections and their keys, versions,
// capability sets, and the resolver for `capability:NAME`.

#include "capconf/catalog/catalog.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "catalog_files.h"

namespace capconf::catalog {
namespace {
namespace bj = boost::json;

class CatalogTest : public testing::Test {
 protected:
  void SetUp() override {
    auto loaded = Catalog::LoadEmbedded();
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    catalog_ = *loaded;
  }
  std::vector<std::string> SectionKeys(const Template& t) {
    std::vector<std::string> keys;
    for (const Section& s : t.sections()) keys.push_back(s.key);
    return keys;
  }
  std::shared_ptr<const Catalog> catalog_;
};

TEST_F(CatalogTest, HasTheNineCoreAndTwoUniversalCapabilities) {
  std::vector<std::string> ids;
  for (const auto& c : catalog_->capabilities()) ids.push_back(c->id());
  EXPECT_EQ(ids, (std::vector<std::string>{"api", "behavior", "branding", "code_exec", "escalation",
                                           "file_upload", "image_gen", "rag", "voice", "web_search",
                                           "widget"}));
  EXPECT_TRUE(catalog_->FindCapability("branding")->universal());
  EXPECT_TRUE(catalog_->FindCapability("behavior")->universal());
  EXPECT_EQ(catalog_->universal(), catalog_->FindCapability("branding")->bit() |
                                       catalog_->FindCapability("behavior")->bit());
  for (const auto& c : catalog_->capabilities()) {
    EXPECT_FALSE(c->label().empty()) << c->id();
    EXPECT_FALSE(c->description().empty()) << c->id();
    EXPECT_FALSE(c->runtime().empty()) << c->id();
    EXPECT_TRUE(c->schema().is_object()) << c->id();
    EXPECT_TRUE(c->ui_schema().is_object()) << c->id();
  }
}

TEST_F(CatalogTest, KeepsTheSpecRegistryColumns) {
  struct Row {
    const char* id;
    const char* runtime;
    bool config_required;
  };
  // The spec's registry table.
  for (const Row& row :
       {Row{"rag", "Ragflow", true}, Row{"widget", "CMP Widget SDK", true},
        Row{"api", "CMP Gateway", true}, Row{"escalation", "Webhook", true},
        Row{"web_search", "Langflow + Search API", false},
        Row{"image_gen", "DALL-E/Midjourney", false}, Row{"voice", "Whisper/ElevenLabs", false},
        Row{"file_upload", "CMP Storage", false}, Row{"code_exec", "Sandbox", false}}) {
    const Capability* c = catalog_->FindCapability(row.id);
    ASSERT_NE(c, nullptr) << row.id;
    EXPECT_EQ(c->runtime(), row.runtime) << row.id;
    EXPECT_EQ(c->config_required(), row.config_required) << row.id;
    EXPECT_FALSE(c->universal()) << row.id;
  }
}

TEST_F(CatalogTest, MarksCredentialsWriteOnly) {
  EXPECT_EQ(catalog_->FindCapability("web_search")->secret_pointers(),
            std::vector<std::string>{"/api_key"});
  EXPECT_EQ(catalog_->FindCapability("image_gen")->secret_pointers(),
            std::vector<std::string>{"/api_key"});
  EXPECT_EQ(catalog_->FindCapability("voice")->secret_pointers().size(), 3u);
  // Handoff tokens sit in the if/then branches of handoff_config.
  const auto& escalation = catalog_->FindCapability("escalation")->secret_pointers();
  EXPECT_NE(std::find(escalation.begin(), escalation.end(), "/handoff_config/zendesk_api_token"),
            escalation.end());
  EXPECT_TRUE(catalog_->FindCapability("rag")->secret_pointers().empty());
}

TEST_F(CatalogTest, LoadsTheFourSpecTemplatesWithTheirSections) {
  ASSERT_EQ(catalog_->templates().size(), 4u);
  const Template* cs = catalog_->FindTemplate("customer-support-agent");
  ASSERT_NE(cs, nullptr);
  EXPECT_EQ(cs->version(), 1);
  EXPECT_EQ(cs->category(), "agents");
  EXPECT_EQ(cs->langflow_flow_id(), "customer-support-v1");
  // Behind the spec's `$ref: #/definitions/merged_schema`.
  EXPECT_EQ(SectionKeys(*cs), (std::vector<std::string>{"branding", "behavior", "rag", "widget",
                                                        "api", "escalation"}));
  EXPECT_EQ(cs->offered(), *catalog_->ParseSetList("rag,widget,api,escalation"));
  EXPECT_EQ(cs->defaults(), *catalog_->ParseSetList("rag,widget,api"));

  const Template* research = catalog_->FindTemplate("research-agent");
  ASSERT_NE(research, nullptr);
  // The inline section keeps its place; web_search and file_upload, which its config_schema does
  // not reference, follow in `capabilities` order.
  EXPECT_EQ(SectionKeys(*research),
            (std::vector<std::string>{"branding", "behavior", "search_settings", "api",
                                      "web_search", "file_upload"}));
  EXPECT_EQ(research->FindSection("search_settings")->title, "Search Settings");
  EXPECT_EQ(research->FindSection("search_settings")->capability, nullptr);
  EXPECT_EQ(SectionKeys(*catalog_->FindTemplate("topic-assistant")),
            (std::vector<std::string>{"branding", "behavior", "assistant_configuration", "api"}));
  EXPECT_EQ(
      SectionKeys(*catalog_->FindTemplate("code-assistant")),
      (std::vector<std::string>{"branding", "behavior", "code_settings", "api", "code_exec"}));
}

TEST_F(CatalogTest, CreditCostIsTheTemplatesValueOrOne) {
  const Template* cs = catalog_->FindTemplate("customer-support-agent");
  EXPECT_EQ(cs->CreditCost("chat_message"), 2);
  EXPECT_EQ(cs->CreditCost("document_upload"), 5);
  EXPECT_EQ(cs->CreditCost("escalation"), 0);
  EXPECT_EQ(cs->CreditCost("image_generation"), 1);
  EXPECT_EQ(catalog_->FindTemplate("research-agent")->CreditCost("web_search"), 2);
}

TEST_F(CatalogTest, LoadsTheSpecTemplatesStraightFromTheSpecification) {
  // The corpus holds every JSON block of the spec; its templates must load unchanged.
  bj::value spec =
      testutil::ReadJson(std::string(CAPCONF_SHARED_DIR) + "/corpus/spec_templates.json");
  ASSERT_TRUE(spec.is_object());
  std::vector<CatalogFile> files;
  for (const CatalogFile& f : Catalog::EmbeddedFiles()) {
    if (f.path.rfind("templates/", 0) != 0) files.push_back(f);
  }
  std::size_t count = 0;
  for (const auto& [name, tmpl] : spec.as_object()) {
    files.push_back({"templates/" + std::string(name) + ".json", bj::serialize(tmpl)});
    ++count;
  }
  ASSERT_EQ(count, 4u);
  auto loaded = Catalog::Load(files);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->templates().size(), 4u);
  for (const auto& t : (*loaded)->templates()) {
    const Template* ours = catalog_->FindTemplate(t->id());
    ASSERT_NE(ours, nullptr) << t->id();
    EXPECT_EQ(SectionKeys(*t), SectionKeys(*ours));
    EXPECT_EQ(t->offered(), ours->offered());
    EXPECT_EQ(t->defaults(), ours->defaults());
    EXPECT_EQ(t->credit_costs(), ours->credit_costs());
  }
}

TEST_F(CatalogTest, FindsTemplateVersions) {
  std::vector<CatalogFile> files = Catalog::EmbeddedFiles();
  std::string error;
  for (const CatalogFile& f : Catalog::EmbeddedFiles()) {
    if (f.path != "templates/topic-assistant.json") continue;
    CatalogFile v2 = f;
    v2.path = "templates/topic-assistant-v2.json";
    files.push_back(v2);
    ASSERT_TRUE(testutil::ApplyEdit(
        files, bj::object{{"file", v2.path}, {"pointer", "/version"}, {"set", 2}}, error))
        << error;
    ASSERT_TRUE(testutil::ApplyEdit(
        files, bj::object{{"file", v2.path}, {"pointer", "/name"}, {"set", "Topic Assistant 2"}},
        error))
        << error;
  }
  auto loaded = Catalog::Load(files);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->FindTemplate("topic-assistant")->version(), 2);
  EXPECT_EQ((*loaded)->FindTemplate("topic-assistant", 1)->name(), "Topic Assistant");
  EXPECT_EQ((*loaded)->FindTemplate("topic-assistant", 3), nullptr);
  EXPECT_EQ((*loaded)->FindTemplate("no-such-template"), nullptr);
}

TEST_F(CatalogTest, ParsesCapabilitySets) {
  auto set = catalog_->ParseSetList("rag, widget,api");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(catalog_->SetIds(*set), (std::vector<std::string>{"api", "rag", "widget"}));
  EXPECT_EQ(*catalog_->ParseSetList(""), 0u);
  auto unknown = catalog_->ParseSetList("rag,telepathy");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "there is no capability 'telepathy'");
  EXPECT_FALSE(catalog_->ParseSetList("rag,").ok());
  EXPECT_FALSE(catalog_->ParseSetList("rag,,api").ok());
}

TEST_F(CatalogTest, ResolvesCapabilityRefs) {
  schema::Resolver resolve = catalog_->MakeResolver();
  auto rag = resolve("capability:rag");
  ASSERT_TRUE(rag.has_value());
  EXPECT_EQ(rag->at("title").as_string(), "Knowledge Base");
  EXPECT_FALSE(resolve("capability:nope").has_value());
  EXPECT_FALSE(resolve("https://example.com/rag").has_value());
}

TEST_F(CatalogTest, DerivesSectionKeysFromTitles) {
  // Through a template whose inline sections have awkward titles.
  std::string error;
  std::vector<CatalogFile> files =
      testutil::EditedCatalog(bj::array{bj::object{{"file", "templates/topic-assistant.json"},
                                                   {"pointer", "/config_schema/allOf/2/title"},
                                                   {"set", "  Role & Prompt (v2) "}}},
                              error);
  ASSERT_TRUE(error.empty()) << error;
  auto loaded = Catalog::Load(files);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_NE((*loaded)->FindTemplate("topic-assistant")->FindSection("role_prompt_v2"), nullptr);
}

TEST_F(CatalogTest, ReportsEveryProblemOfABrokenCatalog) {
  std::vector<CatalogFile> files = Catalog::EmbeddedFiles();
  files.push_back({"capabilities/extra.json", "{\"id\": \"extra\"}"});
  std::vector<Finding> findings;
  auto loaded = Catalog::Load(files, &findings);
  ASSERT_FALSE(loaded.ok());
  EXPECT_GT(findings.size(), 3u);  // label, description, runtime, flags, schema...
  EXPECT_NE(loaded.status().message().find("capabilities/extra.json#"), std::string::npos)
      << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("more)"), std::string::npos);
}

TEST_F(CatalogTest, ReadsADirectoryAndReportsAMissingOne) {
  auto from_dir = Catalog::LoadDirectory(testutil::SourcePath("catalog"));
  ASSERT_TRUE(from_dir.ok()) << from_dir.status().message();
  EXPECT_EQ((*from_dir)->capabilities().size(), 11u);
  auto missing = Catalog::LoadDirectory("/nonexistent/catalog");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace capconf::catalog

// The lint's rjsf tables equal the snapshot of rjsf's own (tools/rjsf/widgets.mjs), which
// rjsf_widgets_check.mjs holds against the installed package.
#include "rjsf_widgets.h"

namespace capconf::catalog {
namespace {

TEST(RjsfWidgetsTest, TablesMatchTheSnapshotOfRjsf) {
  boost::json::value snapshot =
      testutil::ReadJson(testutil::SourcePath("tests/catalog/rjsf_widgets.json"));
  ASSERT_TRUE(snapshot.is_object());
  std::set<std::string_view> registered;
  for (const auto& n : snapshot.at("registered").as_array()) registered.insert(n.as_string());
  EXPECT_EQ(registered, RjsfRegisteredWidgets());
  for (const auto& [type, names] : snapshot.at("aliases").as_object()) {
    const std::set<std::string_view>* ours = RjsfAliases(type);
    ASSERT_NE(ours, nullptr) << type;
    std::set<std::string_view> theirs;
    for (const auto& n : names.as_array()) theirs.insert(n.as_string());
    EXPECT_EQ(theirs, *ours) << type;
  }
  EXPECT_EQ(RjsfAliases("object"), nullptr);
}

}  // namespace
}  // namespace capconf::catalog
