#include "capconf/langflow/langflow.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "capconf/outbound/url_guard.h"
#include "fake_langflow.h"

namespace capconf::langflow {
namespace {

using namespace std::chrono_literals;
using capconf::testing::FakeFlow;
using capconf::testing::FakeLangflow;
using capconf::testing::FakeProject;
using capconf::testing::FakeVariable;
using sync::DesiredState;
using sync::Outcome;
using sync::OutcomeKind;

constexpr char kKey[] = "lf-key-7b1e";
constexpr char kSub[] = "01hx9kq3v7m2c8d4e6f0g1h2j3";
constexpr char kOtherSub[] = "01hx9kzzzzzzzzzzzzzzzzzzzz";
constexpr char kTemplateFlow[] = "customer-support-v1";
constexpr char kSecretA[] = "sk-live-SECRET-aaaa";
constexpr char kSecretB[] = "zd-SECRET-bbbb";

boost::json::value TemplateData(std::string_view version) {
  boost::json::value data = boost::json::parse(R"({
    "nodes": [{"id": "OpenAIModel-x1", "data": {"node": {"template": {
      "api_key": {"load_from_db": true, "value": "CAPCONF__WEB_SEARCH__API_KEY"},
      "system_message": {"load_from_db": true, "value": "CAPCONF__BRANDING__AGENT_NAME"},
      "model": {"load_from_db": true, "value": "OPENAI_MODEL"},
      "temperature": {"load_from_db": false, "value": "CAPCONF__NOT_A_REFERENCE"}}}}}],
    "edges": []})");
  data.as_object()["version"] = version;
  return data;
}

DesiredState State(std::string subscription_id) {
  DesiredState state;
  state.subscription_id = std::move(subscription_id);
  state.buyer_organization_id = "org1";
  state.template_id = "customer-support-agent";
  state.template_version = 1;
  state.langflow_flow_id = kTemplateFlow;
  state.revision = 1;
  state.enabled = {"behavior", "branding", "rag", "web_search"};
  state.config = boost::json::parse(R"({
    "branding": {"agent_name": "Ada", "colors": {"primary": "#112233"}},
    "behavior": {"creativity": 0.7, "multilingual": true, "languages": ["en", "fr"]},
    "rag": {"chunk_size": 512, "fallback_message": null, "welcome_message": ""}})")
                     .as_object();
  state.secrets = {{"/web_search/api_key", kSecretA}, {"/escalation/zendesk_api_token", kSecretB}};
  return state;
}

std::string Name(std::string_view subscription, std::string_view pointer) {
  Result<std::string> name = VariableName(subscription, pointer);
  EXPECT_TRUE(name.ok()) << name.status().ToString();
  return name.ok() ? *name : "";
}

outbound::GuardOptions Options(std::chrono::milliseconds total_timeout) {
  outbound::GuardOptions options;
  options.address_policy = {.operator_endpoint = true};
  options.connect_timeout = 1000ms;
  options.total_timeout = total_timeout;
  return options;
}

std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "<not a string>";
}

class LangflowTargetTest : public ::testing::Test {
 protected:
  LangflowTargetTest() : fake_(kKey), client_(Options(3000ms)) {
    fake_.AddTemplateFlow(kTemplateFlow, "Customer support", TemplateData("v1"));
    target_ = MakeLangflowTarget({fake_.base_url(), kKey}, client_);
  }

  std::vector<FakeProject> ProjectsNamed(std::string_view name) const {
    std::vector<FakeProject> out;
    for (const FakeProject& p : fake_.projects()) {
      if (p.name.compare(0, name.size(), name) == 0) out.push_back(p);
    }
    return out;
  }
  std::vector<FakeFlow> FlowsNamed(std::string_view name) const {
    std::vector<FakeFlow> out;
    for (const FakeFlow& f : fake_.flows()) {
      if (f.name.compare(0, name.size(), name) == 0) out.push_back(f);
    }
    return out;
  }
  std::map<std::string, FakeVariable> VariablesOf(std::string_view subscription) const {
    std::map<std::string, FakeVariable> out;
    const std::string prefix = VariablePrefix(subscription);
    for (const FakeVariable& v : fake_.variables()) {
      if (v.name.compare(0, prefix.size(), prefix) == 0) out[v.name] = v;
    }
    return out;
  }
  // Requests received whose "METHOD /path" starts with `prefix`.
  int RequestsStartingWith(std::string_view prefix) const {
    int total = 0;
    for (const auto& [request, count] : fake_.request_counts()) {
      if (request.compare(0, prefix.size(), prefix) == 0) total += count;
    }
    return total;
  }
  // Exactly one project and one flow copy for `subscription`, and `variables` variables.
  void ExpectProvisionedOnce(std::string_view subscription, std::size_t variables) const {
    const std::string name = ResourceName(subscription);
    EXPECT_EQ(ProjectsNamed(name).size(), 1u);
    EXPECT_EQ(FlowsNamed(name).size(), 1u);
    EXPECT_EQ(VariablesOf(subscription).size(), variables);
  }

  FakeLangflow fake_;
  outbound::GuardedClient client_;
  std::unique_ptr<sync::Target> target_;
};

TEST(VariableNameTest, IsReadableForCapconfIdsAndSnakeCaseKeys) {
  EXPECT_EQ(Name("01hx9k", "/rag/chunk_size"), "CAPCONF_01HX9K__RAG__CHUNK_SIZE");
  EXPECT_EQ(Name("01hx9k", "/behavior/languages"), "CAPCONF_01HX9K__BEHAVIOR__LANGUAGES");
  EXPECT_EQ(VariablePrefix("01hx9k"), "CAPCONF_01HX9K__");
  EXPECT_EQ(ResourceName("01hx9k"), "capconf-01hx9k");
  EXPECT_EQ(*TemplateVariableName("/rag/chunk_size"), "CAPCONF__RAG__CHUNK_SIZE");
}

