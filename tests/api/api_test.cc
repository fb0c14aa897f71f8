// The API over real HTTP against a real `capconf serve` process, on SQLite and on PostgreSQL:
// sign-in, the configuration flow of every template, optimistic concurrency, capability rules,
// tenancy and roles, bad input, bearer tokens, and a seller's offering reaching buyers.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "browser.h"
#include "capconf/http/message.h"
#include "capconf/json/serialize.h"
#include "postgres_cluster.h"
#include "server_process.h"
#include "test_client.h"

namespace capconf {
namespace {
namespace bj = boost::json;
using http::testing::ClientResponse;
using http::testing::HeaderList;
using http::testing::TestClient;
using testing::Browser;
using testing::RunCli;

constexpr const char* kPassword = testing::kDemoPassword;

// A server that closes a connection must fail a request, not kill the test with SIGPIPE.
const bool kIgnoreSigpipe = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    std::string database = testing::FreshTestDatabase(GetParam(), &skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    database_ = database;
    auto server = testing::ServerProcess::Start(CAPCONF_BINARY, database);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    if (database_.empty()) database_ = "sqlite:" + DatabasePathFromOutput();
  }
  std::string DatabasePathFromOutput() {
    const std::string& out = server_->output();
    std::size_t at = out.find("database sqlite:");
    std::size_t end = out.find(' ', at + 16);
    return out.substr(at + 16, end - at - 16);
  }
  std::string Cli(const std::string& args, const std::string& input = "") {
    std::string feed = input.empty() ? "" : "printf '%s\\n' '" + input + "' | ";
    return RunCli(feed + std::string(CAPCONF_BINARY) + " " + args + " --database '" + database_ +
                  "' 2>&1");
  }
  std::string OfferingOf(Browser& b, const std::string& template_id) {
    bj::value offerings = b.Call("GET", "/api/v1/offerings").Json();
    for (const bj::value& o : offerings.at("offerings").as_array()) {
      if (o.at("template_id").as_string() == template_id)
        return std::string(o.at("id").as_string());
    }
    ADD_FAILURE() << "no offering of " << template_id;
    return "";
  }
  std::string Subscribe(Browser& b, const std::string& template_id) {
    ClientResponse r = b.Call("POST", "/api/v1/subscriptions",
                              bj::object{{"offering_id", OfferingOf(b, template_id)}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.Json().at("id").as_string()) : "";
  }
  std::uint16_t port() const { return server_->port(); }

  std::unique_ptr<testing::ServerProcess> server_;
  std::string database_;
};

TEST_P(ApiTest, SignsInWithPasswordAndProtectsStateChangesWithCsrf) {
  Browser b(port());
  EXPECT_EQ(b.Call("GET", "/api/v1/me").status, 401);
  ClientResponse wrong = b.SignIn("buyer@demo.capconf.dev", "wrong-password!");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(b.SignIn("nobody@demo.capconf.dev").status, 401);
  ClientResponse ok = b.SignIn("buyer@demo.capconf.dev");
  ASSERT_EQ(ok.status, 200) << ok.body;
  bool http_only = false;
  for (const auto& [name, value] : ok.headers) {
    if (http::EqualsIgnoreCase(name, "Set-Cookie") && value.rfind("capconf_session=", 0) == 0) {
      http_only = value.find("HttpOnly") != std::string::npos &&
                  value.find("SameSite=Strict") != std::string::npos;
    }
  }
  EXPECT_TRUE(http_only);
  ClientResponse me = b.Call("GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.Json().at("role").as_string(), "buyer");
  // A state change without the CSRF token is refused even with the cookie.
  ClientResponse forged =
      b.Call("POST", "/api/v1/subscriptions",
             bj::object{{"offering_id", OfferingOf(b, "topic-assistant")}}, {}, false);
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(b.Call("DELETE", "/api/v1/session").status, 204);
  EXPECT_EQ(b.Call("GET", "/api/v1/me").status, 401);
}

TEST_P(ApiTest, ConfiguresEveryTemplateEndToEnd) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  struct Case {
    const char* tmpl;
    bj::value bad;  // a config with one error
    const char* bad_pointer;
    bj::value good;
  };
  std::vector<Case> cases = {
      {"customer-support-agent",
       bj::parse(
           R"({"widget": {"position": "bottom-left", "theme": "dark", "allowed_domains": ["not a domain"]}})"),
       "/widget/allowed_domains/0",
       bj::parse(
           R"({"branding": {"agent_name": "Acme Helper"}, "widget": {"position": "bottom-left", "theme": "dark", "allowed_domains": ["acme.example"]},
                    "rag": {"sources": [{"type": "url", "url": "https://docs.acme.example"}], "chunk_size": 1024}})")},
      {"research-agent", bj::parse(R"({"search_settings": {"max_results": 50}})"),
       "/search_settings/max_results",
       bj::parse(
           R"({"search_settings": {"max_results": 10}, "web_search": {"provider": "brave", "api_key": "brave-secret-key-1234"}})")},
      {"topic-assistant", bj::parse(R"({"assistant_configuration": {"role": "Python Expert"}})"),
       "/assistant_configuration/system_prompt",
       bj::parse(
           R"({"assistant_configuration": {"role": "Python Expert", "system_prompt": "Answer with code."}})")},
      {"code-assistant", bj::parse(R"({"code_settings": {"style_guide": "tabs"}})"),
       "/code_settings/style_guide",
       bj::parse(R"({"code_settings": {"languages": ["go"], "style_guide": "google"}})")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tmpl);
    std::string sub = Subscribe(b, c.tmpl);
    ASSERT_FALSE(sub.empty());
    std::string base = "/api/v1/subscriptions/" + sub;
    ClientResponse config = b.Call("GET", base + "/config");
    ASSERT_EQ(config.status, 200) << config.body;
    EXPECT_EQ(config.Header("ETag"), "\"r1\"");
    EXPECT_EQ(config.Json().at("revision").as_int64(), 1);
    ClientResponse form = b.Call("GET", base + "/form");
    ASSERT_EQ(form.status, 200);
    EXPECT_TRUE(form.Json().at("schema").at("properties").as_object().contains("branding"));
    EXPECT_TRUE(form.Json().at("ui_schema").as_object().contains("ui:order"));
    // Without If-Match: 428; with an error: 422 at the field, nothing saved.
    EXPECT_EQ(b.Call("PUT", base + "/config", bj::object{{"config", c.good}}).status, 428);
    ClientResponse bad =
        b.Call("PUT", base + "/config", bj::object{{"config", c.bad}}, {{"If-Match", "\"r1\""}});
    ASSERT_EQ(bad.status, 422) << bad.body;
    bool at_field = false;
    bj::value problem = bad.Json();
    for (const bj::value& e : problem.at("errors").as_array())
      at_field = at_field || e.at("pointer").as_string() == c.bad_pointer;
    EXPECT_TRUE(at_field) << bad.body;
    EXPECT_EQ(b.Call("GET", base + "/config").Json().at("revision").as_int64(), 1);
    // Fixed: saved as revision 2, and a reload shows it.
    ClientResponse good =
        b.Call("PUT", base + "/config", bj::object{{"config", c.good}}, {{"If-Match", "\"r1\""}});
    ASSERT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(good.Header("ETag"), "\"r2\"");
    ClientResponse reload = b.Call("GET", base + "/config");
    EXPECT_EQ(reload.Json().at("revision").as_int64(), 2);
    // Secrets never come back; they are listed as set.
    EXPECT_EQ(reload.body.find("brave-secret-key-1234"), std::string::npos);
    if (std::string(c.tmpl) == "research-agent") {
      ASSERT_EQ(reload.Json().at("secrets").as_array().size(), 1u);
      EXPECT_EQ(reload.Json().at("secrets").at(0).at("pointer").as_string(), "/web_search/api_key");
      EXPECT_EQ(reload.Json().at("secrets").at(0).at("last4").as_string(), "1234");
    }
    // A stale revision: 412.
    EXPECT_EQ(
        b.Call("PUT", base + "/config", bj::object{{"config", c.good}}, {{"If-Match", "\"r1\""}})
            .status,
        412);
    // Revisions, a diff, and a restore that is a new revision.
    ClientResponse revisions = b.Call("GET", base + "/revisions");
    ASSERT_EQ(revisions.status, 200);
    ASSERT_EQ(revisions.Json().at("revisions").as_array().size(), 2u);
    EXPECT_EQ(revisions.Json().at("revisions").at(0).at("revision").as_int64(), 2);
    EXPECT_FALSE(revisions.Json().at("revisions").at(0).at("created_by").as_string().empty());
    ClientResponse diff = b.Call("GET", base + "/revisions/1/diff/2");
    ASSERT_EQ(diff.status, 200);
    EXPECT_FALSE(diff.Json().at("changes").as_array().empty());
    ClientResponse restored = b.Call("POST", base + "/revisions/1/restore");
    ASSERT_EQ(restored.status, 200) << restored.body;
    EXPECT_EQ(restored.Json().at("revision").as_int64(), 3);
    ClientResponse first = b.Call("GET", base + "/revisions/1");
    EXPECT_EQ(restored.Json().at("config").at("branding"),
              first.Json().at("config").at("branding"));
    ClientResponse cost = b.Call("GET", base + "/credit-cost?action=chat_message");
    ASSERT_EQ(cost.status, 200);
    EXPECT_GE(cost.Json().at("credits").as_int64(), 1);
    EXPECT_EQ(
        b.Call("GET", base + "/credit-cost?action=no_such_action").Json().at("credits").as_int64(),
        1);
  }
}

TEST_P(ApiTest, ConcurrentSavesExactlyOneWins) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string sub = Subscribe(b, "topic-assistant");
  std::string path = "/api/v1/subscriptions/" + sub + "/config";
  bj::value config =
      bj::parse(R"({"assistant_configuration": {"role": "r", "system_prompt": "p"}})");
  for (int round = 1; round <= 5; ++round) {
    std::string tag = "\"r" + std::to_string(round) + "\"";
    std::vector<int> statuses(4);
    std::vector<std::thread> threads;
    std::vector<std::unique_ptr<Browser>> browsers;
    for (int i = 0; i < 4; ++i) {
      browsers.push_back(std::make_unique<Browser>(port()));
      ASSERT_EQ(browsers.back()->SignIn("buyer@demo.capconf.dev").status, 200);
    }
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        statuses[i] = browsers[i]
                          ->Call("PUT", path, bj::object{{"config", config}}, {{"If-Match", tag}})
                          .status;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1) << "round " << round;
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 412), 3) << "round " << round;
  }
}

