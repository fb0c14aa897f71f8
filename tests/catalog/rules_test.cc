// The dependency-rule evaluator: which capability sets a template allows, the sentences that say
// why not, and the needs of enabled capabilities (needs_cases.json covers every need).

#include "capconf/catalog/rules.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

#include "catalog_files.h"

namespace capconf::catalog {
namespace {
namespace bj = boost::json;

class RulesTest : public testing::Test {
 protected:
  void SetUp() override {
    auto loaded = Catalog::LoadEmbedded();
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    catalog_ = *loaded;
  }
  CapabilitySet Set(const char* list) { return *catalog_->ParseSetList(list); }
  std::vector<std::string> Messages(const Template& t, CapabilitySet set) {
    std::vector<std::string> out;
    for (const SetProblem& p : CheckCapabilitySet(*catalog_, t, set)) out.push_back(p.message);
    return out;
  }
  std::shared_ptr<const Catalog> catalog_;
};

TEST_F(RulesTest, WidgetNeedsRagOrApi) {
  const Rule& rule = *catalog_->FindCapability("widget")->requires_rule();
  EXPECT_EQ(DescribeRule(rule, *catalog_), "Knowledge Base or API Access");
  EXPECT_TRUE(RuleHolds(rule, *catalog_, Set("rag")));
  EXPECT_TRUE(RuleHolds(rule, *catalog_, Set("api")));
  EXPECT_TRUE(RuleHolds(rule, *catalog_, Set("rag,api,widget")));
  EXPECT_FALSE(RuleHolds(rule, *catalog_, Set("widget,escalation")));
  EXPECT_FALSE(RuleHolds(rule, *catalog_, 0));
}

TEST_F(RulesTest, OnlyWidgetHasADependencyRule) {
  for (const auto& c : catalog_->capabilities()) {
    EXPECT_EQ(c->requires_rule().has_value(), c->id() == "widget") << c->id();
  }
}

TEST_F(RulesTest, AcceptsTheDefaultsAndOptionalCapabilities) {
  const Template& cs = *catalog_->FindTemplate("customer-support-agent");
  EXPECT_TRUE(Messages(cs, Set("rag,widget,api")).empty());
  EXPECT_TRUE(Messages(cs, Set("rag,widget,api,escalation")).empty());
  // Universal capabilities may be named; they are on anyway.
  EXPECT_TRUE(Messages(cs, Set("rag,widget,api,branding,behavior")).empty());
}

TEST_F(RulesTest, RefusesACapabilityTheTemplateDoesNotOffer) {
  const Template& cs = *catalog_->FindTemplate("customer-support-agent");
  EXPECT_EQ(Messages(cs, Set("rag,widget,api,voice")),
            std::vector<std::string>{"Voice I/O is not offered by Customer Support Agent."});
}

TEST_F(RulesTest, RefusesToTurnADefaultOff) {
  const Template& cs = *catalog_->FindTemplate("customer-support-agent");
  EXPECT_EQ(Messages(cs, Set("widget,api")),
            std::vector<std::string>{
                "Knowledge Base is included in Customer Support Agent and cannot be turned off."});
}

TEST_F(RulesTest, ExplainsABrokenDependencyInAWay) {
  // A template where widget is optional and rag/api are not defaults: a seller's template.
  std::string error;
  std::vector<CatalogFile> files = testutil::EditedCatalog(
      bj::array{bj::object{{"file", "templates/customer-support-agent.json"},
                           {"pointer", "/default_capabilities"},
                           {"set", bj::array{}}}},
      error);
  ASSERT_TRUE(error.empty()) << error;
  auto loaded = Catalog::Load(files);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Template& t = *(*loaded)->FindTemplate("customer-support-agent");
  auto problems = CheckCapabilitySet(**loaded, t, *(*loaded)->ParseSetList("widget,escalation"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, SetProblem::Kind::kDependency);
  EXPECT_EQ(problems[0].capability, "widget");
  EXPECT_EQ(problems[0].message,
            "Embeddable Widget needs Knowledge Base or API Access to be enabled.");
  // Every allowed set of that template has rag or api whenever it has widget.
  std::vector<CapabilitySet> sets = AllowedSets(**loaded, t);
  EXPECT_EQ(sets.size(), 16u - 2u);  // 2^4 sets, minus {widget} and {widget, escalation}
  const CapabilitySet widget = (*loaded)->FindCapability("widget")->bit();
  const CapabilitySet rag_or_api = *(*loaded)->ParseSetList("rag,api");
  for (CapabilitySet s : sets) {
    if (s & widget) {
      EXPECT_NE(s & rag_or_api, 0u);
    }
  }
}

TEST_F(RulesTest, DescribesNestedRules) {
  Rule any{Rule::Kind::kAnyOf,
           "",
           {Rule{Rule::Kind::kCapability, "rag", {}}, Rule{Rule::Kind::kCapability, "api", {}},
            Rule{Rule::Kind::kAllOf,
                 "",
                 {Rule{Rule::Kind::kCapability, "voice", {}},
                  Rule{Rule::Kind::kNot, "", {Rule{Rule::Kind::kCapability, "code_exec", {}}}}}}}};
  EXPECT_EQ(DescribeRule(any, *catalog_),
            "Knowledge Base, API Access or (Voice I/O and not Code Execution)");
  EXPECT_TRUE(RuleHolds(any, *catalog_, Set("voice")));
  EXPECT_FALSE(RuleHolds(any, *catalog_, Set("voice,code_exec")));
  // Universal capabilities always count as enabled.
  Rule branding{Rule::Kind::kCapability, "branding", {}};
  EXPECT_TRUE(RuleHolds(branding, *catalog_, 0));
}

TEST_F(RulesTest, AllowedSetsOfTheSpecTemplates) {
  auto ids = [&](const Template& t) {
    std::vector<std::string> out;
    for (CapabilitySet s : AllowedSets(*catalog_, t)) {
      std::string joined;
      for (const Capability* c : t.capabilities()) {
        if (s & c->bit()) joined += (joined.empty() ? "" : ",") + c->id();
      }
      out.push_back(joined);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids(*catalog_->FindTemplate("customer-support-agent")),
            (std::vector<std::string>{"rag,widget,api", "rag,widget,api,escalation"}));
  EXPECT_EQ(ids(*catalog_->FindTemplate("research-agent")),
            (std::vector<std::string>{"web_search,api", "web_search,api,file_upload"}));
  EXPECT_EQ(ids(*catalog_->FindTemplate("topic-assistant")), (std::vector<std::string>{"api"}));
  EXPECT_EQ(ids(*catalog_->FindTemplate("code-assistant")),
            (std::vector<std::string>{"api", "api,code_exec"}));
}

// needs_cases.json: every need of every capability, missing and met, each `when` both ways.
struct NeedsCase {
  bj::object data;
};
void PrintTo(const NeedsCase& c, std::ostream* os) { *os << c.data.at("name").as_string().c_str(); }

class NeedsCaseTest : public RulesTest, public testing::WithParamInterface<NeedsCase> {};

TEST_P(NeedsCaseTest, ReportsExactlyTheUnmetNeeds) {
  const bj::object& c = GetParam().data;
  const Template* t = catalog_->FindTemplate(c.at("template").as_string());
  ASSERT_NE(t, nullptr);
  CapabilitySet set = 0;
  for (const bj::value& id : c.at("capabilities").as_array()) {
    set |= catalog_->FindCapability(id.as_string())->bit();
  }
  std::vector<SetProblem> problems = CheckCapabilitySet(*catalog_, *t, set);
  bool allowed = !c.contains("allowed") || c.at("allowed").as_bool();
  EXPECT_EQ(problems.empty(), allowed);
  if (const bj::value* expected = c.if_contains("problems")) {
    std::multiset<std::string> want, got;
    for (const bj::value& p : expected->as_array()) want.insert(std::string(p.as_string()));
    for (const SetProblem& p : problems) got.insert(p.capability);
    EXPECT_EQ(got, want);
  }
  if (!allowed) return;
  Facts facts;
  if (const bj::value* s = c.if_contains("secrets")) {
    for (const bj::value& p : s->as_array()) facts.secrets.insert(std::string(p.as_string()));
  }
  if (const bj::value* r = c.if_contains("resources")) {
    for (const bj::value& p : r->as_array()) facts.resources.insert(std::string(p.as_string()));
  }
  std::multiset<std::string> want, got;
  for (const bj::value& m : c.at("missing").as_array()) want.insert(std::string(m.as_string()));
  for (const MissingNeed& m : MissingNeeds(*t, set, c.at("config"), facts)) {
    got.insert(m.capability + "/" + m.need);
    EXPECT_FALSE(m.message.empty());
  }
  EXPECT_EQ(got, want);
}

std::vector<NeedsCase> LoadNeedsCases() {
  std::vector<NeedsCase> cases;
  bj::value doc = testutil::ReadJson(testutil::SourcePath("tests/catalog/needs_cases.json"));
  if (!doc.is_object()) return cases;
  for (const bj::value& c : doc.at("cases").as_array()) cases.push_back({c.as_object()});
  return cases;
}

std::string NeedsCaseName(const testing::TestParamInfo<NeedsCase>& info) {
  std::string name;
  for (char ch : info.param.data.at("name").as_string()) {
    name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  }
  return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Catalog, NeedsCaseTest, testing::ValuesIn(LoadNeedsCases()),
                         NeedsCaseName);

TEST_F(RulesTest, EveryNeedIsCoveredByTheCases) {
  // Each need of each capability appears missing in at least one case and met in another.
  bj::value doc = testutil::ReadJson(testutil::SourcePath("tests/catalog/needs_cases.json"));
  ASSERT_TRUE(doc.is_object());
  std::set<std::string> seen_missing;
  std::set<std::string> seen_enabled_and_met;
  for (const bj::value& v : doc.at("cases").as_array()) {
    const bj::object& c = v.as_object();
    if (c.contains("allowed") && !c.at("allowed").as_bool()) continue;
    std::set<std::string> missing;
    for (const bj::value& m : c.at("missing").as_array())
      missing.insert(std::string(m.as_string()));
    seen_missing.insert(missing.begin(), missing.end());
    std::set<std::string> enabled{"branding", "behavior"};
    for (const bj::value& id : c.at("capabilities").as_array())
      enabled.insert(std::string(id.as_string()));
    for (const std::string& id : enabled) {
      for (const Need& n : catalog_->FindCapability(id)->needs()) {
        if (!missing.contains(id + "/" + n.id)) seen_enabled_and_met.insert(id + "/" + n.id);
      }
    }
  }
  for (const auto& c : catalog_->capabilities()) {
    // No template offers image_gen or voice yet; their needs are tested in config_test.
    if (c->id() == "image_gen" || c->id() == "voice") continue;
    for (const Need& n : c->needs()) {
      EXPECT_TRUE(seen_missing.contains(c->id() + "/" + n.id))
          << c->id() << "/" << n.id << " never missing";
      EXPECT_TRUE(seen_enabled_and_met.contains(c->id() + "/" + n.id))
          << c->id() << "/" << n.id << " never met";
    }
  }
}

}  // namespace
}  // namespace capconf::catalog