TEST(VariableNameTest, IsInjectiveWhereNaiveUpperCasingIsNot) {
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"a-b", "/x"}, {"a_b", "/x"},  {"ab", "/x"},   {"AB", "/x"},   {"Ab", "/x"},   {"a", "/b/x"},
      {"a", "/b_x"}, {"a", "/b__x"}, {"a", "/_b/x"}, {"a", "/b_/x"}, {"a", "/b~1x"}, {"a", "/b/"},
      {"a", "/b"},   {"a", "/B"},    {"a__b", "/x"}, {"a", "/"},     {"a", "/0"},    {"a", "/x y"},
      {"a", "/x_y"}, {"", "/a/x"},   {"a_", "/x"},   {"a", "/__x"},  {"é", "/x"},    {"a", "/é"}};
  std::set<std::string> names;
  for (const auto& [subscription, pointer] : inputs) {
    const std::string name = Name(subscription, pointer);
    EXPECT_TRUE(names.insert(name).second) << subscription << " " << pointer << " → " << name;
    // Every name starts with its subscription's prefix and with no other's.
    for (const auto& [other, unused] : inputs) {
      const std::string prefix = VariablePrefix(other);
      EXPECT_EQ(name.compare(0, prefix.size(), prefix) == 0, other == subscription)
          << name << " against the prefix of " << other;
    }
  }
  EXPECT_FALSE(VariableName("a", "").ok());
  EXPECT_FALSE(VariableName("a", "no-slash").ok());
}

TEST_F(LangflowTargetTest, ProvisionCreatesProjectFlowCopyAndTypedVariables) {
  const Outcome outcome = target_->Apply(State(kSub));
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << outcome.message;
  const std::string name = ResourceName(kSub);
  EXPECT_EQ(outcome.message, "project " + name + ", flow copied, 9 variables (2 credentials)");

  const std::vector<FakeProject> projects = ProjectsNamed(name);
  ASSERT_EQ(projects.size(), 1u);
  EXPECT_EQ(projects[0].name, name);
  const std::vector<FakeFlow> flows = FlowsNamed(name);
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].folder_id, projects[0].id);
  EXPECT_EQ(outcome.resources.at("langflow_project"), projects[0].id);
  EXPECT_EQ(outcome.resources.at("langflow_flow"), flows[0].id);
  EXPECT_EQ(Str(flows[0].data.at("version")), "v1");
  EXPECT_EQ(flows[0].data.at("edges"), boost::json::array());
  // References to CAPCONF__ variables now name this subscription's; others are left alone.
  const auto& fields = flows[0].data.at("nodes").at(0).at("data").at("node").at("template");
  EXPECT_EQ(Str(fields.at("api_key").at("value")), Name(kSub, "/web_search/api_key"));
  EXPECT_EQ(Str(fields.at("system_message").at("value")), Name(kSub, "/branding/agent_name"));
  EXPECT_EQ(Str(fields.at("model").at("value")), "OPENAI_MODEL");
  EXPECT_EQ(Str(fields.at("temperature").at("value")), "CAPCONF__NOT_A_REFERENCE");
  // The template itself is untouched.
  for (const FakeFlow& f : fake_.flows()) {
    if (f.id == kTemplateFlow) {
      EXPECT_EQ(f.data, TemplateData("v1"));
    }
  }

  const std::map<std::string, FakeVariable> variables = VariablesOf(kSub);
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {Name(kSub, "/branding/agent_name"), {"Generic", "Ada"}},
      {Name(kSub, "/branding/colors/primary"), {"Generic", "#112233"}},
      {Name(kSub, "/behavior/creativity"), {"Generic", "0.7"}},
      {Name(kSub, "/behavior/multilingual"), {"Generic", "true"}},
      {Name(kSub, "/behavior/languages"), {"Generic", R"(["en","fr"])"}},
      {Name(kSub, "/rag/chunk_size"), {"Generic", "512"}},
      {Name(kSub, "/rag/fallback_message"), {"Generic", "null"}},
      {Name(kSub, "/web_search/api_key"), {"Credential", kSecretA}},
      {Name(kSub, "/escalation/zendesk_api_token"), {"Credential", kSecretB}},
  };
  // welcome_message is "": no variable (Langflow refuses empty values).
  EXPECT_EQ(variables.count(Name(kSub, "/rag/welcome_message")), 0u);
  ASSERT_EQ(variables.size(), expected.size());
  for (const auto& [variable_name, type_and_value] : expected) {
    auto it = variables.find(variable_name);
    if (it == variables.end()) {
      ADD_FAILURE() << "missing " << variable_name;
      continue;
    }
    EXPECT_EQ(it->second.type, type_and_value.first) << variable_name;
    EXPECT_EQ(it->second.value, type_and_value.second) << variable_name;
    EXPECT_TRUE(it->second.default_fields.empty()) << variable_name;
  }
}

TEST_F(LangflowTargetTest, SecondApplyOnlyReads) {
  DesiredState state = State(kSub);
  state.secrets.clear();  // credentials are rewritten on every Apply (see the next test)
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  const std::vector<FakeVariable> before = fake_.variables();
  const std::vector<FakeFlow> flows_before = fake_.flows();
  fake_.ResetCounts();

  const Outcome again = target_->Apply(state);
  ASSERT_EQ(again.kind, OutcomeKind::kApplied) << again.message;
  EXPECT_EQ(again.message,
            "project " + ResourceName(kSub) + ", flow up to date, 7 variables (0 credentials)");
  EXPECT_EQ(fake_.writes(), 0) << "a repeated Apply must only read";
  for (const auto& [request, count] : fake_.request_counts()) {
    EXPECT_EQ(request.substr(0, 4), "GET ") << request;
  }
  ASSERT_EQ(fake_.variables().size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(fake_.variables()[i].id, before[i].id);
  EXPECT_EQ(fake_.flows().size(), flows_before.size());
}

TEST_F(LangflowTargetTest, SecondApplyRewritesOnlyTheCredentials) {
  ASSERT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  const std::map<std::string, FakeVariable> before = VariablesOf(kSub);
  fake_.ResetCounts();
  ASSERT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  // Two credentials, each written again in place (Langflow never reads them back).
  EXPECT_EQ(fake_.writes(), 2);
  EXPECT_EQ(RequestsStartingWith("PATCH /api/v1/variables/"), 2);
  for (const auto& [name, variable] : before) {
    EXPECT_EQ(fake_.requests("PATCH /api/v1/variables/" + variable.id),
              variable.type == "Credential" ? 1 : 0)
        << name;
  }
  EXPECT_EQ(RequestsStartingWith("POST "), 0);
  EXPECT_EQ(RequestsStartingWith("DELETE "), 0);
  const std::map<std::string, FakeVariable> after = VariablesOf(kSub);
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [name, variable] : after) {
    EXPECT_EQ(variable.id, before.at(name).id) << name;
    EXPECT_EQ(variable.type, before.at(name).type) << name;
    EXPECT_EQ(variable.value, before.at(name).value) << name;
  }
}