// Saves without a revision (If-Match: *) never lose each other: a save whose plan went stale
// while it waited is planned again under the write lock, so every one lands as a revision.
TEST_P(ApiTest, UnconditionalConcurrentSavesAllLand) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string sub = Subscribe(b, "topic-assistant");
  std::string path = "/api/v1/subscriptions/" + sub + "/config";
  constexpr int kThreads = 4;
  constexpr int kSavesEach = 15;
  std::vector<std::unique_ptr<Browser>> browsers;
  for (int i = 0; i < kThreads; ++i) {
    browsers.push_back(std::make_unique<Browser>(port()));
    ASSERT_EQ(browsers.back()->SignIn("buyer@demo.capconf.dev").status, 200);
  }
  std::vector<std::vector<int>> statuses(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < kSavesEach; ++n) {
        bj::value config = bj::object{{"assistant_configuration",
                                       bj::object{{"role", "writer " + std::to_string(i)},
                                                  {"system_prompt", "save " + std::to_string(n)}}}};
        statuses[i].push_back(
            browsers[i]
                ->Call("PUT", path, bj::object{{"config", config}}, {{"If-Match", "*"}})
                .status);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(std::count(statuses[i].begin(), statuses[i].end(), 200), kSavesEach) << i;
  }
  ClientResponse config = b.Call("GET", path);
  EXPECT_EQ(config.Json().at("revision").as_int64(), 1 + kThreads * kSavesEach);
  ClientResponse revisions = b.Call("GET", "/api/v1/subscriptions/" + sub + "/revisions?limit=100");
  ASSERT_EQ(revisions.status, 200) << revisions.body;
  bj::value list = revisions.Json().at("revisions");
  EXPECT_EQ(list.as_array().size(), static_cast<std::size_t>(1 + kThreads * kSavesEach));
  EXPECT_EQ(list.at(0).at("created_by_name").as_string(), "Bea Buyer");  // who, by name
}

