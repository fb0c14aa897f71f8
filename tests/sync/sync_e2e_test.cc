// The sync pipeline end to end: a real `capconf serve` process (SQLite and PostgreSQL) syncing
// to the fakes of Langflow and Ragflow, which run in this test process on loopback, and a small
// website on loopback for a crawled URL source.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "browser.h"
#include "capconf/langflow/langflow.h"
#include "fake_langflow.h"
#include "fake_ragflow.h"
#include "server_process.h"
#include "test_http_server.h"

namespace capconf {
namespace {
namespace bj = boost::json;
using namespace std::chrono_literals;
using http::testing::ClientResponse;
using testing::Browser;

const bool kIgnoreSigpipe = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

constexpr const char* kLangflowKey = "lf-test-key-0123456789";
constexpr const char* kRagflowKey = "rf-test-key-0123456789";

// A two-page website: /docs links to /docs/setup.
testing::Reply Website(const testing::ReceivedRequest& request) {
  if (request.target == "/robots.txt") return testing::MakeReply(404);
  if (request.target == "/docs") {
    return testing::MakeReply(
        200, "<html><body><h1>Docs</h1><a href=\"/docs/setup\">Setup</a></body></html>",
        {{"Content-Type", "text/html; charset=utf-8"}});
  }
  if (request.target == "/docs/setup") {
    return testing::MakeReply(200, "<html><body><p>Run the installer.</p></body></html>",
                              {{"Content-Type", "text/html; charset=utf-8"}});
  }
  return testing::MakeReply(404);
}

// A `capconf worker` process: started with `args`, its standard output kept in a file.
class WorkerProcess {
 public:
  explicit WorkerProcess(std::vector<std::string> args) {
    char pattern[] = "/tmp/capconf-worker-out-XXXXXX";
    const int fd = mkstemp(pattern);
    output_path_ = pattern;
    args.insert(args.begin(), {CAPCONF_BINARY, "worker"});
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fd, STDOUT_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fd);
  }
  ~WorkerProcess() {
    if (pid_ > 0) Stop();
    std::remove(output_path_.c_str());
  }
  // SIGTERM and wait: the exit status (-1 when it did not exit normally).
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string output() const {
    std::string text;
    if (FILE* f = std::fopen(output_path_.c_str(), "r")) {
      char buffer[512];
      std::size_t n;
      while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
      std::fclose(f);
    }
    return text;
  }

 private:
  pid_t pid_ = -1;
  std::string output_path_;
};

class SyncEndToEndTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    database_ = testing::FreshTestDatabase(GetParam(), &skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    // The server inherits the keys from the environment, as an operator would pass them.
    setenv("CAPCONF_LANGFLOW_API_KEY", kLangflowKey, 1);
    setenv("CAPCONF_RAGFLOW_API_KEY", kRagflowKey, 1);
    langflow_.AddTemplateFlow("customer-support-v1", "Customer support",
                              bj::parse(R"({"nodes": [], "edges": []})"));
    langflow_.AddTemplateFlow("topic-assistant-v1", "Topic assistant",
                              bj::parse(R"({"nodes": [], "edges": []})"));
    ragflow_.SetParseListCalls(1);
  }