TEST_F(LangflowTargetTest, ChangedValueUpdatesExactlyThatVariable) {
  DesiredState state = State(kSub);
  state.secrets.clear();
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  const std::map<std::string, FakeVariable> before = VariablesOf(kSub);
  fake_.ResetCounts();

  state.config["rag"].as_object()["chunk_size"] = 1024;
  state.revision = 2;
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);

  const std::map<std::string, FakeVariable> after = VariablesOf(kSub);
  ASSERT_EQ(after.size(), before.size());
  const std::string changed = Name(kSub, "/rag/chunk_size");
  EXPECT_EQ(after.at(changed).value, "1024");
  EXPECT_EQ(after.at(changed).type, "Generic");
  EXPECT_TRUE(after.at(changed).default_fields.empty());
  for (const auto& [name, variable] : after) {
    EXPECT_EQ(variable.id, before.at(name).id) << name;  // the changed one too: updated in place
    if (name == changed) continue;
    EXPECT_EQ(variable.value, before.at(name).value) << name;
  }
  // One PATCH of that one variable; no DELETE + POST.
  EXPECT_EQ(fake_.writes(), 1);
  EXPECT_EQ(fake_.requests("PATCH /api/v1/variables/" + before.at(changed).id), 1);
  EXPECT_EQ(RequestsStartingWith("POST "), 0);
  EXPECT_EQ(RequestsStartingWith("DELETE "), 0);
}

// Runs `before` on each request (it may rewrite it, or act on Langflow first) and `after` once
// the inner client has answered, so tests can look at Langflow between any two requests.
class HookedClient final : public outbound::Client {
 public:
  using Before = std::function<void(outbound::Request&)>;
  using After = std::function<void(const outbound::Request&)>;
  HookedClient(const outbound::Client& inner, Before before, After after = {})
      : inner_(inner), before_(std::move(before)), after_(std::move(after)) {}

  Result<outbound::Response> Send(const outbound::Request& request) const override {
    outbound::Request copy = request;
    if (before_) before_(copy);
    Result<outbound::Response> response = inner_.Send(copy);
    if (after_) after_(copy);
    return response;
  }

 private:
  const outbound::Client& inner_;
  const Before before_;
  const After after_;
};

bool IsPatchOf(const outbound::Request& request, std::string_view path_prefix) {
  return request.method == outbound::Method::kPatch &&
         request.url.find(path_prefix) != std::string::npos;
}

TEST_F(LangflowTargetTest, UpdateNeverLeavesTheVariableMissing) {
  DesiredState state = State(kSub);
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  const std::string changed = Name(kSub, "/rag/chunk_size");
  const std::string credential = Name(kSub, "/web_search/api_key");
  const std::string id = fake_.variable(changed)->id;

  // A failed PATCH changes nothing: the old value is still there, under the same id.
  state.config["rag"].as_object()["chunk_size"] = 1024;
  for (int status : {503, 400}) {
    fake_.FailNext(1, status, std::nullopt, "PATCH /api/v1/variables/" + id);
    const Outcome failed = target_->Apply(state);
    EXPECT_EQ(failed.kind, status == 503 ? OutcomeKind::kRetry : OutcomeKind::kPermanent)
        << failed.message;
    EXPECT_EQ(failed.message, "Langflow answered " + std::to_string(status) +
                                  " to PATCH /api/v1/variables/" + id);  // no detail: it could echo
    ASSERT_TRUE(fake_.variable(changed).has_value());
    EXPECT_EQ(fake_.variable(changed)->value, "512");
    EXPECT_EQ(fake_.variable(changed)->id, id);
  }

  // Whatever request the update is at, both variables are there, with the old or the new value.
  int checked = 0;
  HookedClient watching(client_, nullptr, [&](const outbound::Request&) {
    const std::optional<FakeVariable> now = fake_.variable(changed);
    ASSERT_TRUE(now.has_value());
    EXPECT_EQ(now->id, id);
    EXPECT_TRUE(now->value == "512" || now->value == "1024") << now->value;
    EXPECT_TRUE(fake_.variable(credential).has_value());
    ++checked;
  });
  ASSERT_EQ(MakeLangflowTarget({fake_.base_url(), kKey}, watching)->Apply(state).kind,
            OutcomeKind::kApplied);
  EXPECT_GT(checked, 3);
  EXPECT_EQ(fake_.variable(changed)->value, "1024");
  EXPECT_EQ(fake_.variable(changed)->id, id);
}

TEST_F(LangflowTargetTest, VariableDeletedSinceListedIsCreatedAgain) {
  DesiredState state = State(kSub);
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  const std::string changed = Name(kSub, "/rag/chunk_size");
  const std::string old_id = fake_.variable(changed)->id;

  // Someone deletes the variable in Langflow between our listing and our PATCH: a 404.
  HookedClient racing(client_, [&](outbound::Request& request) {
    if (!IsPatchOf(request, "/api/v1/variables/" + old_id)) return;
    outbound::Request deletion = request;
    deletion.method = outbound::Method::kDelete;
    deletion.body.clear();
    ASSERT_EQ(client_.Send(deletion)->status, 204);
  });
  state.config["rag"].as_object()["chunk_size"] = 1024;
  fake_.ResetCounts();
  const Outcome outcome = MakeLangflowTarget({fake_.base_url(), kKey}, racing)->Apply(state);
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << outcome.message;
  EXPECT_EQ(fake_.requests("PATCH /api/v1/variables/" + old_id), 1);
  EXPECT_EQ(fake_.requests("POST /api/v1/variables/"), 1);
  ASSERT_TRUE(fake_.variable(changed).has_value());
  EXPECT_EQ(fake_.variable(changed)->value, "1024");
  EXPECT_NE(fake_.variable(changed)->id, old_id);
  ExpectProvisionedOnce(kSub, 9);
}