// A save is all or nothing. The server is killed (SIGKILL) three times while four programs save
// as fast as they can; after each restart every save that was acknowledged is there with what
// was sent, the revisions are numbered without a gap, the current configuration is the newest
// revision, and saving goes on from it.
// serve runs with the larger per-thread malloc cache it sets for itself (src/cli/malloc_tuning.h),
// as the same process: the pid the test started is the one serving.
TEST_P(ApiTest, ServeRunsWithItsMallocTunables) {
  std::ifstream environ("/proc/" + std::to_string(server_->pid()) + "/environ", std::ios::binary);
  ASSERT_TRUE(environ) << "cannot read the server's environment";
  std::string variable;
  bool tuned = false;
  while (std::getline(environ, variable, '\0')) {
    tuned = tuned || (variable.rfind("GLIBC_TUNABLES=", 0) == 0 &&
                      variable.find("glibc.malloc.tcache_count=200") != std::string::npos);
  }
  EXPECT_TRUE(tuned);
  EXPECT_EQ(Browser(port()).Call("GET", "/healthz").status, 200);
}

TEST_P(ApiTest, KilledMidSaveLosesNothingAcknowledgedAndLeavesNoHalfSave) {
  std::string token = Cli("token create --email buyer@demo.capconf.dev --name crash --data-dir " +
                          server_->data_dir());
  ASSERT_EQ(token.rfind("cct_", 0), 0u) << token;
  std::string sub;
  {
    Browser b(port());
    b.UseBearer(token);
    sub = Subscribe(b, "topic-assistant");
  }
  const std::string path = "/api/v1/subscriptions/" + sub + "/config";
  struct Acknowledged {
    std::int64_t revision;
    std::string role;
  };
  std::vector<Acknowledged> acknowledged;
  std::mutex mutex;
  for (int crash = 0; crash < 3; ++crash) {
    std::atomic<bool> down{false};
    std::atomic<int> saved{0};
    std::vector<std::thread> writers;
    const std::uint16_t live_port = port();
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        TestClient client(live_port);
        for (int n = 0; !down; ++n) {
          std::string role = "crash " + std::to_string(crash) + " writer " + std::to_string(w) +
                             " save " + std::to_string(n);
          bj::object body{
              {"config", bj::object{{"assistant_configuration",
                                     bj::object{{"role", role}, {"system_prompt", "p"}}}}}};
          auto r = client.Request("PUT", path,
                                  {{"Authorization", "Bearer " + token},
                                   {"If-Match", "*"},
                                   {"Content-Type", "application/json"}},
                                  json::Serialize(body));
          if (!r.ok()) return;  // the server is gone
          if (r->status != 200) continue;
          std::lock_guard lock(mutex);
          acknowledged.push_back({r->Json().at("revision").as_int64(), role});
          ++saved;
        }
      });
    }
    while (saved < 20 * (crash + 1)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server_->Kill();
    down = true;
    for (auto& t : writers) t.join();
    ASSERT_TRUE(server_->Restart().ok());

    Browser b(port());
    b.UseBearer(token);
    ClientResponse current = b.Call("GET", path);
    ASSERT_EQ(current.status, 200) << current.body;
    const std::int64_t newest = current.Json().at("revision").as_int64();
    ClientResponse list = b.Call("GET", "/api/v1/subscriptions/" + sub + "/revisions?limit=500");
    ASSERT_EQ(list.status, 200) << list.body;
    bj::value revisions = list.Json().at("revisions");
    ASSERT_EQ(revisions.as_array().size(), static_cast<std::size_t>(newest)) << "a gap";
    for (std::size_t i = 0; i < revisions.as_array().size(); ++i) {
      EXPECT_EQ(revisions.as_array()[i].at("revision").as_int64(),
                newest - static_cast<std::int64_t>(i));
    }
    ClientResponse last =
        b.Call("GET", "/api/v1/subscriptions/" + sub + "/revisions/" + std::to_string(newest));
    ASSERT_EQ(last.status, 200) << last.body;
    // (The current view adds the api.keys projection; the revision holds what was saved.)
    EXPECT_EQ(last.Json().at("config").at("assistant_configuration"),
              current.Json().at("config").at("assistant_configuration"));
    for (const Acknowledged& a : acknowledged) {
      ASSERT_LE(a.revision, newest) << "an acknowledged save was lost";
      ClientResponse r = b.Call(
          "GET", "/api/v1/subscriptions/" + sub + "/revisions/" + std::to_string(a.revision));
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.Json().at("config").at("assistant_configuration").at("role").as_string(), a.role)
          << "revision " << a.revision;
    }
    std::string tag = "\"r" + std::to_string(newest) + "\"";
    ClientResponse next = b.Call(
        "PUT", path,
        bj::object{{"config",
                    bj::object{{"assistant_configuration",
                                bj::object{{"role", "after the crash"}, {"system_prompt", "p"}}}}}},
        {{"If-Match", tag}});
    ASSERT_EQ(next.status, 200) << next.body;
    EXPECT_EQ(next.Json().at("revision").as_int64(), newest + 1);
    acknowledged.push_back({newest + 1, "after the crash"});
  }
}

