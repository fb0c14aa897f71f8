// The configuration model: initial configuration, validation errors as pointers into the
// namespaced document, readiness, switching capabilities, secrets kept apart.

#include "capconf/config/config.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "catalog_files.h"

namespace capconf::config {
namespace {
namespace bj = boost::json;
using catalog::CapabilitySet;

class ConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    auto loaded = catalog::Catalog::LoadEmbedded();
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    catalog_ = *loaded;
  }
  const catalog::Template& T(const char* id) { return *catalog_->FindTemplate(id); }
  CapabilitySet Set(const char* list) { return *catalog_->ParseSetList(list); }
  const catalog::Bundle* B(const char* tmpl, const char* caps) {
    auto b = bundles_.Get(T(tmpl), Set(caps));
    EXPECT_TRUE(b.ok()) << b.status().message();
    return *b;
  }
  std::vector<std::string> Pointers(const std::vector<FieldError>& errors) {
    std::vector<std::string> out;
    for (const FieldError& e : errors) out.push_back(e.pointer + " " + e.keyword);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::shared_ptr<const catalog::Catalog> catalog_;
  catalog::BundleCache bundles_;
};

TEST_F(ConfigTest, TheSpecsValidConfigIsValid) {
  bj::value valid =
      testutil::ReadJson(std::string(CAPCONF_SHARED_DIR) + "/corpus/customer-support.valid.json");
  auto b = B("customer-support-agent", "rag,widget,api,escalation");
  EXPECT_TRUE(Validate(*b, valid).empty());
}

TEST_F(ConfigTest, TheSpecsInvalidConfigHasItsSixViolationsAtTheirFields) {
  bj::value invalid =
      testutil::ReadJson(std::string(CAPCONF_SHARED_DIR) + "/corpus/customer-support.invalid.json");
  auto b = B("customer-support-agent", "rag,widget,api,escalation");
  EXPECT_EQ(Pointers(Validate(*b, invalid)),
            (std::vector<std::string>{
                "/behavior/tone enum", "/branding/colors/primary pattern",
                "/branding/welcome_message maxLength", "/escalation/handoff_config/email format",
                "/rag/chunk_size maximum", "/widget/allowed_domains/2 pattern"}));
}

TEST_F(ConfigTest, RequiredErrorsPointAtTheMissingField) {
  auto b = B("topic-assistant", "api");
  bj::value config = bj::parse(R"({"assistant_configuration": {"role": "Python Expert"}})");
  std::vector<FieldError> errors = Validate(*b, config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/assistant_configuration/system_prompt");
  EXPECT_EQ(errors[0].keyword, "required");
  EXPECT_EQ(errors[0].message, "must have required property 'system_prompt'");
  EXPECT_EQ(
      bj::serialize(errors[0].ToJson()),
      R"({"pointer":"/assistant_configuration/system_prompt","keyword":"required","message":"must have required property 'system_prompt'"})");
}

TEST_F(ConfigTest, AnUnknownSectionIsOneErrorAtItsKey) {
  auto b = B("topic-assistant", "api");
  bj::value config = bj::parse(
      R"({"assistant_configuration": {"role": "r", "system_prompt": "p"}, "brandng": {}})");
  std::vector<FieldError> errors = Validate(*b, config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/brandng");
  EXPECT_EQ(errors[0].keyword, "propertyNames");
  EXPECT_EQ(errors[0].message, "is not a section of this configuration");
}

TEST_F(ConfigTest, DisabledValuesAreKeptButNotValidated) {
  auto b = B("customer-support-agent", "rag,widget,api");
  bj::value config = bj::parse(
      R"({"widget": {"position": "bottom-left", "theme": "dark", "allowed_domains": ["a.example"]},
                                   "escalation": {"fallback_message": 7}})");
  EXPECT_TRUE(Validate(*b, config).empty());
  auto with = B("customer-support-agent", "rag,widget,api,escalation");
  EXPECT_EQ(Pointers(Validate(*with, config)),
            std::vector<std::string>{"/escalation/fallback_message type"});
}

TEST_F(ConfigTest, InitialConfigHasTheDefaults) {
  auto initial = InitialConfig(bundles_, T("customer-support-agent"));
  ASSERT_TRUE(initial.ok());
  EXPECT_EQ(initial->enabled, Set("rag,widget,api"));
  const bj::value& c = initial->config;
  EXPECT_EQ(c.at("branding").at("agent_name").as_string(), "Assistant");
  EXPECT_EQ(c.at("branding").at("colors").at("primary").as_string(), "#3B82F6");
  EXPECT_EQ(c.at("behavior").at("tone").as_string(), "professional");
  EXPECT_EQ(c.at("rag").at("chunk_size").as_int64(), 512);
  EXPECT_EQ(c.at("widget").at("allowed_domains"), bj::array());
  EXPECT_FALSE(c.as_object().contains("escalation"));
  // The defaults are valid except where the spec requires what only the buyer can give.
  EXPECT_EQ(Pointers(Validate(*B("customer-support-agent", "rag,widget,api"), c)),
            std::vector<std::string>{"/widget/allowed_domains minItems"});
}

TEST_F(ConfigTest, IsConfiguredOnlyWhenValidAndEveryNeedHolds) {
  bj::value valid =
      testutil::ReadJson(std::string(CAPCONF_SHARED_DIR) + "/corpus/customer-support.valid.json");
  auto b = B("customer-support-agent", "rag,widget,api,escalation");
  catalog::Facts facts;
  Readiness r = Evaluate(*b, valid, facts);
  EXPECT_FALSE(r.is_configured);
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].need, "collection");
  EXPECT_EQ(r.missing[0].message, "The knowledge base collection is still being created.");
  facts.resources.insert("ragflow_collection");
  r = Evaluate(*b, valid, facts);
  EXPECT_TRUE(r.is_configured) << bj::serialize(r.ToJson());
  EXPECT_EQ(bj::serialize(r.ToJson()), R"({"is_configured":true,"errors":[],"missing":[]})");
  // Invalid: not configured, whatever the needs say.
  valid.at("rag").as_object()["chunk_size"] = 1;
  r = Evaluate(*b, valid, facts);
  EXPECT_FALSE(r.is_configured);
  EXPECT_EQ(r.errors.size(), 1u);
}