TEST_F(LangflowTargetTest, LeafBecomingASecretChangesTypeInPlace) {
  DesiredState state = State(kSub);
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  const std::string name = Name(kSub, "/branding/agent_name");
  const std::string id = fake_.variable(name)->id;
  ASSERT_EQ(fake_.variable(name)->type, "Generic");

  state.secrets["/branding/agent_name"] = "Ada-SECRET";
  fake_.ResetCounts();
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.variable(name)->type, "Credential");
  EXPECT_EQ(fake_.variable(name)->value, "Ada-SECRET");
  EXPECT_EQ(fake_.variable(name)->id, id);
  EXPECT_EQ(RequestsStartingWith("POST "), 0);
  EXPECT_EQ(RequestsStartingWith("DELETE "), 0);

  // And back: the secret is gone, the config leaf stays.
  state.secrets.erase("/branding/agent_name");
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.variable(name)->type, "Generic");
  EXPECT_EQ(fake_.variable(name)->value, "Ada");
  EXPECT_EQ(fake_.variable(name)->id, id);
}

// Langflow versions from before `type` was part of VariableUpdate ignore it and answer with the
// old type: the target then replaces the variable, or every Apply would PATCH it again.
TEST_F(LangflowTargetTest, TypeThatPatchDoesNotChangeIsReplaced) {
  DesiredState state = State(kSub);
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  const std::string name = Name(kSub, "/branding/agent_name");
  const std::string id = fake_.variable(name)->id;
  HookedClient old_langflow(client_, [](outbound::Request& request) {
    if (!IsPatchOf(request, "/api/v1/variables/")) return;
    boost::json::value body = boost::json::parse(request.body);
    body.as_object().erase("type");
    request.body = boost::json::serialize(body);
  });
  std::unique_ptr<sync::Target> target = MakeLangflowTarget({fake_.base_url(), kKey}, old_langflow);

  state.secrets["/branding/agent_name"] = "Ada-SECRET";
  ASSERT_EQ(target->Apply(state).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.variable(name)->type, "Credential");
  EXPECT_EQ(fake_.variable(name)->value, "Ada-SECRET");
  EXPECT_NE(fake_.variable(name)->id, id);

  // Settled: the next Apply only rewrites the credentials, in place.
  const std::string new_id = fake_.variable(name)->id;
  fake_.ResetCounts();
  ASSERT_EQ(target->Apply(state).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.variable(name)->id, new_id);
  EXPECT_EQ(RequestsStartingWith("PATCH /api/v1/variables/"), 3);
  EXPECT_EQ(fake_.writes(), 3);
  ExpectProvisionedOnce(kSub, 9);
}

TEST_F(LangflowTargetTest, RemovedFieldDeletesItsVariable) {
  DesiredState state = State(kSub);
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  state.config["branding"].as_object().erase("colors");
  state.config["rag"].as_object()["chunk_size"] = "";  // emptied: no variable either
  state.secrets.erase("/escalation/zendesk_api_token");
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);

  const std::map<std::string, FakeVariable> after = VariablesOf(kSub);
  EXPECT_EQ(after.count(Name(kSub, "/branding/colors/primary")), 0u);
  EXPECT_EQ(after.count(Name(kSub, "/rag/chunk_size")), 0u);
  EXPECT_EQ(after.count(Name(kSub, "/escalation/zendesk_api_token")), 0u);
  EXPECT_EQ(after.count(Name(kSub, "/branding/agent_name")), 1u);
  EXPECT_EQ(after.size(), 6u);
}

TEST_F(LangflowTargetTest, TwoSubscriptionsNeverShareOrTouchEachOthersNames) {
  // The user's own variable, made in Langflow's settings, must survive everything too.
  fake_.AddVariable("OPENAI_API_KEY", "Credential", "sk-users-own");
  DesiredState a = State(kSub);
  DesiredState b = State(kOtherSub);
  b.config["branding"].as_object()["agent_name"] = "Bea";
  ASSERT_EQ(target_->Apply(a).kind, OutcomeKind::kApplied);
  ASSERT_EQ(target_->Apply(b).kind, OutcomeKind::kApplied);

  const std::map<std::string, FakeVariable> of_a = VariablesOf(kSub);
  const std::map<std::string, FakeVariable> of_b = VariablesOf(kOtherSub);
  EXPECT_EQ(of_a.size(), 9u);
  EXPECT_EQ(of_b.size(), 9u);
  EXPECT_EQ(fake_.variables().size(), 19u);  // 9 + 9 + the user's own
  for (const auto& [name, unused] : of_a) EXPECT_EQ(of_b.count(name), 0u) << name;
  EXPECT_EQ(of_a.at(Name(kSub, "/branding/agent_name")).value, "Ada");
  EXPECT_EQ(of_b.at(Name(kOtherSub, "/branding/agent_name")).value, "Bea");
  ExpectProvisionedOnce(kSub, 9);
  ExpectProvisionedOnce(kOtherSub, 9);

  // Changing and then cancelling A leaves B (and the user's variable) exactly as they were.
  const std::vector<FakeFlow> flows_of_b = FlowsNamed(ResourceName(kOtherSub));
  a.config["branding"].as_object()["agent_name"] = "Ada II";
  ASSERT_EQ(target_->Apply(a).kind, OutcomeKind::kApplied);
  a.active = false;
  ASSERT_EQ(target_->Apply(a).kind, OutcomeKind::kApplied);
  EXPECT_TRUE(VariablesOf(kSub).empty());
  const std::map<std::string, FakeVariable> of_b_after = VariablesOf(kOtherSub);
  ASSERT_EQ(of_b_after.size(), of_b.size());
  for (const auto& [name, variable] : of_b_after) {
    EXPECT_EQ(variable.id, of_b.at(name).id) << name;
    EXPECT_EQ(variable.value, of_b.at(name).value) << name;
  }
  EXPECT_TRUE(fake_.variable("OPENAI_API_KEY").has_value());
  const std::vector<FakeFlow> flows_of_b_after = FlowsNamed(ResourceName(kOtherSub));
  ASSERT_EQ(flows_of_b_after.size(), 1u);
  EXPECT_EQ(flows_of_b_after[0].id, flows_of_b[0].id);
  EXPECT_EQ(ProjectsNamed(ResourceName(kOtherSub)).size(), 1u);
}