TEST_P(ApiTest, CapabilityRulesAndDefaults) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string sub = Subscribe(b, "customer-support-agent");
  std::string path = "/api/v1/subscriptions/" + sub + "/capabilities";
  ClientResponse on = b.Call("PATCH", path, bj::object{{"enable", bj::array{"escalation"}}});
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(
      on.Json().at("config").at("escalation").at("triggers").at("unanswered_threshold").as_int64(),
      3);
  EXPECT_EQ(on.Json().at("revision").as_int64(), 2);
  ClientResponse refused = b.Call("PATCH", path, bj::object{{"disable", bj::array{"rag"}}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.Json().at("problems").at(0).at("message").as_string(),
            "Knowledge Base is included in Customer Support Agent and cannot be turned off.");
  EXPECT_EQ(b.Call("PATCH", path, bj::object{{"enable", bj::array{"voice"}}}).status, 409);
  EXPECT_EQ(b.Call("PATCH", path, bj::object{{"enable", bj::array{"telepathy"}}}).status, 422);
  EXPECT_EQ(
      b.Call("GET", "/api/v1/subscriptions/" + sub + "/config").Json().at("revision").as_int64(),
      2);
}

TEST_P(ApiTest, EmbedCodeOnceTheWidgetIsOn) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string with_widget = Subscribe(b, "customer-support-agent");
  ClientResponse embed = b.Call("GET", "/api/v1/subscriptions/" + with_widget + "/embed");
  ASSERT_EQ(embed.status, 200) << embed.body;
  std::string script =
      "http://127.0.0.1:" + std::to_string(port()) + "/widget/v1/capconf-widget.js";
  EXPECT_EQ(embed.Json().at("script_url").as_string(), script);
  EXPECT_EQ(
      embed.Json().at("html").as_string(),
      "<script src=\"" + script + "\" data-capconf-agent=\"" + with_widget + "\" async></script>");
  EXPECT_FALSE(embed.Json().at("is_configured").as_bool());

  EXPECT_TRUE(embed.Json().at("enabled").as_bool());

  std::string without = Subscribe(b, "code-assistant");
  ClientResponse off = b.Call("GET", "/api/v1/subscriptions/" + without + "/embed");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(off.Json().at("enabled").as_bool());
  EXPECT_TRUE(off.Json().at("html").is_null());
  EXPECT_EQ(off.Json().at("reason").as_string(),
            "Enable the Embeddable Widget to get its embed code.");
}