TEST_F(ConfigTest, ToggleAddsDefaultsAndRestoresKeptValues) {
  auto initial = InitialConfig(bundles_, T("customer-support-agent"));
  ASSERT_TRUE(initial.ok());
  auto on =
      Toggle(*catalog_, bundles_, T("customer-support-agent"), *initial, {{"escalation", true}});
  ASSERT_TRUE(on.ok());
  ASSERT_TRUE(on->refused.empty());
  EXPECT_EQ(on->next.enabled, Set("rag,widget,api,escalation"));
  EXPECT_EQ(on->next.config.at("escalation").at("triggers").at("unanswered_threshold").as_int64(),
            3);
  EXPECT_EQ(on->next.config.at("branding"), initial->config.at("branding"));

  AgentConfig edited = on->next;
  edited.config.at("escalation").as_object()["fallback_message"] = "One moment.";
  auto off =
      Toggle(*catalog_, bundles_, T("customer-support-agent"), edited, {{"escalation", false}});
  ASSERT_TRUE(off.ok());
  ASSERT_TRUE(off->refused.empty());
  EXPECT_EQ(off->next.enabled, Set("rag,widget,api"));
  // Kept while off...
  EXPECT_EQ(off->next.config.at("escalation").at("fallback_message").as_string(), "One moment.");
  // ... and there again when switched back on.
  auto again =
      Toggle(*catalog_, bundles_, T("customer-support-agent"), off->next, {{"escalation", true}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->next.config.at("escalation").at("fallback_message").as_string(), "One moment.");
}

TEST_F(ConfigTest, ToggleRefusesWithTheBuyersReason) {
  auto initial = InitialConfig(bundles_, T("customer-support-agent"));
  ASSERT_TRUE(initial.ok());
  auto off = Toggle(*catalog_, bundles_, T("customer-support-agent"), *initial, {{"rag", false}});
  ASSERT_TRUE(off.ok());
  ASSERT_EQ(off->refused.size(), 1u);
  EXPECT_EQ(off->refused[0].message,
            "Knowledge Base is included in Customer Support Agent and cannot be turned off.");
  auto voice =
      Toggle(*catalog_, bundles_, T("customer-support-agent"), *initial, {{"voice", true}});
  ASSERT_TRUE(voice.ok());
  ASSERT_EQ(voice->refused.size(), 1u);
  EXPECT_EQ(voice->refused[0].kind, catalog::SetProblem::Kind::kNotOffered);
  auto branding =
      Toggle(*catalog_, bundles_, T("customer-support-agent"), *initial, {{"branding", false}});
  ASSERT_TRUE(branding.ok());
  ASSERT_EQ(branding->refused.size(), 1u);
  EXPECT_EQ(branding->refused[0].message,
            "Branding is part of every agent and cannot be turned off.");
  auto unknown =
      Toggle(*catalog_, bundles_, T("customer-support-agent"), *initial, {{"telepathy", true}});
  EXPECT_FALSE(unknown.ok());
}

TEST_F(ConfigTest, SecretsAreFoundAndTakenOut) {
  auto b = B("research-agent", "web_search,api");
  bj::value config = bj::parse(R"({"web_search": {"provider": "brave", "api_key": "sk-123456"}})");
  EXPECT_EQ(SecretsPresent(*b, config), std::vector<std::string>{"/web_search/api_key"});
  std::map<std::string, bj::value> secrets = ExtractSecrets(*b, config);
  ASSERT_EQ(secrets.size(), 1u);
  EXPECT_EQ(secrets.at("/web_search/api_key").as_string(), "sk-123456");
  EXPECT_EQ(bj::serialize(config), R"({"web_search":{"provider":"brave"}})");
  EXPECT_TRUE(SecretsPresent(*b, config).empty());
  bj::value empty = bj::parse(R"({"web_search": {"api_key": ""}})");
  EXPECT_TRUE(SecretsPresent(*b, empty).empty());
}

// No spec template offers voice or image generation; a seller's template that does shows their
// needs (the API keys each provider needs).
TEST_F(ConfigTest, VoiceAndImageNeedsFollowTheProviders) {
  std::string error;
  std::vector<catalog::CatalogFile> files = testutil::EditedCatalog(
      bj::array{bj::object{
          {"file", "templates/research-agent.json"},
          {"pointer", "/capabilities"},
          {"set", bj::parse(R"(["web_search","api","file_upload","voice","image_gen"])")}}},
      error);
  ASSERT_TRUE(error.empty()) << error;
  auto loaded = catalog::Catalog::Load(files);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const catalog::Template& t = *(*loaded)->FindTemplate("research-agent");
  CapabilitySet set = *(*loaded)->ParseSetList("web_search,api,voice,image_gen");
  auto missing = [&](const char* config, std::set<std::string, std::less<>> secrets) {
    catalog::Facts facts;
    facts.secrets = std::move(secrets);
    std::vector<std::string> out;
    for (const auto& m : catalog::MissingNeeds(t, set, bj::parse(config), facts)) {
      out.push_back(m.capability + "/" + m.need);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  // Defaults: whisper + openai TTS need the OpenAI key; images need theirs; search too.
  EXPECT_EQ(missing("{}", {}),
            (std::vector<std::string>{"image_gen/image_api_key", "voice/openai_api_key",
                                      "web_search/search_api_key"}));
  EXPECT_EQ(missing(R"({"voice": {"stt_provider": "deepgram", "tts_provider": "elevenlabs"}})",
                    {"/web_search/api_key", "/image_gen/api_key"}),
            (std::vector<std::string>{"voice/deepgram_api_key", "voice/elevenlabs_api_key"}));
  EXPECT_EQ(missing(R"({"voice": {"stt_provider": "browser", "tts_provider": "browser"}})",
                    {"/web_search/api_key", "/image_gen/api_key"}),
            std::vector<std::string>{});
  EXPECT_EQ(missing(R"({"voice": {"stt_provider": "whisper", "tts_provider": "browser"}})",
                    {"/web_search/api_key", "/image_gen/api_key", "/voice/openai_api_key"}),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace capconf::config