TEST_F(LangflowTargetTest, SecretsBecomeCredentialsAndNeverAppearInAnyMessage) {
  std::vector<Outcome> outcomes;
  outcomes.push_back(target_->Apply(State(kSub)));
  const std::optional<FakeVariable> credential = fake_.variable(Name(kSub, "/web_search/api_key"));
  ASSERT_TRUE(credential.has_value());
  EXPECT_EQ(credential->type, "Credential");
  EXPECT_EQ(credential->value, kSecretA);

  // Failures around the credentials' writes (each Apply PATCHes them again), with Langflow's own
  // words in the answer.
  fake_.FailNext(1, 400, std::nullopt, "PATCH /api/v1/variables/");
  outcomes.push_back(target_->Apply(State(kSub)));
  fake_.FailNext(1, 503, 3, "PATCH /api/v1/variables/");
  outcomes.push_back(target_->Apply(State(kSub)));
  fake_.GarbleNext(1, "PATCH /api/v1/variables/");
  outcomes.push_back(target_->Apply(State(kSub)));
  fake_.FailNext(1, 401, std::nullopt, "PATCH /api/v1/variables/");
  outcomes.push_back(target_->Apply(State(kSub)));
  outcomes.push_back(target_->Apply(State(kSub)));
  // And around a credential's first write.
  DesiredState added = State(kSub);
  added.secrets["/escalation/webhook_secret"] = "wh-SECRET-cccc";
  fake_.FailNext(1, 400, std::nullopt, "POST /api/v1/variables/");
  outcomes.push_back(target_->Apply(added));
  outcomes.push_back(target_->Apply(State(kSub)));

  EXPECT_EQ(outcomes[1].kind, OutcomeKind::kPermanent);
  EXPECT_EQ(outcomes[2].kind, OutcomeKind::kRetry);
  EXPECT_EQ(outcomes[3].kind, OutcomeKind::kPermanent);
  EXPECT_EQ(outcomes[4].kind, OutcomeKind::kPermanent);
  EXPECT_EQ(outcomes[5].kind, OutcomeKind::kApplied);
  EXPECT_EQ(outcomes[6].kind, OutcomeKind::kPermanent);
  EXPECT_EQ(outcomes.back().kind, OutcomeKind::kApplied);
  for (const Outcome& outcome : outcomes) {
    for (const std::string& secret :
         {std::string(kSecretA), std::string(kSecretB), std::string("SECRET"), std::string(kKey)}) {
      EXPECT_EQ(outcome.message.find(secret), std::string::npos) << outcome.message;
      EXPECT_EQ(outcome.progress.find(secret), std::string::npos) << outcome.progress;
      for (const auto& [resource, id] : outcome.resources) {
        EXPECT_EQ(id.find(secret), std::string::npos);
      }
    }
  }
  ExpectProvisionedOnce(kSub, 9);
}

TEST_F(LangflowTargetTest, CancelRemovesEverythingAndIsIdempotent) {
  fake_.AddVariable("OPENAI_API_KEY", "Credential", "sk-users-own");
  DesiredState state = State(kSub);
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  const std::size_t flows_before = fake_.flows().size();

  state.active = false;
  const Outcome cancelled = target_->Apply(state);
  ASSERT_EQ(cancelled.kind, OutcomeKind::kApplied) << cancelled.message;
  EXPECT_EQ(cancelled.message, "removed project " + ResourceName(kSub) + ", 1 flow, 9 variables");
  EXPECT_TRUE(ProjectsNamed(ResourceName(kSub)).empty());
  EXPECT_TRUE(FlowsNamed(ResourceName(kSub)).empty());
  EXPECT_TRUE(VariablesOf(kSub).empty());
  EXPECT_EQ(fake_.flows().size(), flows_before - 1);  // the template is still there
  EXPECT_TRUE(fake_.variable("OPENAI_API_KEY").has_value());

  fake_.ResetCounts();
  const Outcome again = target_->Apply(state);
  ASSERT_EQ(again.kind, OutcomeKind::kApplied) << again.message;
  EXPECT_EQ(again.message, "nothing left in Langflow for " + ResourceName(kSub));
  EXPECT_EQ(fake_.writes(), 0);
}

TEST_F(LangflowTargetTest, CancelHalfDoneThenAgainFinishes) {
  DesiredState state = State(kSub);
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  state.active = false;
  fake_.FailNextAfterApplying(1, 502, "DELETE /api/v1/projects/");
  EXPECT_EQ(target_->Apply(state).kind, OutcomeKind::kRetry);
  fake_.FailNext(1, 500, std::nullopt, "DELETE /api/v1/variables/");
  EXPECT_EQ(target_->Apply(state).kind, OutcomeKind::kRetry);
  ASSERT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
  EXPECT_TRUE(ProjectsNamed(ResourceName(kSub)).empty());
  EXPECT_TRUE(FlowsNamed(ResourceName(kSub)).empty());
  EXPECT_TRUE(VariablesOf(kSub).empty());
}

TEST_F(LangflowTargetTest, NotConfiguredWithoutUrl) {
  std::unique_ptr<sync::Target> target = MakeLangflowTarget({"", kKey}, client_);
  EXPECT_EQ(target->Name(), "langflow");
  const Outcome outcome = target->Apply(State(kSub));
  EXPECT_EQ(outcome.kind, OutcomeKind::kNotConfigured);
  EXPECT_EQ(outcome.message, "Langflow is not configured on this server (no URL)");
  EXPECT_EQ(fake_.request_counts().size(), 0u);
}

TEST_F(LangflowTargetTest, WrongKeyIsPermanent) {
  std::unique_ptr<sync::Target> target =
      MakeLangflowTarget({fake_.base_url(), "not-the-key"}, client_);
  const Outcome outcome = target->Apply(State(kSub));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
  EXPECT_NE(outcome.message.find("Langflow refused the API key"), std::string::npos)
      << outcome.message;
  EXPECT_NE(outcome.message.find("GET /api/v1/variables/"), std::string::npos) << outcome.message;
  EXPECT_EQ(outcome.message.find("not-the-key"), std::string::npos);
  fake_.FailNext(1, 403);
  EXPECT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kPermanent);
  EXPECT_TRUE(fake_.variables().empty());
}

TEST_F(LangflowTargetTest, ServiceUnavailableWithRetryAfterIsRetry) {
  fake_.FailNext(1, 503, 7, "POST /api/v1/projects/");
  const Outcome outcome = target_->Apply(State(kSub));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
  ASSERT_TRUE(outcome.retry_after_seconds.has_value());
  EXPECT_EQ(*outcome.retry_after_seconds, 7);
  EXPECT_EQ(outcome.message, "Langflow answered 503 to POST /api/v1/projects/: injected failure");
  EXPECT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
}