  void StartServer(std::vector<std::string> extra = {}, bool with_targets = true) {
    std::vector<std::string> args = {"--sync-poll-ms",  "50",   "--sync-retry-base-ms", "50",
                                     "--sync-lease-ms", "1500", "--sync-fetch-loopback"};
    if (with_targets) {
      args.insert(args.end(),
                  {"--langflow-url", langflow_.base_url(), "--ragflow-url", ragflow_.Url()});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = testing::ServerProcess::Start(CAPCONF_BINARY, database_, args);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    browser_ = std::make_unique<Browser>(server_->port());
    ASSERT_EQ(browser_->SignIn("buyer@demo.capconf.dev").status, 200);
  }

  std::string Subscribe(const std::string& template_id) {
    bj::value offerings = browser_->Call("GET", "/api/v1/offerings").Json();
    std::string offering;
    for (const bj::value& o : offerings.at("offerings").as_array()) {
      if (o.at("template_id").as_string() == template_id) offering = o.at("id").as_string();
    }
    ClientResponse r =
        browser_->Call("POST", "/api/v1/subscriptions", bj::object{{"offering_id", offering}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.Json().at("id").as_string()) : "";
  }

  bj::value Sync(const std::string& sub) {
    ClientResponse r = browser_->Call("GET", "/api/v1/subscriptions/" + sub + "/sync");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Json() : bj::value();
  }

  static const bj::value* TargetOf(const bj::value& sync, std::string_view target) {
    if (!sync.is_object()) return nullptr;
    for (const bj::value& t : sync.at("targets").as_array()) {
      if (t.at("target").as_string() == target) return &t;
    }
    return nullptr;
  }

  // Polls GET .../sync until `done` holds (or the limit passes); the last answer.
  bj::value WaitFor(const std::string& sub, const std::function<bool(const bj::value&)>& done,
                    std::chrono::milliseconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    bj::value sync;
    while (std::chrono::steady_clock::now() < deadline) {
      sync = Sync(sub);
      if (done(sync)) return sync;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "not reached within " << limit.count() << " ms: " << bj::serialize(sync);
    return sync;
  }

  // Every target in sync at `revision` or later.
  bj::value WaitInSync(const std::string& sub, std::int64_t revision,
                       std::chrono::milliseconds limit = 30s) {
    return WaitFor(
        sub,
        [&](const bj::value& s) {
          if (!s.is_object() || !s.at("in_sync").as_bool()) return false;
          for (const bj::value& t : s.at("targets").as_array()) {
            if (t.at("applied_revision").as_int64() < revision) return false;
          }
          return true;
        },
        limit);
  }

  int ProjectsNamed(const std::string& name) const {
    int n = 0;
    for (const auto& p : langflow_.projects()) n += p.name == name;
    return n;
  }
  int FlowsNamed(const std::string& name) const {
    int n = 0;
    for (const auto& f : langflow_.flows()) n += f.name == name;
    return n;
  }
  std::optional<std::string> Variable(const std::string& sub, const std::string& pointer) const {
    auto name = langflow::VariableName(sub, pointer);
    if (!name.ok()) return std::nullopt;
    auto v = langflow_.variable(*name);
    if (!v) return std::nullopt;
    return v->value;
  }

  ClientResponse Save(const std::string& sub, std::int64_t revision, const bj::value& config) {
    return browser_->Call("PUT", "/api/v1/subscriptions/" + sub + "/config",
                          bj::object{{"config", config}},
                          {{"If-Match", "\"r" + std::to_string(revision) + "\""}});
  }

  std::string database_;
  testing::FakeLangflow langflow_{kLangflowKey};
  testing::FakeRagflow ragflow_{kRagflowKey};
  testing::TestHttpServer website_{Website};
  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<Browser> browser_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SyncEndToEndTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

TEST_P(SyncEndToEndTest, SubscribingProvisionsAndEverySaveSyncs) {
  StartServer();
  const std::string sub = Subscribe("customer-support-agent");
  ASSERT_FALSE(sub.empty());
  const std::string name = "capconf-" + sub;

  // Subscribed: a project with the template's flow, and a knowledge base.
  bj::value sync = WaitInSync(sub, 1);
  EXPECT_EQ(ProjectsNamed(name), 1);
  EXPECT_EQ(FlowsNamed(name), 1);
  auto dataset = ragflow_.DatasetByName(name);
  ASSERT_TRUE(dataset.has_value());
  ASSERT_NE(TargetOf(sync, "ragflow"), nullptr);
  EXPECT_EQ(TargetOf(sync, "ragflow")->at("resources").at("ragflow_collection").as_string(),
            dataset->id);
  // The collection exists now, so readiness only misses the sources.
  bj::value config = browser_->Call("GET", "/api/v1/subscriptions/" + sub + "/config").Json();
  EXPECT_FALSE(config.at("is_configured").as_bool());
  for (const bj::value& m : config.at("missing").as_array()) {
    EXPECT_NE(m.at("message").as_string(), "The knowledge base collection is still being created.");
  }

  // A file and a crawled website as sources.
  ClientResponse file =
      browser_->Raw("POST", "/api/v1/files?filename=handbook.txt&purpose=document",
                    "Refunds within 30 days.", {{"Content-Type", "text/plain"}});
  ASSERT_EQ(file.status, 201) << file.body;
  const std::string file_id(file.Json().at("id").as_string());
  bj::value sources =
      bj::array{bj::object{{"type", "file"}, {"file_id", file_id}, {"filename", "handbook.txt"}},
                bj::object{{"type", "url"}, {"url", website_.Url("/docs")}, {"crawl_depth", 2}}};
  bj::object good{{"branding", bj::object{{"agent_name", "Acme Helper"}}},
                  {"widget", bj::object{{"position", "bottom-left"},
                                        {"theme", "dark"},
                                        {"allowed_domains", bj::array{"acme.example"}}}},
                  {"rag", bj::object{{"sources", sources}, {"chunk_size", 1024}}}};
  ClientResponse saved = Save(sub, 1, good);
  ASSERT_EQ(saved.status, 200) << saved.body;
  WaitInSync(sub, 2);
  EXPECT_EQ(Variable(sub, "/branding/agent_name"), "Acme Helper");
  EXPECT_EQ(Variable(sub, "/widget/theme"), "dark");
  dataset = ragflow_.DatasetByName(name);
  ASSERT_TRUE(dataset.has_value());
  EXPECT_EQ(dataset->chunk_token_num, 1024);
  std::vector<std::string> documents = ragflow_.DocumentNames(dataset->id);
  ASSERT_EQ(documents.size(), 3u) << "the file and two crawled pages";
  int files = 0, pages = 0;
  for (const std::string& d : documents) {
    files += d.rfind("f-", 0) == 0;
    pages += d.rfind("u-", 0) == 0;
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ(pages, 2);
  config = browser_->Call("GET", "/api/v1/subscriptions/" + sub + "/config").Json();
  EXPECT_TRUE(config.at("is_configured").as_bool()) << bj::serialize(config.at("missing"));

  // The website source removed: exactly its pages go, never everything.
  good["rag"].as_object()["sources"] = bj::array{sources.as_array()[0]};
  ASSERT_EQ(Save(sub, 2, good).status, 200);
  WaitInSync(sub, 3);
  documents = ragflow_.DocumentNames(dataset->id);
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_EQ(documents[0].rfind("f-", 0), 0u);
  EXPECT_FALSE(ragflow_.DeletedEverything());

  // Cancelled: the targets clean up, and the job says so.
  ASSERT_EQ(browser_->Call("POST", "/api/v1/subscriptions/" + sub + "/cancel").status, 200);
  WaitFor(sub, [&](const bj::value&) {
    return ProjectsNamed(name) == 0 && !ragflow_.DatasetByName(name).has_value();
  });
  EXPECT_EQ(FlowsNamed(name), 0);
  EXPECT_FALSE(Variable(sub, "/branding/agent_name").has_value());
  EXPECT_FALSE(ragflow_.DeletedEverything());
}

TEST_P(SyncEndToEndTest, TargetsDownForAWhileRetryAndConvergeWithNothingLostOrDoubled) {
  langflow_.GoDown();
  ragflow_.GoDown();
  StartServer();
  const std::string sub = Subscribe("customer-support-agent");
  const std::string name = "capconf-" + sub;
  ASSERT_EQ(Save(sub, 1, bj::object{{"branding", bj::object{{"agent_name", "First"}}}}).status,
            200);
  ASSERT_EQ(Save(sub, 2, bj::object{{"branding", bj::object{{"agent_name", "Second"}}}}).status,
            200);
  // Both keep failing, say why, and keep trying.
  bj::value sync = WaitFor(sub, [](const bj::value& s) {
    for (const char* target : {"langflow", "ragflow"}) {
      const bj::value* t = TargetOf(s, target);
      if (!t || t->at("state").as_string() != "failing" || t->at("attempts").as_int64() < 2)
        return false;
    }
    return true;
  });
  const bj::value* failing = TargetOf(sync, "langflow");
  ASSERT_NE(failing, nullptr);
  EXPECT_TRUE(failing->at("last_error").is_string());
  EXPECT_FALSE(failing->at("next_attempt_at").is_null());
  EXPECT_EQ(failing->at("desired_revision").as_int64(), 3);
  EXPECT_EQ(failing->at("applied_revision").as_int64(), 0);
  EXPECT_EQ(ProjectsNamed(name), 0);

  langflow_.ComeBack();
  ragflow_.ComeBack();
  WaitInSync(sub, 3);
  EXPECT_EQ(ProjectsNamed(name), 1);
  EXPECT_EQ(FlowsNamed(name), 1);
  EXPECT_EQ(Variable(sub, "/branding/agent_name"), "Second") << "the newest revision, not a replay";
  int datasets = 0;
  for (const auto& d : ragflow_.Datasets()) datasets += d.name == name;
  EXPECT_EQ(datasets, 1);
}

TEST_P(SyncEndToEndTest, KilledMidSyncConvergesAfterRestart) {
  langflow_.SetLatency(400ms);  // a provisioning takes seconds: time to kill the server in it
  StartServer();
  const std::string sub = Subscribe("topic-assistant");
  const std::string name = "capconf-" + sub;
  WaitFor(sub, [](const bj::value& s) {
    const bj::value* t = TargetOf(s, "langflow");
    return t && t->at("state").as_string() == "syncing";
  });
  std::this_thread::sleep_for(500ms);  // somewhere in the middle of the calls
  server_->Kill();
  langflow_.SetLatency(0ms);
  ASSERT_TRUE(server_->Restart().ok());
  browser_ = std::make_unique<Browser>(server_->port());
  ASSERT_EQ(browser_->SignIn("buyer@demo.capconf.dev").status, 200);
  // The dead process's lease runs out (1.5 s) and the new one finishes the job.
  WaitInSync(sub, 1);
  EXPECT_EQ(ProjectsNamed(name), 1);
  EXPECT_EQ(FlowsNamed(name), 1);
  ASSERT_EQ(Save(sub, 1,
                 bj::object{{"assistant_configuration",
                             bj::object{{"role", "Chemist"}, {"system_prompt", "Be precise."}}}})
                .status,
            200);
  WaitInSync(sub, 2);
  EXPECT_EQ(Variable(sub, "/assistant_configuration/role"), "Chemist");
  EXPECT_EQ(ProjectsNamed(name), 1);
}

TEST_P(SyncEndToEndTest, ADeadJobIsReplayedThroughTheApi) {
  langflow_.FailNext(1000, 500);
  StartServer({"--sync-max-attempts", "2"});
  const std::string sub = Subscribe("topic-assistant");
  bj::value sync = WaitFor(sub, [](const bj::value& s) {
    const bj::value* t = TargetOf(s, "langflow");
    return t && t->at("state").as_string() == "dead";
  });
  const bj::value* dead = TargetOf(sync, "langflow");
  ASSERT_NE(dead, nullptr);
  EXPECT_EQ(dead->at("attempts").as_int64(), 2);
  EXPECT_NE(std::string(dead->at("last_error").as_string()).find("500"), std::string::npos)
      << bj::serialize(*dead);
  EXPECT_TRUE(dead->at("next_attempt_at").is_null());
  EXPECT_FALSE(sync.at("in_sync").as_bool());

  langflow_.ClearFaults();
  ClientResponse replay =
      browser_->Call("POST", "/api/v1/subscriptions/" + sub + "/sync/langflow/replay");
  ASSERT_EQ(replay.status, 202) << replay.body;
  EXPECT_EQ(replay.Json().at("state").as_string(), "pending");
  WaitInSync(sub, 1);
  EXPECT_EQ(ProjectsNamed("capconf-" + sub), 1);
  EXPECT_EQ(browser_->Call("POST", "/api/v1/subscriptions/" + sub + "/sync/nope/replay").status,
            404);
  // Another tenant sees nothing of it.
  Browser seller(server_->port());
  ASSERT_EQ(seller.SignIn("seller@demo.capconf.dev").status, 200);
  EXPECT_EQ(seller.Call("GET", "/api/v1/subscriptions/" + sub + "/sync").status, 404);
  EXPECT_EQ(seller.Call("POST", "/api/v1/subscriptions/" + sub + "/sync/langflow/replay").status,
            404);
}

TEST_P(SyncEndToEndTest, SeparateWorkerProcessesSyncWhatTheServerSaved) {
  StartServer({"--sync-workers", "0"});
  std::string database = database_;
  if (database.empty()) {  // the server's own SQLite file, from its start-up line
    const std::string& out = server_->output();
    const std::size_t at = out.find("database sqlite:") + 9;
    database = out.substr(at, out.find(' ', at) - at);
  }
  const std::string sub = Subscribe("customer-support-agent");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(TargetOf(Sync(sub), "langflow")->at("state").as_string(), "pending")
      << "the server itself runs no workers";
  std::vector<std::string> args = {"--database",     database,
                                   "--data-dir",     server_->data_dir(),
                                   "--langflow-url", langflow_.base_url(),
                                   "--ragflow-url",  ragflow_.Url(),
                                   "--sync-poll-ms", "50",
                                   "--sync-workers", "2"};
  WorkerProcess first(args), second(args);
  WaitInSync(sub, 1);
  ASSERT_EQ(
      Save(sub, 1, bj::object{{"branding", bj::object{{"agent_name", "Worker-synced"}}}}).status,
      200);
  WaitInSync(sub, 2);
  EXPECT_EQ(Variable(sub, "/branding/agent_name"), "Worker-synced");
  EXPECT_EQ(ProjectsNamed("capconf-" + sub), 1);
  EXPECT_EQ(first.Stop(), 0);
  EXPECT_EQ(second.Stop(), 0);
  EXPECT_NE(first.output().find("capconf worker: stopped"), std::string::npos) << first.output();
}

TEST_P(SyncEndToEndTest, WithoutTargetsJobsWaitAndSaySo) {
  StartServer({}, /*with_targets=*/false);
  const std::string sub = Subscribe("customer-support-agent");
  std::this_thread::sleep_for(300ms);
  bj::value sync = Sync(sub);
  EXPECT_FALSE(sync.at("in_sync").as_bool());
  for (const char* target : {"langflow", "ragflow"}) {
    const bj::value* t = TargetOf(sync, target);
    ASSERT_NE(t, nullptr) << target;
    EXPECT_EQ(t->at("state").as_string(), "pending");
    EXPECT_EQ(t->at("attempts").as_int64(), 0);
    EXPECT_NE(std::string(t->at("last_error").as_string()).find("not configured"),
              std::string::npos)
        << bj::serialize(*t);
  }
  EXPECT_TRUE(langflow_.projects().size() <= 1) << "only the fake's default project";
}

}  // namespace
}  // namespace capconf