TEST_P(ApiTest, AnotherTenantSeesNothingAndRolesAreEnforced) {
  Browser owner(port());
  ASSERT_EQ(owner.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string sub = Subscribe(owner, "topic-assistant");
  std::string id =
      Cli("user create --email rival@other.example --role buyer --organization 'Rival Inc' "
          "--password-stdin",
          "rival-password-1");
  ASSERT_EQ(id.size(), 26u) << id;
  Browser rival(port());
  ASSERT_EQ(rival.SignIn("rival@other.example", "rival-password-1").status, 200);
  Browser seller(port());
  ASSERT_EQ(seller.SignIn("seller@demo.capconf.dev").status, 200);
  std::string base = "/api/v1/subscriptions/" + sub;
  bj::value body = bj::object{{"config", bj::object{}}};
  for (Browser* other : {&rival, &seller}) {
    EXPECT_EQ(other->Call("GET", base).status, 404);
    EXPECT_EQ(other->Call("GET", base + "/config").status, 404);
    EXPECT_EQ(other->Call("GET", base + "/form").status, 404);
    EXPECT_EQ(other->Call("PUT", base + "/config", body, {{"If-Match", "\"r1\""}}).status, 404);
    EXPECT_EQ(
        other->Call("PATCH", base + "/capabilities", bj::object{{"enable", bj::array{}}}).status,
        404);
    EXPECT_EQ(other->Call("GET", base + "/revisions").status, 404);
    EXPECT_EQ(other->Call("POST", base + "/revisions/1/restore").status, 404);
    EXPECT_EQ(other->Call("POST", base + "/cancel").status, 404);
  }
  // Roles: buyers do not publish, sellers do not subscribe.
  EXPECT_EQ(owner
                .Call("POST", "/api/v1/offerings",
                      bj::object{{"template_id", "topic-assistant"}, {"name", "Mine"}})
                .status,
            403);
  EXPECT_EQ(seller
                .Call("POST", "/api/v1/subscriptions",
                      bj::object{{"offering_id", OfferingOf(seller, "topic-assistant")}})
                .status,
            403);
  EXPECT_EQ(owner.Call("GET", base + "/config").Json().at("revision").as_int64(), 1);
}

TEST_P(ApiTest, BadInputGetsAClearProblemAndChangesNothing) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string sub = Subscribe(b, "topic-assistant");
  std::string path = "/api/v1/subscriptions/" + sub + "/config";
  HeaderList match = {{"If-Match", "\"r1\""}};
  ClientResponse malformed = b.Raw("PUT", path, "{\"config\": {", match);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.Header("Content-Type"), "application/problem+json");
  EXPECT_NE(malformed.Json().at("detail").as_string().find("line 1"), std::string::npos);
  EXPECT_EQ(b.Raw("PUT", path, "[1,2]", match).status, 422);
  EXPECT_EQ(b.Raw("PUT", path, R"({"config": {}, "revision": 7})", match).status, 422);
  EXPECT_EQ(b.Raw("PUT", path, R"({"config": {}, "surprise": true})", match).status, 422);
  EXPECT_EQ(b.Raw("PUT", path, R"({"config": 5})", match).status, 422);
  EXPECT_EQ(
      b.Raw("PUT", path, R"({"config": {"assistant_configuration": {"role": 5}}})", match).status,
      422);
  std::string deep = std::string(200, '[') + std::string(200, ']');
  EXPECT_EQ(b.Raw("PUT", path, "{\"config\": " + deep + "}", match).status, 413);
  EXPECT_EQ(
      b.Raw("PUT", path, "{\"config\": {\"x\": \"" + std::string(2 << 20, 'a') + "\"}}", match)
          .status,
      413);
  EXPECT_EQ(b.Raw("POST", "/api/v1/subscriptions", R"({"offering": "x"})").status, 422);
  EXPECT_EQ(b.Raw("POST", "/api/v1/subscriptions", R"({"offering_id": 5})").status, 422);
  EXPECT_EQ(b.Raw("PATCH", "/api/v1/subscriptions/" + sub + "/capabilities", R"({"enable": "api"})")
                .status,
            422);
  EXPECT_EQ(b.Call("GET", path).Json().at("revision").as_int64(), 1);
  EXPECT_EQ(b.Call("GET", "/api/v1/subscriptions").Json().at("subscriptions").as_array().size(),
            1u);
}