TEST_F(LangflowTargetTest, StatusesMapToRetryOrPermanent) {
  const std::vector<std::pair<int, OutcomeKind>> cases = {
      {500, OutcomeKind::kRetry},     {502, OutcomeKind::kRetry},
      {504, OutcomeKind::kRetry},     {408, OutcomeKind::kRetry},
      {429, OutcomeKind::kRetry},     {400, OutcomeKind::kPermanent},
      {409, OutcomeKind::kPermanent}, {422, OutcomeKind::kPermanent},
      {401, OutcomeKind::kPermanent}, {403, OutcomeKind::kPermanent}};
  for (const auto& [status, kind] : cases) {
    fake_.FailNext(1, status, std::nullopt, "GET /api/v1/projects/");
    const Outcome outcome = target_->Apply(State(kSub));
    EXPECT_EQ(outcome.kind, kind) << status << ": " << outcome.message;
    EXPECT_FALSE(outcome.retry_after_seconds.has_value());
  }
  fake_.FailNext(1, 429, 30);
  const Outcome limited = target_->Apply(State(kSub));
  EXPECT_EQ(limited.kind, OutcomeKind::kRetry);
  EXPECT_EQ(limited.retry_after_seconds, 30);
  fake_.GarbleNext(1, "GET /api/v1/projects/");
  const Outcome garbled = target_->Apply(State(kSub));
  EXPECT_EQ(garbled.kind, OutcomeKind::kPermanent);
  EXPECT_EQ(garbled.message, "Langflow sent an answer that is not JSON to GET /api/v1/projects/");
}

TEST_F(LangflowTargetTest, HangIsRetry) {
  outbound::GuardedClient quick(Options(400ms));
  std::unique_ptr<sync::Target> target = MakeLangflowTarget({fake_.base_url(), kKey}, quick);
  fake_.HangNext(1, "GET /api/v1/flows/");
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = target->Apply(State(kSub));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry) << outcome.message;
  EXPECT_NE(outcome.message.find("GET /api/v1/flows/customer-support-v1"), std::string::npos)
      << outcome.message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(target->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  ExpectProvisionedOnce(kSub, 9);
}

TEST_F(LangflowTargetTest, DownIsRetryAndBackConverges) {
  fake_.GoDown();
  const Outcome down = target_->Apply(State(kSub));
  EXPECT_EQ(down.kind, OutcomeKind::kRetry) << down.message;
  EXPECT_NE(down.message.find("Langflow did not answer GET /api/v1/variables/"), std::string::npos)
      << down.message;
  fake_.ComeBack();
  const Outcome back = target_->Apply(State(kSub));
  EXPECT_EQ(back.kind, OutcomeKind::kApplied) << back.message;
  ExpectProvisionedOnce(kSub, 9);
}

TEST_F(LangflowTargetTest, SlowLangflowStillConverges) {
  fake_.SetLatency(20ms);
  EXPECT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  ExpectProvisionedOnce(kSub, 9);
}

// capconf dying at its `crash_at`-th request: before sending it, or after Langflow carried it out
// but before the answer was seen. The target keeps nothing between calls, so this is what a
// crash looks like to the next Apply.
class CrashingClient final : public outbound::Client {
 public:
  CrashingClient(const outbound::Client& inner, int crash_at, bool after_sending)
      : inner_(inner), crash_at_(crash_at), after_sending_(after_sending) {}

  Result<outbound::Response> Send(const outbound::Request& request) const override {
    const int n = ++sent_;
    if (n == crash_at_ && !after_sending_) return UnavailableError("crashed before sending");
    Result<outbound::Response> response = inner_.Send(request);
    if (n == crash_at_) return UnavailableError("crashed after sending");
    return response;
  }

 private:
  const outbound::Client& inner_;
  const int crash_at_;
  const bool after_sending_;
  mutable std::atomic<int> sent_{0};
};

TEST_F(LangflowTargetTest, CrashAtAnyStepThenApplyAgainLeavesNoDuplicates) {
  // How many requests a first provisioning makes.
  ASSERT_EQ(target_->Apply(State("probe")).kind, OutcomeKind::kApplied);
  int steps = 0;
  for (const auto& [request, count] : fake_.request_counts()) steps += count;
  ASSERT_GE(steps, 6);

  for (int crash_at = 1; crash_at <= steps; ++crash_at) {
    for (const bool after_sending : {false, true}) {
      const std::string subscription =
          "crash" + std::to_string(crash_at) + (after_sending ? "a" : "b");
      SCOPED_TRACE(subscription);
      const DesiredState state = State(subscription);
      CrashingClient crashing(client_, crash_at, after_sending);
      const Outcome crashed = MakeLangflowTarget({fake_.base_url(), kKey}, crashing)->Apply(state);
      EXPECT_EQ(crashed.kind, OutcomeKind::kRetry) << crashed.message;
      const Outcome again = target_->Apply(state);
      ASSERT_EQ(again.kind, OutcomeKind::kApplied) << again.message;
      ExpectProvisionedOnce(subscription, 9);
      EXPECT_EQ(target_->Apply(state).kind, OutcomeKind::kApplied);
      ExpectProvisionedOnce(subscription, 9);
      for (const FakeProject& p : fake_.projects()) EXPECT_EQ(p.name.find(" ("), std::string::npos);
      for (const FakeFlow& f : fake_.flows()) EXPECT_EQ(f.name.find(" ("), std::string::npos);
    }
  }
}

TEST_F(LangflowTargetTest, CrashAtAnyStepOfAnUpdateThenApplyAgainConverges) {
  // An update touches every kind of write: a changed value (PATCH), a new leaf (POST), a removed
  // leaf (DELETE), credentials (PATCH) and a changed template flow (PATCH).
  DesiredState changed = State(kSub);
  changed.config["branding"].as_object()["agent_name"] = "Ada II";
  changed.config["branding"].as_object()["avatar"] = "owl";
  changed.config["behavior"].as_object().erase("languages");
  const std::string agent_name = Name(kSub, "/branding/agent_name");

  ASSERT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  const std::string flow_id = FlowsNamed(ResourceName(kSub)).at(0).id;
  fake_.AddTemplateFlow(kTemplateFlow, "Customer support", TemplateData("v2"));
  fake_.ResetCounts();
  ASSERT_EQ(target_->Apply(changed).kind, OutcomeKind::kApplied);
  int steps = 0;
  for (const auto& [request, count] : fake_.request_counts()) steps += count;
  EXPECT_EQ(RequestsStartingWith("PATCH /api/v1/variables/"), 3);   // agent_name, 2 credentials
  EXPECT_EQ(fake_.requests("POST /api/v1/variables/"), 1);          // avatar
  EXPECT_EQ(RequestsStartingWith("DELETE /api/v1/variables/"), 1);  // languages
  EXPECT_EQ(fake_.requests("PATCH /api/v1/flows/" + flow_id), 1);
  EXPECT_EQ(RequestsStartingWith("PUT "), 0);
  EXPECT_EQ(fake_.writes(), 6);

  for (int crash_at = 1; crash_at <= steps; ++crash_at) {
    for (const bool after_sending : {false, true}) {
      SCOPED_TRACE(std::to_string(crash_at) + (after_sending ? " after" : " before"));
      // Back to the old state (and template), then the update with a crash.
      fake_.AddTemplateFlow(kTemplateFlow, "Customer support", TemplateData("v1"));
      ASSERT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
      fake_.AddTemplateFlow(kTemplateFlow, "Customer support", TemplateData("v2"));
      CrashingClient crashing(client_, crash_at, after_sending);
      EXPECT_EQ(MakeLangflowTarget({fake_.base_url(), kKey}, crashing)->Apply(changed).kind,
                OutcomeKind::kRetry);
      // Updated in place: after a crash anywhere, the changed variable and the credentials are
      // there, with the old value or the new one.
      const std::map<std::string, FakeVariable> crashed = VariablesOf(kSub);
      ASSERT_EQ(crashed.count(agent_name), 1u);
      EXPECT_TRUE(crashed.at(agent_name).value == "Ada" ||
                  crashed.at(agent_name).value == "Ada II");
      EXPECT_EQ(crashed.count(Name(kSub, "/web_search/api_key")), 1u);
      EXPECT_EQ(crashed.count(Name(kSub, "/escalation/zendesk_api_token")), 1u);
      const Outcome again = target_->Apply(changed);
      ASSERT_EQ(again.kind, OutcomeKind::kApplied) << again.message;
      ExpectProvisionedOnce(kSub, 9);
      const std::map<std::string, FakeVariable> variables = VariablesOf(kSub);
      EXPECT_EQ(variables.at(agent_name).value, "Ada II");
      EXPECT_EQ(variables.count(Name(kSub, "/branding/avatar")), 1u);
      EXPECT_EQ(variables.count(Name(kSub, "/behavior/languages")), 0u);
      EXPECT_EQ(variables.at(Name(kSub, "/web_search/api_key")).value, kSecretA);
      const std::vector<FakeFlow> flows = FlowsNamed(ResourceName(kSub));
      ASSERT_EQ(flows.size(), 1u);
      EXPECT_EQ(flows[0].id, flow_id);
      EXPECT_EQ(Str(flows[0].data.at("version")), "v2");
    }
  }
}

TEST_F(LangflowTargetTest, CrashAfterProjectCreatedThenApplyAgain) {
  // The brief's case spelled out: the project is made, then Langflow fails.
  fake_.FailNext(1, 500, std::nullopt, "GET /api/v1/flows/");
  EXPECT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kRetry);
  EXPECT_EQ(ProjectsNamed(ResourceName(kSub)).size(), 1u);
  EXPECT_TRUE(FlowsNamed(ResourceName(kSub)).empty());
  ASSERT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  ExpectProvisionedOnce(kSub, 9);
  for (const FakeProject& p : fake_.projects()) EXPECT_EQ(p.name.find(" ("), std::string::npos);
}

TEST_F(LangflowTargetTest, MissingTemplateFlowIsPermanent) {
  DesiredState state = State(kSub);
  state.langflow_flow_id = "no-such-flow";
  const Outcome outcome = target_->Apply(state);
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
  EXPECT_EQ(outcome.message,
            "the template's flow no-such-flow does not exist in Langflow (404 to GET "
            "/api/v1/flows/no-such-flow)");
}

TEST_F(LangflowTargetTest, TemplateFlowChangeUpdatesTheCopyInPlace) {
  ASSERT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  const std::vector<FakeFlow> before = FlowsNamed(ResourceName(kSub));
  ASSERT_EQ(before.size(), 1u);

  fake_.AddTemplateFlow(kTemplateFlow, "Customer support", TemplateData("v2"));
  fake_.ResetCounts();
  const Outcome outcome = target_->Apply(State(kSub));
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << outcome.message;
  EXPECT_NE(outcome.message.find("flow updated"), std::string::npos) << outcome.message;
  EXPECT_EQ(fake_.requests("PATCH /api/v1/flows/" + before[0].id), 1);
  EXPECT_EQ(RequestsStartingWith("PUT "), 0);
  EXPECT_EQ(RequestsStartingWith("POST "), 0);
  const std::vector<FakeFlow> after = FlowsNamed(ResourceName(kSub));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_EQ(Str(after[0].data.at("version")), "v2");
  EXPECT_EQ(outcome.resources.at("langflow_flow"), before[0].id);
}

TEST_F(LangflowTargetTest, CopyDeletedSinceListedIsCopiedAgainOnTheNextApply) {
  ASSERT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  const std::string old_id = FlowsNamed(ResourceName(kSub)).at(0).id;
  fake_.AddTemplateFlow(kTemplateFlow, "Customer support", TemplateData("v2"));

  // Someone deletes the copy in Langflow between our listing and our PATCH: a 404.
  HookedClient racing(client_, [&](outbound::Request& request) {
    if (!IsPatchOf(request, "/api/v1/flows/" + old_id)) return;
    outbound::Request deletion = request;
    deletion.method = outbound::Method::kDelete;
    deletion.body.clear();
    ASSERT_EQ(client_.Send(deletion)->status, 200);
  });
  const Outcome raced = MakeLangflowTarget({fake_.base_url(), kKey}, racing)->Apply(State(kSub));
  EXPECT_EQ(raced.kind, OutcomeKind::kRetry) << raced.message;
  EXPECT_EQ(raced.message, "Langflow's flow " + old_id + " went away while syncing");
  EXPECT_TRUE(FlowsNamed(ResourceName(kSub)).empty());

  const Outcome again = target_->Apply(State(kSub));
  ASSERT_EQ(again.kind, OutcomeKind::kApplied) << again.message;
  EXPECT_NE(again.message.find("flow copied"), std::string::npos) << again.message;
  ExpectProvisionedOnce(kSub, 9);
  EXPECT_EQ(Str(FlowsNamed(ResourceName(kSub)).at(0).data.at("version")), "v2");
}