TEST_P(ApiTest, BearerTokensNeedNoCookieOrCsrf) {
  std::string token = Cli("token create --email buyer@demo.capconf.dev --name ci --data-dir " +
                          server_->data_dir());
  ASSERT_EQ(token.rfind("cct_", 0), 0u) << token;
  Browser program(port());
  program.UseBearer(token);
  ClientResponse me = program.Call("GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json().at("email").as_string(), "buyer@demo.capconf.dev");
  ClientResponse sub =
      program.Call("POST", "/api/v1/subscriptions",
                   bj::object{{"offering_id", OfferingOf(program, "topic-assistant")}});
  EXPECT_EQ(sub.status, 201) << sub.body;
  Browser forger(port());
  forger.UseBearer("cct_notarealtokenatall0000000000000000");
  EXPECT_EQ(forger.Call("GET", "/api/v1/me").status, 401);
  std::string typo = token;
  typo[10] = typo[10] == 'a' ? 'b' : 'a';
  forger.UseBearer(typo);
  EXPECT_EQ(forger.Call("GET", "/api/v1/me").status, 401);
}

TEST_P(ApiTest, ASellersOfferingReachesBuyers) {
  Browser seller(port());
  ASSERT_EQ(seller.SignIn("seller@demo.capconf.dev").status, 200);
  ClientResponse created =
      seller.Call("POST", "/api/v1/offerings",
                  bj::object{{"template_id", "code-assistant"},
                             {"name", "Rusty Reviewer"},
                             {"description", "Reviews Rust"},
                             {"credit_costs", bj::object{{"code_execution", 4}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id(created.Json().at("id").as_string());
  EXPECT_EQ(created.Json().at("state").as_string(), "draft");
  EXPECT_EQ(created.Json().at("credit_costs").at("code_execution").as_int64(), 4);
  Browser buyer(port());
  ASSERT_EQ(buyer.SignIn("buyer@demo.capconf.dev").status, 200);
  EXPECT_EQ(buyer.Call("GET", "/api/v1/offerings/" + id).status, 404);  // a draft is invisible
  ASSERT_EQ(seller.Call("PATCH", "/api/v1/offerings/" + id, bj::object{{"state", "active"}}).status,
            200);
  ClientResponse found = buyer.Call("GET", "/api/v1/offerings/" + id);
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(found.Json().at("name").as_string(), "Rusty Reviewer");
  ClientResponse sub = buyer.Call("POST", "/api/v1/subscriptions", bj::object{{"offering_id", id}});
  ASSERT_EQ(sub.status, 201);
  ClientResponse cost =
      buyer.Call("GET", "/api/v1/subscriptions/" + std::string(sub.Json().at("id").as_string()) +
                            "/credit-cost?action=code_execution");
  EXPECT_EQ(cost.Json().at("credits").as_int64(), 4);
  ClientResponse subs = seller.Call("GET", "/api/v1/offerings/" + id + "/subscriptions");
  ASSERT_EQ(subs.status, 200);
  ASSERT_EQ(subs.Json().at("subscriptions").as_array().size(), 1u);
  // Lists say what each row is without a call per row: the buyer's name for the seller, the
  // offering and whether the agent is configured for both.
  const bj::value seen = subs.Json().at("subscriptions").at(0);
  EXPECT_EQ(seen.at("organization_name").as_string(), "Globex Corporation");
  EXPECT_EQ(seen.at("offering_name").as_string(), "Rusty Reviewer");
  EXPECT_EQ(seen.at("template_id").as_string(), "code-assistant");
  // code-assistant's defaults (api only) are a complete configuration from the start.
  EXPECT_TRUE(seen.at("is_configured").as_bool());
  EXPECT_EQ(seen.at("revision").as_int64(), 1);
  ClientResponse mine = buyer.Call("GET", "/api/v1/subscriptions");
  ASSERT_EQ(mine.status, 200);
  const bj::value listed = mine.Json().at("subscriptions");
  ASSERT_EQ(listed.as_array().size(), 1u);
  EXPECT_EQ(listed.at(0).at("offering_name").as_string(), "Rusty Reviewer");
  EXPECT_EQ(listed.at(0).at("template_version").as_int64(), 1);
  EXPECT_EQ(
      seller.Call("POST", "/api/v1/offerings", bj::object{{"template_id", "nope"}, {"name", "x"}})
          .status,
      422);
}

TEST_P(ApiTest, ApiKeysAreShownOnceAndProjectedIntoTheConfig) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string sub = Subscribe(b, "topic-assistant");
  std::string base = "/api/v1/subscriptions/" + sub;
  ClientResponse created =
      b.Call("POST", base + "/api-keys",
             bj::object{{"name", "backend"}, {"permissions", bj::array{"chat", "config"}}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string secret(created.Json().at("secret").as_string());
  EXPECT_EQ(secret.rfind("cck_", 0), 0u);
  std::string prefix(created.Json().at("prefix").as_string());
  EXPECT_EQ(secret.rfind(prefix, 0), 0u);
  ClientResponse list = b.Call("GET", base + "/api-keys");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(list.Json().at("api_keys").at(0).at("prefix").as_string(), prefix);
  ClientResponse config = b.Call("GET", base + "/config");
  EXPECT_EQ(config.body.find(secret), std::string::npos);
  bj::value doc = config.Json();
  ASSERT_EQ(doc.at("config").at("api").at("keys").as_array().size(), 1u);
  EXPECT_EQ(doc.at("config").at("api").at("keys").at(0).at("name").as_string(), "backend");
  // The projection may come back unchanged; changing it is refused as read-only.
  bj::value edited = doc.at("config");
  edited.as_object()["assistant_configuration"] = bj::object{{"role", "r"}, {"system_prompt", "p"}};
  ClientResponse same =
      b.Call("PUT", base + "/config", bj::object{{"config", edited}}, {{"If-Match", "\"r1\""}});
  EXPECT_EQ(same.status, 200) << same.body;
  edited.at("api").at("keys").as_array().clear();
  edited.at("api").at("keys").as_array().push_back(bj::object{{"name", "forged"}});
  ClientResponse forged =
      b.Call("PUT", base + "/config", bj::object{{"config", edited}}, {{"If-Match", "\"r2\""}});
  EXPECT_EQ(forged.status, 422);
  EXPECT_NE(forged.body.find("/api/keys"), std::string::npos);
  std::string key_id(created.Json().at("id").as_string());
  EXPECT_EQ(b.Call("DELETE", base + "/api-keys/" + key_id).status, 204);
  bj::value after = b.Call("GET", base + "/api-keys").Json();
  EXPECT_FALSE(after.at("api_keys").at(0).at("revoked_at").is_null());
  EXPECT_TRUE(
      b.Call("GET", base + "/config").Json().at("config").at("api").at("keys").as_array().empty());
  EXPECT_EQ(b.Call("POST", base + "/api-keys",
                   bj::object{{"name", "x"}, {"permissions", bj::array{"root"}}})
                .status,
            422);
  // If-Match: * saves over whatever is current.
  EXPECT_EQ(b.Call("PUT", base + "/config",
                   bj::object{{"config",
                               bj::object{{"assistant_configuration",
                                           bj::object{{"role", "r2"}, {"system_prompt", "p"}}}}}},
                   {{"If-Match", "*"}})
                .status,
            200);
  // That save sent no `api` section: the projection is checked and shown, never stored.
  bj::value now = b.Call("GET", base + "/config").Json();
  EXPECT_TRUE(now.at("config").at("api").at("keys").as_array().empty());
  std::string newest = std::to_string(now.at("revision").as_int64());
  bj::value stored = b.Call("GET", base + "/revisions/" + newest).Json();
  EXPECT_FALSE(stored.at("config").as_object().contains("api")) << stored;
  // An `api` that is not an object is reported as such, not replaced by the projection.
  ClientResponse wrong =
      b.Call("PUT", base + "/config",
             bj::object{{"config", bj::object{{"assistant_configuration",
                                               bj::object{{"role", "r3"}, {"system_prompt", "p"}}},
                                              {"api", 5}}}},
             {{"If-Match", "*"}});
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  bool api_type_reported = false;
  const bj::value problem = wrong.Json();
  for (const bj::value& e : problem.at("errors").as_array()) {
    api_type_reported =
        api_type_reported || (e.at("pointer") == "/api" && e.at("keyword") == "type");
  }
  EXPECT_TRUE(api_type_reported) << wrong.body;
  EXPECT_EQ(b.Call("GET", base + "/config").Json().at("revision"), now.at("revision"));
}

TEST_P(ApiTest, SecretsAreWriteOnly) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string sub = Subscribe(b, "research-agent");
  std::string base = "/api/v1/subscriptions/" + sub;
  bj::value config =
      bj::parse(R"({"web_search": {"provider": "tavily", "api_key": "tvly-very-secret-9876"}})");
  ASSERT_EQ(
      b.Call("PUT", base + "/config", bj::object{{"config", config}}, {{"If-Match", "\"r1\""}})
          .status,
      200);
  ClientResponse secrets = b.Call("GET", base + "/secrets");
  ASSERT_EQ(secrets.status, 200);
  EXPECT_EQ(secrets.body.find("tvly-very-secret"), std::string::npos);
  EXPECT_EQ(secrets.Json().at("secrets").at(0).at("last4").as_string(), "9876");
  ClientResponse view = b.Call("GET", base + "/config");
  EXPECT_EQ(view.body.find("tvly-very-secret"), std::string::npos);
  EXPECT_FALSE(view.Json().at("config").at("web_search").as_object().contains("api_key"));
  // The need for the key is met while it is set.
  bj::value missing = view.Json().at("missing");
  for (const bj::value& m : missing.as_array())
    EXPECT_NE(m.at("need").as_string(), "search_api_key");
  // Saving again without the key keeps it; deleting it brings the need back.
  ASSERT_EQ(b.Call("PUT", base + "/config",
                   bj::object{{"config", bj::parse(R"({"web_search": {"provider": "tavily"}})")}},
                   {{"If-Match", "\"r2\""}})
                .status,
            200);
  EXPECT_EQ(b.Call("GET", base + "/secrets").Json().at("secrets").as_array().size(), 1u);
  EXPECT_EQ(b.Call("DELETE", base + "/secrets?pointer=/web_search/api_key").status, 204);
  bj::value after = b.Call("GET", base + "/config").Json().at("missing");
  bool needed = false;
  for (const bj::value& m : after.as_array())
    needed = needed || m.at("need").as_string() == "search_api_key";
  EXPECT_TRUE(needed);
}

TEST_P(ApiTest, FilesAreSniffedStoredOnceAndPrivateToTheirOrganisation) {
  Browser b(port());
  ASSERT_EQ(b.SignIn("buyer@demo.capconf.dev").status, 200);
  std::string pdf = "%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n";
  ClientResponse uploaded = b.Raw("POST", "/api/v1/files?filename=handbook.pdf&purpose=document",
                                  pdf, {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  bj::value file = uploaded.Json();
  EXPECT_EQ(file.at("content_type").as_string(), "application/pdf");
  EXPECT_EQ(file.at("size").as_int64(), static_cast<std::int64_t>(pdf.size()));
  std::string id(file.at("id").as_string());
  ClientResponse content = b.Call("GET", "/api/v1/files/" + id + "/content");
  ASSERT_EQ(content.status, 200);
  EXPECT_EQ(content.body, pdf);
  EXPECT_EQ(content.Header("Content-Type"), "application/pdf");
  EXPECT_NE(content.Header("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(b.Call("GET", "/api/v1/files").Json().at("files").as_array().size(), 1u);
  // The claimed type does not matter: an executable named .pdf is refused.
  EXPECT_EQ(b.Raw("POST", "/api/v1/files?filename=evil.pdf",
                  std::string("\x7f"
                              "ELF\x02\x01\x01\0",
                              8))
                .status,
            415);
  EXPECT_EQ(b.Raw("POST", "/api/v1/files?filename=notes.txt&purpose=avatar", "just text").status,
            415);
  EXPECT_EQ(b.Raw("POST", "/api/v1/files?filename=a/b.txt", "x").status, 400);
  EXPECT_EQ(b.Raw("POST", "/api/v1/files?filename=big.txt", std::string(10 * 1024 * 1024 + 1, 'a'))
                .status,
            413);
  // Another organisation sees nothing.
  Browser seller(port());
  ASSERT_EQ(seller.SignIn("seller@demo.capconf.dev").status, 200);
  EXPECT_EQ(seller.Call("GET", "/api/v1/files/" + id).status, 404);
  EXPECT_EQ(seller.Call("GET", "/api/v1/files/" + id + "/content").status, 404);
  EXPECT_EQ(seller.Call("DELETE", "/api/v1/files/" + id).status, 404);
  EXPECT_TRUE(seller.Call("GET", "/api/v1/files").Json().at("files").as_array().empty());
  // Avatars have a public URL for the widget; documents do not.
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  ClientResponse avatar = b.Raw("POST", "/api/v1/files?filename=me.png&purpose=avatar", png);
  ASSERT_EQ(avatar.status, 201) << avatar.body;
  std::string url(avatar.Json().at("public_url").as_string());
  const std::string origin = "http://127.0.0.1:" + std::to_string(port());
  ASSERT_EQ(url.rfind(origin + "/public/avatars/", 0), 0u) << url;
  url.erase(0, origin.size());
  Browser anonymous(port());
  ClientResponse shown = anonymous.Call("GET", url);
  EXPECT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body, png);
  EXPECT_EQ(anonymous.Call("GET", "/public/avatars/" + id).status, 404);
  EXPECT_EQ(b.Call("DELETE", "/api/v1/files/" + id).status, 204);
  EXPECT_EQ(b.Call("GET", "/api/v1/files/" + id).status, 404);
}

TEST_P(ApiTest, StopsGracefullyOnSigterm) { EXPECT_EQ(server_->Stop(), 0); }

std::string BackendName(const ::testing::TestParamInfo<std::string>& backend) {
  return backend.param;
}
INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::Values("sqlite", "postgres"), BackendName);

}  // namespace
}  // namespace capconf