TEST_F(LangflowTargetTest, TemplateWithoutFlowSkipsAndRemovesTheCopy) {
  DesiredState state = State(kSub);
  state.langflow_flow_id.clear();
  Outcome outcome = target_->Apply(state);
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << outcome.message;
  EXPECT_NE(outcome.message.find("no flow (the template names none)"), std::string::npos);
  EXPECT_EQ(outcome.resources.count("langflow_flow"), 0u);
  EXPECT_TRUE(FlowsNamed(ResourceName(kSub)).empty());
  EXPECT_EQ(VariablesOf(kSub).size(), 9u);

  ASSERT_EQ(target_->Apply(State(kSub)).kind, OutcomeKind::kApplied);
  EXPECT_EQ(FlowsNamed(ResourceName(kSub)).size(), 1u);
  outcome = target_->Apply(state);
  EXPECT_NE(outcome.message.find("flow removed"), std::string::npos) << outcome.message;
  EXPECT_TRUE(FlowsNamed(ResourceName(kSub)).empty());
}

TEST_F(LangflowTargetTest, ConcurrentAppliesForManySubscriptions) {
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::vector<Outcome> outcomes(kThreads * 2);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const DesiredState state = State("concurrent" + std::to_string(t));
      outcomes[static_cast<std::size_t>(t) * 2] = target_->Apply(state);
      outcomes[static_cast<std::size_t>(t) * 2 + 1] = target_->Apply(state);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Outcome& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, OutcomeKind::kApplied) << outcome.message;
  }
  for (int t = 0; t < kThreads; ++t) ExpectProvisionedOnce("concurrent" + std::to_string(t), 9);
  EXPECT_EQ(fake_.variables().size(), static_cast<std::size_t>(kThreads) * 9);
}

TEST_F(LangflowTargetTest, FakeRedirectsCollectionsWithoutSlashAndKeepsNamesUnique) {
  // The fake behaves like Langflow where the target relies on it (see fake_langflow.h).
  outbound::Request request;
  request.url = fake_.base_url() + "/api/v1/projects";
  request.headers = {{"x-api-key", kKey}};
  Result<outbound::Response> redirected = client_.Send(request);
  ASSERT_TRUE(redirected.ok());
  EXPECT_EQ(redirected->status, 200);
  EXPECT_EQ(redirected->redirects, 1);

  request.method = outbound::Method::kPost;
  request.url = fake_.base_url() + "/api/v1/variables/";
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = R"({"name": "X", "value": "1", "type": "Generic", "default_fields": []})";
  EXPECT_EQ(client_.Send(request)->status, 201);
  EXPECT_EQ(client_.Send(request)->status, 400);  // a name the user already has
  request.body = R"({"name": "Y", "value": "", "type": "Generic"})";
  EXPECT_EQ(client_.Send(request)->status, 400);  // empty value
  request.url = fake_.base_url() + "/api/v1/projects/";
  request.body = R"({"name": "dup", "description": "", "components_list": [], "flows_list": []})";
  EXPECT_EQ(client_.Send(request)->status, 201);
  EXPECT_EQ(client_.Send(request)->status, 201);
  EXPECT_EQ(ProjectsNamed("dup").size(), 2u);
  EXPECT_EQ(ProjectsNamed("dup (1)").size(), 1u);
  request.headers = {{"x-api-key", "wrong"}};
  EXPECT_EQ(client_.Send(request)->status, 401);
}

TEST_F(LangflowTargetTest, FakeAnswersPatchLikeLangflow) {
  // PATCH /api/v1/variables/{id}: 200 with the updated variable (same id), 404 for an unknown id,
  // 400 for a name another variable has, 422 without "id" in the body.
  const std::string x = fake_.AddVariable("X", "Generic", "1");
  const std::string y = fake_.AddVariable("Y", "Generic", "2");
  auto patch = [&](const std::string& path, const std::string& body) {
    outbound::Request request{outbound::Method::kPatch,
                              fake_.base_url() + path,
                              {{"x-api-key", kKey}, {"Content-Type", "application/json"}},
                              body};
    Result<outbound::Response> response = client_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : outbound::Response{};
  };
  outbound::Response updated =
      patch("/api/v1/variables/" + x,
            R"({"id": ")" + x + R"(", "name": "X", "value": "3", "type": "Credential"})");
  EXPECT_EQ(updated.status, 200);
  const boost::json::value answer = boost::json::parse(updated.body);
  EXPECT_EQ(Str(answer.at("id")), x);
  EXPECT_EQ(Str(answer.at("name")), "X");
  EXPECT_EQ(Str(answer.at("type")), "Credential");
  EXPECT_TRUE(answer.at("value").is_null());  // a Credential is never read back
  EXPECT_EQ(fake_.variable("X")->value, "3");
  EXPECT_EQ(fake_.variable("X")->id, x);
  const std::string unknown = "00000000-0000-4000-8000-00000000ffff";
  EXPECT_EQ(
      patch("/api/v1/variables/" + unknown, R"({"id": ")" + unknown + R"(", "value": "4"})").status,
      404);
  EXPECT_EQ(patch("/api/v1/variables/" + y, R"({"id": ")" + y + R"(", "name": "X"})").status, 400);
  EXPECT_EQ(patch("/api/v1/variables/" + y, R"({"value": "5"})").status, 422);
  EXPECT_EQ(fake_.variable("Y")->value, "2");

  // PATCH /api/v1/flows/{id}: 200 with the updated flow, 404 for an unknown id, 400 for a name
  // another flow has; fields left out keep their value.
  outbound::Response flow =
      patch("/api/v1/flows/" + std::string(kTemplateFlow), R"({"description": "patched"})");
  EXPECT_EQ(flow.status, 200);
  const boost::json::value flow_answer = boost::json::parse(flow.body);
  EXPECT_EQ(Str(flow_answer.at("id")), kTemplateFlow);
  EXPECT_EQ(Str(flow_answer.at("name")), "Customer support");
  EXPECT_EQ(Str(flow_answer.at("description")), "patched");
  EXPECT_EQ(flow_answer.at("data"), TemplateData("v1"));
  EXPECT_EQ(patch("/api/v1/flows/" + unknown, R"({"name": "n"})").status, 404);
  fake_.AddTemplateFlow("other-flow", "Other", TemplateData("v1"));
  EXPECT_EQ(patch("/api/v1/flows/other-flow", R"({"name": "Customer support"})").status, 400);
}

}  // namespace
}  // namespace capconf::langflow
