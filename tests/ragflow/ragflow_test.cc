#include "capconf/ragflow/ragflow.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "capconf/outbound/url_guard.h"
#include "capconf/ragflow/multipart.h"
#include "fake_ragflow.h"

namespace capconf::ragflow {
namespace {

using capconf::testing::FakeRagflow;
using namespace std::chrono_literals;
using namespace std::string_literals;
using sync::OutcomeKind;

constexpr std::string_view kUploadRoute = "POST /api/v1/datasets/{id}/documents";
constexpr std::string_view kDeleteDocumentsRoute = "DELETE /api/v1/datasets/{id}/documents";
constexpr std::string_view kDeleteDatasetsRoute = "DELETE /api/v1/datasets";
constexpr std::string_view kParseRoute = "POST /api/v1/datasets/{id}/chunks";

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string KindName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kApplied:
      return "kApplied";
    case OutcomeKind::kInProgress:
      return "kInProgress";
    case OutcomeKind::kRetry:
      return "kRetry";
    case OutcomeKind::kPermanent:
      return "kPermanent";
    case OutcomeKind::kNotConfigured:
      return "kNotConfigured";
  }
  return "?";
}

std::string Describe(const sync::Outcome& outcome) {
  return KindName(outcome.kind) + ": " + outcome.message;
}

// A crawler that answers from a table and records what it was asked.
class FakeCrawler final : public crawl::Crawler {
 public:
  void SetPages(const std::string& url, std::vector<crawl::Page> pages,
                std::vector<std::string> skipped = {}) {
    std::lock_guard lock(mutex_);
    results_[url] = crawl::CrawlResult{std::move(pages), std::move(skipped)};
    errors_.erase(url);
  }
  void SetError(const std::string& url, Status status) {
    std::lock_guard lock(mutex_);
    errors_.insert_or_assign(url, std::move(status));
  }
  Result<crawl::CrawlResult> Crawl(std::string_view start_url, int depth) const override {
    std::lock_guard lock(mutex_);
    calls_.emplace_back(std::string(start_url), depth);
    if (const auto error = errors_.find(std::string(start_url)); error != errors_.end()) {
      return error->second;
    }
    const auto result = results_.find(std::string(start_url));
    if (result == results_.end()) return Status(StatusCode::kNotFound, "no such page (404)");
    return result->second;
  }
  std::vector<std::pair<std::string, int>> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  int CallsFor(const std::string& url) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(calls_.begin(), calls_.end(),
                                          [&](const auto& call) { return call.first == url; }));
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, crawl::CrawlResult> results_;
  std::map<std::string, Status> errors_;
  mutable std::vector<std::pair<std::string, int>> calls_;
};

crawl::Page HtmlPage(std::string url, std::string body) {
  return crawl::Page{std::move(url), "text/html; charset=utf-8", std::move(body)};
}

outbound::GuardOptions ClientOptions(std::chrono::milliseconds total_timeout) {
  outbound::GuardOptions options;
  options.address_policy.operator_endpoint = true;
  options.connect_timeout = 1000ms;
  options.total_timeout = total_timeout;
  return options;
}

class RagflowTest : public ::testing::Test {
 protected:
  RagflowTest()
      : client_(ClientOptions(5000ms)),
        target_(MakeRagflowTarget({fake_.Url(), fake_.api_key()}, client_, crawler_)) {}

  ~RagflowTest() override {
    std::error_code ignored;
    for (const std::string& path : files_) std::filesystem::remove(path, ignored);
  }

  // A subscription with rag enabled and `rag` as its rag section (JSON text).
  sync::DesiredState Desired(const std::string& subscription_id, std::string_view rag) {
    sync::DesiredState desired;
    desired.subscription_id = subscription_id;
    desired.buyer_organization_id = "org1";
    desired.template_id = "customer-support-agent";
    desired.template_version = 1;
    desired.revision = ++revision_;
    desired.enabled = {"api", "rag", "widget"};
    desired.config["rag"] = boost::json::parse(rag);
    desired.config["branding"] = boost::json::object{{"name", "Acme"}};
    return desired;
  }

  // Stores `content` as an uploaded file and names it in `desired.files`.
  void AddFile(sync::DesiredState& desired, const std::string& file_id, const std::string& filename,
               const std::string& content) {
    // The process id keeps tests apart that ctest runs at once: each is a process of its own, and
    // their fixtures can sit at the same address.
    const std::string path = ::testing::TempDir() + "ragflow_test_" + file_id + "_" +
                             std::to_string(files_.size()) + "_" + std::to_string(::getpid()) +
                             "_" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    std::ofstream(path, std::ios::binary) << content;
    files_.push_back(path);
    sync::SourceFile file;
    file.file_id = file_id;
    file.filename = filename;
    file.content_type = "text/plain";
    file.size = static_cast<std::int64_t>(content.size());
    file.path = path;
    desired.files[file_id] = file;
  }

  // Applies until the outcome is no longer kInProgress (a bounded number of times).
  sync::Outcome ApplyUntilSettled(const sync::DesiredState& desired, int max_calls = 10) {
    sync::Outcome outcome;
    for (int i = 0; i < max_calls; ++i) {
      outcome = target_->Apply(desired);
      if (outcome.kind != OutcomeKind::kInProgress) break;
    }
    return outcome;
  }

  std::string DatasetId(const std::string& subscription_id) const {
    const auto dataset = fake_.DatasetByName(DatasetName(subscription_id));
    return dataset ? dataset->id : "";
  }

  std::vector<std::string> SortedNames(const std::string& subscription_id) const {
    std::vector<std::string> names = fake_.DocumentNames(DatasetId(subscription_id));
    std::sort(names.begin(), names.end());
    return names;
  }

  // Every delete that reached the fake named its ids explicitly.
  void ExpectEveryDeleteNamedIds() const {
    for (const FakeRagflow::LoggedRequest& request : fake_.Log()) {
      if (request.method != "DELETE") continue;
      boost::system::error_code ec;
      const boost::json::value body = boost::json::parse(request.body, ec);
      ASSERT_FALSE(ec) << request.target << " " << request.body;
      const boost::json::value* ids = body.as_object().if_contains("ids");
      ASSERT_NE(ids, nullptr) << request.body;
      ASSERT_TRUE(ids->is_array()) << request.body;
      EXPECT_FALSE(ids->as_array().empty()) << request.body;
    }
    EXPECT_FALSE(fake_.DeletedEverything());
  }

  FakeRagflow fake_;
  FakeCrawler crawler_;
  outbound::GuardedClient client_;
  std::unique_ptr<sync::Target> target_;
  std::vector<std::string> files_;
  std::int64_t revision_ = 0;
};

// ---- Configuration and the dataset ------------------------------------------------------------

TEST_F(RagflowTest, IsNamedRagflow) { EXPECT_EQ(target_->Name(), "ragflow"); }

TEST_F(RagflowTest, NotConfiguredWithoutUrl) {
  std::unique_ptr<sync::Target> target = MakeRagflowTarget({"", "key"}, client_, crawler_);
  const sync::Outcome outcome = target->Apply(Desired("s1", R"({"sources": []})"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kNotConfigured);
  EXPECT_EQ(outcome.message, "Ragflow is not configured on this server (no URL)");
  EXPECT_EQ(fake_.TotalRequests(), 0);
}

TEST_F(RagflowTest, CreatesDatasetWithChunkTokenNumFromChunkSize) {
  const sync::Outcome outcome = target_->Apply(
      Desired("sub1", R"({"sources": [], "chunk_size": 1024, "chunk_overlap": 80})"));
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  const auto dataset = fake_.DatasetByName("capconf-sub1");
  ASSERT_TRUE(dataset.has_value());
  EXPECT_EQ(dataset->chunk_token_num, 1024);
  EXPECT_EQ(dataset->chunk_method, "naive");
  EXPECT_EQ(outcome.resources.at("ragflow_collection"), dataset->id);
  EXPECT_EQ(fake_.RequestCount("POST /api/v1/datasets"), 1);
  for (const auto& request : fake_.Log()) {
    // chunk_overlap has no Ragflow field: it is not sent anywhere.
    EXPECT_FALSE(Contains(request.body, "overlap")) << request.body;
    EXPECT_EQ(request.authorization, "Bearer " + fake_.api_key());
  }
}

TEST_F(RagflowTest, SendsTheDefaultChunkSizeWhenNoneIsSet) {
  // The fake's own default is 128 (as in Ragflow's examples): only an explicit 512 gives 512.
  const sync::Outcome outcome = target_->Apply(Desired("sub1", R"({})"));
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  EXPECT_EQ(fake_.DatasetByName("capconf-sub1")->chunk_token_num, 512);
}

TEST_F(RagflowTest, SecondApplyOnlyReads) {
  sync::DesiredState desired =
      Desired("sub1", R"({"sources": [{"type": "file", "file_id": "f1"}], "chunk_size": 700})");
  AddFile(desired, "f1", "guide.txt", "How to reset a password.");
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  const int writes = fake_.WriteRequests();
  const int total = fake_.TotalRequests();

  const sync::Outcome again = target_->Apply(desired);
  EXPECT_EQ(again.kind, OutcomeKind::kApplied) << Describe(again);
  EXPECT_EQ(fake_.WriteRequests(), writes);
  EXPECT_GT(fake_.TotalRequests(), total);  // it did look
  EXPECT_EQ(fake_.Datasets().size(), 1u);
  EXPECT_EQ(fake_.Documents(DatasetId("sub1")).size(), 1u);
}

TEST_F(RagflowTest, ChangedChunkSizeUpdatesTheDataset) {
  ASSERT_EQ(target_->Apply(Desired("sub1", R"({"chunk_size": 512})")).kind, OutcomeKind::kApplied);
  const std::string id = DatasetId("sub1");
  EXPECT_EQ(fake_.RequestCount("PUT /api/v1/datasets/{id}"), 0);

  const sync::Outcome changed = target_->Apply(Desired("sub1", R"({"chunk_size": 1536})"));
  ASSERT_EQ(changed.kind, OutcomeKind::kApplied) << Describe(changed);
  EXPECT_EQ(fake_.RequestCount("PUT /api/v1/datasets/{id}"), 1);
  EXPECT_EQ(fake_.DatasetByName("capconf-sub1")->chunk_token_num, 1536);
  EXPECT_EQ(DatasetId("sub1"), id);  // the same dataset, updated
  EXPECT_EQ(fake_.Datasets().size(), 1u);

  ASSERT_EQ(target_->Apply(Desired("sub1", R"({"chunk_size": 1536})")).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.RequestCount("PUT /api/v1/datasets/{id}"), 1);
}

TEST_F(RagflowTest, EmptySubscriptionIdIsPermanent) {
  sync::DesiredState desired = Desired("", "{}");
  EXPECT_EQ(target_->Apply(desired).kind, OutcomeKind::kPermanent);
  EXPECT_EQ(fake_.TotalRequests(), 0);
}

TEST_F(RagflowTest, ChunkSizeOutsideRagflowsRangeIsPermanent) {
  const sync::Outcome outcome = target_->Apply(Desired("sub1", R"({"chunk_size": 4096})"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
  EXPECT_TRUE(Contains(outcome.message, "chunk_size")) << outcome.message;
  EXPECT_EQ(fake_.TotalRequests(), 0);
}

// ---- Documents ----------------------------------------------------------------------------------

TEST_F(RagflowTest, FileSourceIsUploadedOnce) {
  sync::DesiredState desired = Desired(
      "sub1", R"({"sources": [{"type": "file", "file_id": "f1", "filename": "guide.txt"}]})");
  AddFile(desired, "f1", "guide.txt", "How to reset a password.");
  const sync::Outcome first = ApplyUntilSettled(desired);
  ASSERT_EQ(first.kind, OutcomeKind::kApplied) << Describe(first);
  ApplyUntilSettled(desired);
  ApplyUntilSettled(desired);

  const std::vector<FakeRagflow::DocumentInfo> documents = fake_.Documents(DatasetId("sub1"));
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_EQ(documents[0].name, "f-f1-guide.txt");
  EXPECT_EQ(documents[0].name, FileDocumentName("f1", "guide.txt"));
  EXPECT_EQ(documents[0].content, "How to reset a password.");
  EXPECT_EQ(documents[0].content_type, "text/plain");
  EXPECT_EQ(documents[0].run, "DONE");
  EXPECT_EQ(documents[0].parse_starts, 1);
  EXPECT_EQ(fake_.RequestCount(kUploadRoute), 1);
}

TEST_F(RagflowTest, RemovingASourceDeletesExactlyItsDocuments) {
  crawler_.SetPages("https://docs.example.com/",
                    {HtmlPage("https://docs.example.com/", "<h1>Docs</h1>"),
                     HtmlPage("https://docs.example.com/faq", "<h1>FAQ</h1>")});
  sync::DesiredState desired = Desired("sub1", R"({"sources": [
      {"type": "file", "file_id": "f1"},
      {"type": "file", "file_id": "f2"},
      {"type": "url", "url": "https://docs.example.com/", "crawl_depth": 2}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  AddFile(desired, "f2", "b.txt", "second file");
  // Another subscription, and a document someone added by hand in Ragflow's UI.
  sync::DesiredState other = Desired("sub2", R"({"sources": [{"type": "file", "file_id": "f1"}]})");
  AddFile(other, "f1", "a.txt", "first file");
  ASSERT_EQ(ApplyUntilSettled(other).kind, OutcomeKind::kApplied);
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  fake_.AddDocument(DatasetId("sub1"), "handbook.pdf", "added by hand");
  const std::vector<std::string> before = SortedNames("sub1");
  ASSERT_EQ(before.size(), 5u);

  // f2 goes.
  sync::DesiredState without_f2 = Desired("sub1", R"({"sources": [
      {"type": "file", "file_id": "f1"},
      {"type": "url", "url": "https://docs.example.com/", "crawl_depth": 2}]})");
  AddFile(without_f2, "f1", "a.txt", "first file");
  const sync::Outcome outcome = ApplyUntilSettled(without_f2);
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  std::vector<std::string> expected = before;
  std::erase(expected, "f-f2-b.txt");
  EXPECT_EQ(SortedNames("sub1"), expected);

  // The URL source goes: both of its pages, nothing else.
  sync::DesiredState only_f1 =
      Desired("sub1", R"({"sources": [{"type": "file", "file_id": "f1"}]})");
  AddFile(only_f1, "f1", "a.txt", "first file");
  ASSERT_EQ(ApplyUntilSettled(only_f1).kind, OutcomeKind::kApplied);
  EXPECT_EQ(SortedNames("sub1"), (std::vector<std::string>{"f-f1-a.txt", "handbook.pdf"}));

  EXPECT_EQ(SortedNames("sub2"), std::vector<std::string>{"f-f1-a.txt"});
  EXPECT_EQ(fake_.Datasets().size(), 2u);
  ExpectEveryDeleteNamedIds();
}

TEST_F(RagflowTest, UrlSourcePagesAreUploadedFromTheCrawler) {
  crawler_.SetPages(
      "https://docs.example.com/start?token=abc",
      {HtmlPage("https://docs.example.com/start", "<h1>Start</h1>"),
       HtmlPage("https://docs.example.com/install", "<h1>Install</h1>"),
       crawl::Page{"https://docs.example.com/manual.pdf", "application/pdf", "%PDF-1.7 manual"},
       crawl::Page{"https://docs.example.com/logo.png", "image/png", "\x89PNG"}},
      {"https://docs.example.com/private: disallowed by robots.txt"});
  const sync::Outcome outcome = ApplyUntilSettled(Desired("sub1", R"({"sources": [
      {"type": "url", "url": "https://docs.example.com/start?token=abc", "crawl_depth": 3}]})"));
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  ASSERT_FALSE(crawler_.calls().empty());
  EXPECT_EQ(crawler_.calls().front(),
            std::make_pair(std::string("https://docs.example.com/start?token=abc"), 3));

  const std::string source = "https://docs.example.com/start?token=abc";
  std::map<std::string, std::string> by_name;
  for (const auto& document : fake_.Documents(DatasetId("sub1"))) {
    by_name[document.name] = document.content;
  }
  EXPECT_EQ(by_name.size(), 3u);
  const auto start =
      PageDocumentName(source, "https://docs.example.com/start", "text/html", "<h1>Start</h1>");
  const auto install =
      PageDocumentName(source, "https://docs.example.com/install", "text/html", "<h1>Install</h1>");
  const auto manual = PageDocumentName(source, "https://docs.example.com/manual.pdf",
                                       "application/pdf", "%PDF-1.7 manual");
  ASSERT_TRUE(start && install && manual);
  EXPECT_EQ(by_name[*start], "<h1>Start</h1>");
  EXPECT_EQ(by_name[*install], "<h1>Install</h1>");
  EXPECT_EQ(by_name[*manual], "%PDF-1.7 manual");
  EXPECT_TRUE(start->ends_with(".html"));
  EXPECT_TRUE(manual->ends_with(".pdf"));
  EXPECT_TRUE(start->starts_with(PageDocumentSourcePrefix(source)));
  // The image and the page robots.txt refused are reported, and the query is not.
  EXPECT_TRUE(Contains(outcome.message, "2 pages of https://docs.example.com/start skipped"))
      << outcome.message;
  EXPECT_FALSE(Contains(outcome.message, "token=abc")) << outcome.message;
}

TEST_F(RagflowTest, RemovingTheLastSourceDeletesItsDocumentsWithExplicitIds) {
  crawler_.SetPages("https://a.example/",
                    {HtmlPage("https://a.example/", "A"), HtmlPage("https://a.example/b", "B")});
  sync::DesiredState desired = Desired("sub1", R"({"sources": [
      {"type": "file", "file_id": "f1"}, {"type": "url", "url": "https://a.example/"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  ASSERT_EQ(fake_.Documents(DatasetId("sub1")).size(), 3u);

  const sync::Outcome emptied = ApplyUntilSettled(Desired("sub1", R"({"sources": []})"));
  ASSERT_EQ(emptied.kind, OutcomeKind::kApplied) << Describe(emptied);
  EXPECT_TRUE(fake_.Documents(DatasetId("sub1")).empty());
  EXPECT_EQ(fake_.RequestCount(kDeleteDocumentsRoute), 1);
  EXPECT_EQ(emptied.resources.at("ragflow_collection"), DatasetId("sub1"));  // the dataset stays
  ExpectEveryDeleteNamedIds();

  // Nothing left to delete: no DELETE at all, let alone one without ids.
  const int deletes = fake_.RequestCount(kDeleteDocumentsRoute);
  ASSERT_EQ(target_->Apply(Desired("sub1", R"({"sources": []})")).kind, OutcomeKind::kApplied);
  ASSERT_EQ(target_->Apply(Desired("sub1", R"({})")).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.RequestCount(kDeleteDocumentsRoute), deletes);
  EXPECT_FALSE(fake_.DeletedEverything());
}

TEST_F(RagflowTest, NoDeleteIsSentWhenThereIsNothingToDelete) {
  sync::DesiredState desired =
      Desired("sub1", R"({"sources": [{"type": "file", "file_id": "f1"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  ASSERT_EQ(target_->Apply(Desired("sub2", R"({"sources": []})")).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.RequestCount(kDeleteDocumentsRoute), 0);
  EXPECT_EQ(fake_.RequestCount(kDeleteDatasetsRoute), 0);
}

TEST_F(RagflowTest, DuplicatesOfAFileDocumentAreRemoved) {
  const std::string id = fake_.AddDataset("capconf-sub1", 512);
  fake_.AddDocument(id, "f-f1-a.txt", "first file");
  fake_.AddDocument(id, "f-f1-a(1).txt", "first file");
  sync::DesiredState desired =
      Desired("sub1", R"({"sources": [{"type": "file", "file_id": "f1"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  EXPECT_EQ(SortedNames("sub1"), std::vector<std::string>{"f-f1-a.txt"});
  EXPECT_EQ(fake_.RequestCount(kUploadRoute), 0);
  ExpectEveryDeleteNamedIds();
}

TEST_F(RagflowTest, ListsEveryPageOfDocuments) {
  fake_.SetMaxPageSize(2);
  sync::DesiredState desired = Desired("sub1", "{}");
  boost::json::array list;
  for (int i = 0; i < 7; ++i) {
    const std::string id = "f" + std::to_string(i);
    list.push_back(boost::json::object{{"type", "file"}, {"file_id", id}});
    AddFile(desired, id, id + ".txt", "content " + id);
  }
  desired.config["rag"] = boost::json::object{{"sources", list}};
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  ASSERT_EQ(target_->Apply(desired).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.Documents(DatasetId("sub1")).size(), 7u);
  EXPECT_EQ(fake_.RequestCount(kUploadRoute), 7);
  EXPECT_EQ(fake_.RequestCount(kDeleteDocumentsRoute), 0);
}

// ---- Removing the dataset
// -------------------------------------------------------------------------

TEST_F(RagflowTest, RagDisabledDeletesTheDatasetById) {
  sync::DesiredState desired =
      Desired("sub1", R"({"sources": [{"type": "file", "file_id": "f1"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  ASSERT_EQ(ApplyUntilSettled(Desired("sub2", "{}")).kind, OutcomeKind::kApplied);
  const std::string id = DatasetId("sub1");

  sync::DesiredState disabled = desired;
  disabled.enabled = {"api", "widget"};
  const sync::Outcome outcome = target_->Apply(disabled);
  EXPECT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  EXPECT_TRUE(outcome.resources.empty());
  EXPECT_FALSE(fake_.DatasetByName("capconf-sub1").has_value());
  EXPECT_TRUE(fake_.DatasetByName("capconf-sub2").has_value());
  EXPECT_EQ(fake_.RequestCount(kDeleteDatasetsRoute), 1);
  const auto log = fake_.Log();
  const auto deleted = std::find_if(log.begin(), log.end(), [](const auto& request) {
    return request.route == kDeleteDatasetsRoute;
  });
  ASSERT_NE(deleted, log.end());
  EXPECT_EQ(boost::json::parse(deleted->body), boost::json::parse(R"({"ids": [")" + id + R"("]})"));
  ExpectEveryDeleteNamedIds();

  // Gone already: fine, and nothing is sent to delete.
  const sync::Outcome again = target_->Apply(disabled);
  EXPECT_EQ(again.kind, OutcomeKind::kApplied) << Describe(again);
  EXPECT_EQ(fake_.RequestCount(kDeleteDatasetsRoute), 1);
}

TEST_F(RagflowTest, CancelledSubscriptionDeletesTheDataset) {
  ASSERT_EQ(ApplyUntilSettled(Desired("sub1", "{}")).kind, OutcomeKind::kApplied);
  ASSERT_EQ(ApplyUntilSettled(Desired("sub2", "{}")).kind, OutcomeKind::kApplied);
  sync::DesiredState cancelled = Desired("sub1", "{}");
  cancelled.active = false;
  const sync::Outcome outcome = target_->Apply(cancelled);
  EXPECT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  EXPECT_TRUE(outcome.resources.empty());
  EXPECT_FALSE(fake_.DatasetByName("capconf-sub1").has_value());
  EXPECT_EQ(fake_.Datasets().size(), 1u);
  ExpectEveryDeleteNamedIds();
}

TEST_F(RagflowTest, DatasetDeletedMeanwhileIsFine) {
  ASSERT_EQ(ApplyUntilSettled(Desired("sub1", "{}")).kind, OutcomeKind::kApplied);
  // Someone else deletes it between our look-up and our delete: Ragflow answers 108.
  fake_.FailNextWithCode(1, 108,
                         "User 'x' lacks permission for datasets: '" + DatasetId("sub1") + "'",
                         std::string(kDeleteDatasetsRoute));
  sync::DesiredState cancelled = Desired("sub1", "{}");
  cancelled.active = false;
  EXPECT_EQ(target_->Apply(cancelled).kind, OutcomeKind::kApplied);
}

// ---- Parsing
// ------------------------------------------------------------------------------------------

TEST_F(RagflowTest, ReportsParsingProgressUntilDone) {
  fake_.SetParseListCalls(2);
  sync::DesiredState desired = Desired("sub1", R"({"sources": [
      {"type": "file", "file_id": "f1"}, {"type": "file", "file_id": "f2"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  AddFile(desired, "f2", "b.txt", "second file");

  const sync::Outcome started = target_->Apply(desired);
  ASSERT_EQ(started.kind, OutcomeKind::kInProgress) << Describe(started);
  EXPECT_EQ(started.progress, "0 of 2 documents parsed");
  EXPECT_EQ(started.resources.at("ragflow_collection"), DatasetId("sub1"));
  EXPECT_EQ(fake_.RequestCount(kParseRoute), 1);

  const sync::Outcome running = target_->Apply(desired);
  ASSERT_EQ(running.kind, OutcomeKind::kInProgress) << Describe(running);
  EXPECT_EQ(running.progress, "0 of 2 documents parsed");
  EXPECT_EQ(fake_.RequestCount(kParseRoute), 1);  // running documents are not started again

  const sync::Outcome done = target_->Apply(desired);
  ASSERT_EQ(done.kind, OutcomeKind::kApplied) << Describe(done);
  EXPECT_EQ(done.progress, "2 of 2 documents parsed");
  EXPECT_EQ(done.resources.at("ragflow_collection"), DatasetId("sub1"));
  for (const auto& document : fake_.Documents(DatasetId("sub1"))) {
    EXPECT_EQ(document.parse_starts, 1) << document.name;
  }
}

TEST_F(RagflowTest, ProgressCountsDocumentsAsTheyFinish) {
  fake_.SetParseListCalls(2);
  const std::string id = fake_.AddDataset("capconf-sub1", 512);
  fake_.AddDocument(id, "f-f1-a.txt", "first file", "DONE");
  fake_.AddDocument(id, "f-f2-b.txt", "second file", "DONE");
  fake_.AddDocument(id, "f-f3-c.txt", "third file", "RUNNING");
  sync::DesiredState desired = Desired("sub1", R"({"sources": [{"type": "file", "file_id": "f1"},
      {"type": "file", "file_id": "f2"}, {"type": "file", "file_id": "f3"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  AddFile(desired, "f2", "b.txt", "second file");
  AddFile(desired, "f3", "c.txt", "third file");
  const sync::Outcome outcome = target_->Apply(desired);
  EXPECT_EQ(outcome.kind, OutcomeKind::kInProgress) << Describe(outcome);
  EXPECT_EQ(outcome.progress, "2 of 3 documents parsed");
  EXPECT_EQ(fake_.RequestCount(kParseRoute), 0);
  const sync::Outcome done = target_->Apply(desired);
  EXPECT_EQ(done.kind, OutcomeKind::kApplied) << Describe(done);
  EXPECT_EQ(done.progress, "3 of 3 documents parsed");
}

TEST_F(RagflowTest, FailedParseIsReportedAndDoesNotBlockTheRest) {
  fake_.FailParseOf("f-f2-broken.txt", "Page(1~100000001): Internal server error");
  sync::DesiredState desired = Desired("sub1", R"({"sources": [
      {"type": "file", "file_id": "f1"}, {"type": "file", "file_id": "f2"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  AddFile(desired, "f2", "broken.txt", "???");
  const sync::Outcome outcome = ApplyUntilSettled(desired);
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  EXPECT_EQ(outcome.progress, "1 of 2 documents parsed, 1 failed");
  EXPECT_TRUE(Contains(outcome.message, "1 document failed to parse: f-f2-broken.txt"))
      << outcome.message;
  EXPECT_TRUE(Contains(outcome.message, "Internal server error")) << outcome.message;
  EXPECT_FALSE(outcome.resources.empty());

  // A failed document is not restarted on every call (that would never settle).
  const int parses = fake_.RequestCount(kParseRoute);
  EXPECT_EQ(target_->Apply(desired).kind, OutcomeKind::kApplied);
  EXPECT_EQ(fake_.RequestCount(kParseRoute), parses);
}

// ---- Failures
// ---------------------------------------------------------------------------------------------

TEST_F(RagflowTest, ErrorCodeWithHttp200IsAFailureWithRagflowsMessage) {
  fake_.FailNextWithCode(1, 101,
                         "Field: <name> - Message: <String should have at most 128 characters>",
                         "POST /api/v1/datasets");
  const sync::Outcome outcome = target_->Apply(Desired("sub1", "{}"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent) << Describe(outcome);
  EXPECT_TRUE(Contains(outcome.message, "String should have at most 128 characters"))
      << outcome.message;
  EXPECT_TRUE(Contains(outcome.message, "POST /api/v1/datasets")) << outcome.message;
  EXPECT_TRUE(outcome.resources.empty());
  EXPECT_TRUE(fake_.Datasets().empty());
}

TEST_F(RagflowTest, TransientErrorCodeIsRetry) {
  fake_.FailNextWithCode(1, 100, "OperationalError: (2013, 'Lost connection to MySQL server')");
  const sync::Outcome outcome = target_->Apply(Desired("sub1", "{}"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry) << Describe(outcome);
  EXPECT_TRUE(Contains(outcome.message, "Lost connection to MySQL server")) << outcome.message;
  EXPECT_EQ(target_->Apply(Desired("sub1", "{}")).kind, OutcomeKind::kApplied);
}

TEST_F(RagflowTest, ParseRefusedForADocumentBeingProcessedIsRetry) {
  sync::DesiredState desired =
      Desired("sub1", R"({"sources": [{"type": "file", "file_id": "f1"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  fake_.FailNextWithCode(1, 102, "Can't parse document that is currently being processed",
                         std::string(kParseRoute));
  const sync::Outcome outcome = target_->Apply(desired);
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry) << Describe(outcome);
  EXPECT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
}

TEST_F(RagflowTest, ServiceUnavailableWithRetryAfterIsRetry) {
  fake_.FailNext(1, 503, 7);
  const sync::Outcome outcome = target_->Apply(Desired("sub1", "{}"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry) << Describe(outcome);
  EXPECT_EQ(outcome.retry_after_seconds, 7);
  EXPECT_TRUE(Contains(outcome.message, "503")) << outcome.message;
  EXPECT_TRUE(Contains(outcome.message, "GET /api/v1/datasets")) << outcome.message;

  fake_.FailNext(1, 429, 3, "POST /api/v1/datasets");
  const sync::Outcome limited = target_->Apply(Desired("sub1", "{}"));
  EXPECT_EQ(limited.kind, OutcomeKind::kRetry) << Describe(limited);
  EXPECT_EQ(limited.retry_after_seconds, 3);

  fake_.FailNext(1, 404);
  EXPECT_EQ(target_->Apply(Desired("sub1", "{}")).kind, OutcomeKind::kPermanent);
  EXPECT_EQ(target_->Apply(Desired("sub1", "{}")).kind, OutcomeKind::kApplied);
}

TEST_F(RagflowTest, HangingRagflowIsRetry) {
  outbound::GuardedClient impatient(ClientOptions(300ms));
  std::unique_ptr<sync::Target> target =
      MakeRagflowTarget({fake_.Url(), fake_.api_key()}, impatient, crawler_);
  fake_.HangNext(1);
  const sync::Outcome outcome = target->Apply(Desired("sub1", "{}"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry) << Describe(outcome);
  EXPECT_TRUE(Contains(outcome.message, "GET /api/v1/datasets")) << outcome.message;
  EXPECT_EQ(target->Apply(Desired("sub1", "{}")).kind, OutcomeKind::kApplied);
}

TEST_F(RagflowTest, RagflowDownIsRetryAndConvergesWhenItIsBack) {
  sync::DesiredState desired =
      Desired("sub1", R"({"sources": [{"type": "file", "file_id": "f1"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  fake_.GoDown();
  const sync::Outcome down = target_->Apply(desired);
  EXPECT_EQ(down.kind, OutcomeKind::kRetry) << Describe(down);
  EXPECT_TRUE(Contains(down.message, "could not be reached")) << down.message;
  fake_.ComeBack();
  const sync::Outcome back = ApplyUntilSettled(desired);
  EXPECT_EQ(back.kind, OutcomeKind::kApplied) << Describe(back);
  EXPECT_EQ(SortedNames("sub1"), std::vector<std::string>{"f-f1-a.txt"});
}

TEST_F(RagflowTest, RefusedApiKeyIsPermanent) {
  std::unique_ptr<sync::Target> target =
      MakeRagflowTarget({fake_.Url(), "wrong-key-1234"}, client_, crawler_);
  const sync::Outcome outcome = target->Apply(Desired("sub1", "{}"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent) << Describe(outcome);
  EXPECT_TRUE(Contains(outcome.message, "Ragflow refused the API key")) << outcome.message;
  EXPECT_FALSE(Contains(outcome.message, "wrong-key-1234")) << outcome.message;

  fake_.FailNext(1, 401);
  const sync::Outcome unauthorized = target_->Apply(Desired("sub1", "{}"));
  EXPECT_EQ(unauthorized.kind, OutcomeKind::kPermanent) << Describe(unauthorized);
  EXPECT_TRUE(Contains(unauthorized.message, "Ragflow refused the API key"))
      << unauthorized.message;
}

TEST_F(RagflowTest, SecretsNeverAppearInMessages) {
  const std::string key = "ragflow-SECRET-key-0042";
  const std::string buyer_secret = "sk-buyer-secret-9999";
  FakeRagflow fake(key);
  std::unique_ptr<sync::Target> target = MakeRagflowTarget({fake.Url(), key}, client_, crawler_);
  crawler_.SetError("https://x.example/", Status(StatusCode::kInvalidArgument,
                                                 "refused: " + buyer_secret + " in the URL"));
  auto desired = [&] {
    sync::DesiredState d =
        Desired("sub1", R"({"sources": [{"type": "url", "url": "https://x.example/"}]})");
    d.secrets["/web_search/api_key"] = buyer_secret;
    return d;
  };
  std::vector<sync::Outcome> outcomes;
  outcomes.push_back(target->Apply(desired()));
  fake.FailNextWithCode(1, 102, "token " + key + " and " + buyer_secret + " are bad");
  outcomes.push_back(target->Apply(desired()));
  fake.FailNextWithCode(1, 109, "API key " + key + " is invalid!");
  outcomes.push_back(target->Apply(desired()));
  fake.FailNext(1, 500);
  outcomes.push_back(target->Apply(desired()));
  fake.GoDown();
  outcomes.push_back(target->Apply(desired()));
  fake.ComeBack();
  for (const sync::Outcome& outcome : outcomes) {
    EXPECT_FALSE(Contains(outcome.message, key)) << outcome.message;
    EXPECT_FALSE(Contains(outcome.message, buyer_secret)) << outcome.message;
    EXPECT_FALSE(Contains(outcome.progress, key)) << outcome.progress;
  }
  EXPECT_TRUE(Contains(outcomes[1].message, "[redacted]")) << outcomes[1].message;
}

// A crash (or a lost answer) at any step, then the same call again: it converges, with no
// duplicate dataset, document or parse.
TEST_F(RagflowTest, CrashAtAnyStepConvergesWithoutDuplicates) {
  crawler_.SetPages("https://a.example/",
                    {HtmlPage("https://a.example/", "A"), HtmlPage("https://a.example/b", "B")});
  struct Scenario {
    std::string name;
    bool existing;  // a dataset with another chunk size and a stale document exists
  };
  for (const Scenario& scenario : {Scenario{"fresh", false}, Scenario{"existing", true}}) {
    for (const bool lose_reply : {false, true}) {
      int step = 0;
      for (;; ++step) {
        SCOPED_TRACE(scenario.name + (lose_reply ? ", answer lost" : ", failed") + " at step " +
                     std::to_string(step));
        FakeRagflow fake;
        fake.SetParseListCalls(1);
        std::unique_ptr<sync::Target> target =
            MakeRagflowTarget({fake.Url(), fake.api_key()}, client_, crawler_);
        if (scenario.existing) {
          const std::string id = fake.AddDataset("capconf-sub1", 128);
          fake.AddDocument(id, "f-gone-old.txt", "stale");
          fake.AddDocument(id, "f-f1-a.txt", "first file", "UNSTART");
        }
        sync::DesiredState desired = Desired("sub1", R"({"chunk_size": 600, "sources": [
            {"type": "file", "file_id": "f1"}, {"type": "file", "file_id": "f2"},
            {"type": "url", "url": "https://a.example/"}]})");
        AddFile(desired, "f1", "a.txt", "first file");
        AddFile(desired, "f2", "b.txt", "second file");

        if (lose_reply) {
          fake.LoseReplyNext(1, "", step);
        } else {
          fake.FailNext(1, 500, std::nullopt, "", step);
        }
        const sync::Outcome first = target->Apply(desired);
        const bool failure_reached = fake.TotalRequests() > step;
        const sync::Outcome settled = [&] {
          sync::Outcome outcome;
          for (int i = 0; i < 8; ++i) {
            outcome = target->Apply(desired);
            if (outcome.kind == OutcomeKind::kApplied) break;
          }
          return outcome;
        }();
        ASSERT_EQ(settled.kind, OutcomeKind::kApplied) << Describe(settled);
        if (failure_reached) {
          EXPECT_EQ(first.kind, OutcomeKind::kRetry) << Describe(first);
        }
        ASSERT_EQ(fake.Datasets().size(), 1u);
        const auto dataset = fake.Datasets().front();
        EXPECT_EQ(dataset.name, "capconf-sub1");
        EXPECT_EQ(dataset.chunk_token_num, 600);
        std::vector<std::string> names;
        for (const auto& document : fake.Documents(dataset.id)) {
          names.push_back(document.name);
          EXPECT_EQ(document.run, "DONE") << document.name;
          EXPECT_EQ(document.parse_starts, 1) << document.name;
        }
        std::sort(names.begin(), names.end());
        std::vector<std::string> expected = {
            "f-f1-a.txt", "f-f2-b.txt",
            *PageDocumentName("https://a.example/", "https://a.example/", "text/html", "A"),
            *PageDocumentName("https://a.example/", "https://a.example/b", "text/html", "B")};
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(names, expected);
        EXPECT_FALSE(fake.DeletedEverything());
        if (!failure_reached) break;  // the step is past the last request of the run
      }
      // Every request of the first run was made to fail once: look-up, create or update,
      // list, 4 uploads, delete, parse.
      EXPECT_GE(step, 8);
    }
  }
}

// ---- Sources the target does not sync, and crawls
// --------------------------------------------------------

TEST_F(RagflowTest, ReportsNotionConfluenceAndMissingFiles) {
  const std::string id = fake_.AddDataset("capconf-sub1", 512);
  fake_.AddDocument(id, "f-gone-report.pdf", "an old upload");
  sync::DesiredState desired = Desired("sub1", R"({"sources": [
      {"type": "notion", "workspace_id": "w1"},
      {"type": "confluence", "site_url": "https://x.atlassian.net", "space_key": "DOC"},
      {"type": "file", "file_id": "gone", "filename": "report.pdf"},
      {"type": "file", "file_id": "f1"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  const sync::Outcome outcome = ApplyUntilSettled(desired);
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  EXPECT_TRUE(Contains(outcome.message, "2 Notion/Confluence sources are not synced yet"))
      << outcome.message;
  EXPECT_TRUE(Contains(outcome.message, "1 file named by the sources is missing: gone"))
      << outcome.message;
  // The missing file's document stays: the source still names it.
  EXPECT_EQ(SortedNames("sub1"), (std::vector<std::string>{"f-f1-a.txt", "f-gone-report.pdf"}));
}

TEST_F(RagflowTest, ChangedPageReplacesItsDocumentOnTheNextSync) {
  crawler_.SetPages("https://a.example/", {HtmlPage("https://a.example/", "version 1"),
                                           HtmlPage("https://a.example/b", "B")});
  const std::string rag = R"({"sources": [{"type": "url", "url": "https://a.example/"}]})";
  sync::DesiredState desired = Desired("sub1", rag);
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);

  crawler_.SetPages("https://a.example/", {HtmlPage("https://a.example/", "version 2"),
                                           HtmlPage("https://a.example/b", "B")});
  const sync::Outcome outcome = ApplyUntilSettled(desired);
  ASSERT_EQ(outcome.kind, OutcomeKind::kApplied) << Describe(outcome);
  std::map<std::string, std::string> contents;
  for (const auto& document : fake_.Documents(DatasetId("sub1"))) {
    contents[document.name] = document.content;
  }
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents[*PageDocumentName("https://a.example/", "https://a.example/", "text/html",
                                       "version 2")],
            "version 2");
  ExpectEveryDeleteNamedIds();
}

TEST_F(RagflowTest, APageThatChangesOnEveryFetchDoesNotRestartParsingWhileInProgress) {
  fake_.SetParseListCalls(3);
  std::atomic<int> fetches{0};
  crawler_.SetPages("https://a.example/", {HtmlPage("https://a.example/", "at 0")});
  sync::DesiredState desired =
      Desired("sub1", R"({"sources": [{"type": "url", "url": "https://a.example/"}]})");
  for (int i = 0; i < 6; ++i) {
    const sync::Outcome outcome = target_->Apply(desired);
    // The page would be different on every crawl (a clock on it).
    crawler_.SetPages("https://a.example/",
                      {HtmlPage("https://a.example/", "at " + std::to_string(++fetches))});
    if (outcome.kind == OutcomeKind::kApplied) break;
    ASSERT_EQ(outcome.kind, OutcomeKind::kInProgress) << Describe(outcome);
  }
  EXPECT_EQ(crawler_.CallsFor("https://a.example/"), 1);
  EXPECT_EQ(fake_.RequestCount(kUploadRoute), 1);
  EXPECT_EQ(fake_.RequestCount(kParseRoute), 1);
  EXPECT_EQ(fake_.Documents(DatasetId("sub1")).size(), 1u);
}

TEST_F(RagflowTest, CrawlFailureKeepsTheSourcesDocuments) {
  crawler_.SetPages("https://a.example/", {HtmlPage("https://a.example/", "A")});
  sync::DesiredState desired = Desired("sub1", R"({"sources": [
      {"type": "url", "url": "https://a.example/"}, {"type": "file", "file_id": "f1"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  ASSERT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  const std::vector<std::string> names = SortedNames("sub1");
  ASSERT_EQ(names.size(), 2u);

  crawler_.SetError("https://a.example/", Status(StatusCode::kUnavailable, "connection refused"));
  const sync::Outcome down = target_->Apply(desired);
  EXPECT_EQ(down.kind, OutcomeKind::kRetry) << Describe(down);
  EXPECT_TRUE(Contains(down.message, "could not crawl https://a.example/: connection refused"))
      << down.message;
  EXPECT_EQ(SortedNames("sub1"), names);

  crawler_.SetError("https://a.example/", Status(StatusCode::kNotFound, "answered 404"));
  const sync::Outcome gone = target_->Apply(desired);
  EXPECT_EQ(gone.kind, OutcomeKind::kApplied) << Describe(gone);
  EXPECT_TRUE(Contains(gone.message, "answered 404")) << gone.message;
  EXPECT_EQ(SortedNames("sub1"), names);
  EXPECT_EQ(fake_.RequestCount(kDeleteDocumentsRoute), 0);
}

TEST_F(RagflowTest, DocumentRagflowRefusesIsReportedAndTheRestSync) {
  fake_.FailNextWithCode(1, 102, "This type of file has not been supported yet!",
                         std::string(kUploadRoute));
  sync::DesiredState desired = Desired("sub1", R"({"sources": [
      {"type": "file", "file_id": "f1"}, {"type": "file", "file_id": "f2"}]})");
  AddFile(desired, "f1", "a.txt", "first file");
  AddFile(desired, "f2", "b.txt", "second file");
  const sync::Outcome outcome = target_->Apply(desired);
  EXPECT_EQ(outcome.kind, OutcomeKind::kInProgress) << Describe(outcome);
  EXPECT_TRUE(Contains(outcome.message, "Ragflow did not take 1 document: f-f1-a.txt"))
      << outcome.message;
  EXPECT_TRUE(Contains(outcome.message, "This type of file has not been supported yet!"))
      << outcome.message;
  EXPECT_EQ(SortedNames("sub1"), std::vector<std::string>{"f-f2-b.txt"});

  // Refused again: reported, and the others settle.
  fake_.FailNextWithCode(1, 102, "This type of file has not been supported yet!",
                         std::string(kUploadRoute));
  const sync::Outcome again = target_->Apply(desired);
  EXPECT_EQ(again.kind, OutcomeKind::kApplied) << Describe(again);
  EXPECT_TRUE(Contains(again.message, "Ragflow did not take 1 document: f-f1-a.txt"))
      << again.message;

  // Taken on a later call.
  EXPECT_EQ(ApplyUntilSettled(desired).kind, OutcomeKind::kApplied);
  EXPECT_EQ(SortedNames("sub1"), (std::vector<std::string>{"f-f1-a.txt", "f-f2-b.txt"}));
}

TEST_F(RagflowTest, SubscriptionsSyncConcurrently) {
  constexpr int kSubscriptions = 8;
  std::vector<sync::DesiredState> states;
  for (int i = 0; i < kSubscriptions; ++i) {
    sync::DesiredState desired = Desired(
        "sub" + std::to_string(i),
        R"({"sources": [{"type": "file", "file_id": "f1"}, {"type": "url", "url": "https://a.example/"}]})");
    AddFile(desired, "f1", "a.txt", "file of " + std::to_string(i));
    states.push_back(std::move(desired));
  }
  crawler_.SetPages("https://a.example/", {HtmlPage("https://a.example/", "A")});
  std::vector<std::thread> threads;
  std::vector<sync::Outcome> outcomes(kSubscriptions);
  for (int i = 0; i < kSubscriptions; ++i) {
    threads.emplace_back([&, i] { outcomes[i] = ApplyUntilSettled(states[i]); });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(fake_.Datasets().size(), static_cast<std::size_t>(kSubscriptions));
  for (int i = 0; i < kSubscriptions; ++i) {
    EXPECT_EQ(outcomes[i].kind, OutcomeKind::kApplied) << Describe(outcomes[i]);
    const auto documents = fake_.Documents(DatasetId("sub" + std::to_string(i)));
    ASSERT_EQ(documents.size(), 2u);
    for (const auto& document : documents) {
      if (document.name.starts_with("f-")) {
        EXPECT_EQ(document.content, "file of " + std::to_string(i));
      }
    }
  }
}

// ---- Names
// --------------------------------------------------------------------------------------------------

TEST(RagflowNamesTest, FileNamesAreSafeBoundedAndKeepTheExtension) {
  EXPECT_EQ(DatasetName("01hx"), "capconf-01hx");
  EXPECT_EQ(FileDocumentName("abc123", "Guide v2.pdf"), "f-abc123-Guide v2.pdf");
  EXPECT_EQ(FileDocumentName("abc", "a\"b/c\\d\r\n.txt"), "f-abc-a_b_c_d__.txt");
  EXPECT_EQ(FileDocumentName("abc", ""), "f-abc-file");
  EXPECT_EQ(FileDocumentName("abc", "  notes.md "), "f-abc-notes.md");
  EXPECT_EQ(FileDocumentName("abc", "smile \xF0\x9F\x98\x80.txt"), "f-abc-smile _.txt");
  EXPECT_EQ(FileDocumentName("abc", "Résumé.docx"), "f-abc-Résumé.docx");
  EXPECT_EQ(FileDocumentName("abc", std::string("bad\xff.txt")), "f-abc-bad_.txt");
  // An id that is not a plain token is hashed, so names stay parseable.
  const std::string odd = FileDocumentName("../x-y", "a.txt");
  EXPECT_TRUE(odd.starts_with("f-h")) << odd;
  EXPECT_EQ(odd.size(), std::string("f-h0123456789abcdef-a.txt").size());
  EXPECT_TRUE(odd.starts_with(FileDocumentPrefix("../x-y")));

  std::string long_name;
  for (int i = 0; i < 120; ++i) long_name += "é";  // 240 bytes
  const std::string bounded = FileDocumentName("abc", long_name + ".pdf");
  EXPECT_LE(bounded.size(), 200u);
  EXPECT_TRUE(bounded.ends_with("é.pdf")) << bounded;  // cut between characters, not in one
}

TEST(RagflowNamesTest, PageNamesFollowSourcePageAndContent) {
  const auto a = PageDocumentName("https://s/", "https://s/p", "text/html; charset=utf-8", "x");
  const auto b = PageDocumentName("https://s/", "https://s/p", "text/html", "y");
  const auto c = PageDocumentName("https://s/", "https://s/q", "text/html", "x");
  ASSERT_TRUE(a && b && c);
  EXPECT_NE(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(a->substr(0, 28), b->substr(0, 28));  // same source and page
  EXPECT_NE(a->substr(0, 28), c->substr(0, 28));
  EXPECT_TRUE(a->starts_with(PageDocumentSourcePrefix("https://s/")));
  EXPECT_EQ(a->size(), std::string("u-0123456789ab-0123456789ab-0123456789ab.html").size());
  EXPECT_TRUE(PageDocumentName("https://s/", "https://s/p", "TEXT/PLAIN", "x")->ends_with(".txt"));
  EXPECT_TRUE(
      PageDocumentName("https://s/", "https://s/p", "text/markdown", "x")->ends_with(".md"));
  EXPECT_FALSE(PageDocumentName("https://s/", "https://s/p", "image/png", "x").has_value());
  EXPECT_FALSE(PageDocumentName("https://s/", "https://s/p", "", "x").has_value());
}

// ---- Multipart
// ----------------------------------------------------------------------------------------------

TEST(MultipartTest, RoundTripsThroughAParser) {
  const std::string content = "line 1\r\n--not-a-boundary\r\n\0binary"s;
  const MultipartBody body =
      BuildMultipartFormData({MultipartFile{"file", "report.pdf", "application/pdf", content}});
  EXPECT_TRUE(body.content_type.starts_with("multipart/form-data; boundary="));
  const auto parts = capconf::testing::ParseMultipart(body.content_type, body.body);
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "file");
  EXPECT_EQ((*parts)[0].filename, "report.pdf");
  EXPECT_EQ((*parts)[0].content_type, "application/pdf");
  EXPECT_EQ((*parts)[0].content, content);
  // Deterministic.
  EXPECT_EQ(
      BuildMultipartFormData({MultipartFile{"file", "report.pdf", "application/pdf", content}})
          .body,
      body.body);
}

TEST(MultipartTest, BoundaryNeverOccursInTheContent) {
  // Content that contains the boundary the builder would pick first.
  const MultipartBody first = BuildMultipartFormData({MultipartFile{"file", "a.txt", "", "x"}});
  const std::string hostile = "x\r\n--" + first.boundary + "--\r\n" + first.boundary;
  const MultipartBody body = BuildMultipartFormData({MultipartFile{"file", "a.txt", "", hostile}});
  EXPECT_EQ(hostile.find(body.boundary), std::string::npos);
  const auto parts = capconf::testing::ParseMultipart(body.content_type, body.body);
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].content, hostile);
  EXPECT_EQ((*parts)[0].content_type, "application/octet-stream");
}

TEST(MultipartTest, EscapesFilenamesAsBrowsersDo) {
  EXPECT_EQ(EscapeMultipartFilename("a\"b\r\nc.txt"), "a%22b%0D%0Ac.txt");
  EXPECT_EQ(EscapeMultipartFilename("Résumé.pdf"), "Résumé.pdf");
  const MultipartBody body = BuildMultipartFormData(
      {MultipartFile{"file", "evil\"; name=\"other\r\nX: y.txt", "text/plain", "hi"}});
  EXPECT_TRUE(Contains(body.body, "filename=\"evil%22; name=%22other%0D%0AX: y.txt\""))
      << body.body;
  const auto parts = capconf::testing::ParseMultipart(body.content_type, body.body);
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "file");
  EXPECT_EQ((*parts)[0].filename, "evil\"; name=\"other\r\nX: y.txt");
}

// ---- The fake behaves like Ragflow where it matters
// --------------------------------------------------------

class FakeRagflowTest : public ::testing::Test {
 protected:
  FakeRagflowTest() : client_(ClientOptions(5000ms)) {}

  // {"code": ..., ...} of one JSON call.
  boost::json::object Call(outbound::Method method, const std::string& path,
                           const std::string& body = "", const std::string& key = "") {
    outbound::Request request{method,
                              fake_.Url() + path,
                              {{"Authorization", "Bearer " + (key.empty() ? fake_.api_key() : key)},
                               {"Content-Type", "application/json"}},
                              body};
    Result<outbound::Response> response = client_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return {};
    return boost::json::parse(response->body).as_object();
  }

  FakeRagflow fake_;
  outbound::GuardedClient client_;
};

TEST_F(FakeRagflowTest, DatasetDeleteWithoutIdsDeletesEverything) {
  for (const std::string body : {R"({"ids": null})", R"({})", R"({"ids": []})", ""}) {
    FakeRagflow fake;
    fake.AddDataset("a");
    fake.AddDataset("b");
    outbound::Request request{
        outbound::Method::kDelete,
        fake.Url() + "/api/v1/datasets",
        {{"Authorization", "Bearer " + fake.api_key()}, {"Content-Type", "application/json"}},
        body};
    ASSERT_TRUE(client_.Send(request).ok());
    EXPECT_TRUE(fake.Datasets().empty()) << body;
    EXPECT_TRUE(fake.DeletedEverything()) << body;
  }
}

TEST_F(FakeRagflowTest, DocumentDeleteWithoutIdsDeletesEveryDocument) {
  const std::string id = fake_.AddDataset("a");
  fake_.AddDocument(id, "x.txt", "x");
  fake_.AddDocument(id, "y.txt", "y");
  EXPECT_EQ(Call(outbound::Method::kDelete, "/api/v1/datasets/" + id + "/documents", "{}")["code"],
            0);
  EXPECT_TRUE(fake_.Documents(id).empty());
  EXPECT_TRUE(fake_.DeletedEverything());
}

TEST_F(FakeRagflowTest, AnswersLikeRagflow) {
  EXPECT_EQ(Call(outbound::Method::kGet, "/api/v1/datasets", "", "bad")["code"], 109);
  const auto missing = Call(outbound::Method::kGet, "/api/v1/datasets?name=nope");
  EXPECT_EQ(missing.at("code"), 108);
  EXPECT_TRUE(Contains(std::string(missing.at("message").as_string()), "nope"));
  const auto created = Call(outbound::Method::kPost, "/api/v1/datasets", R"({"name": "Docs"})");
  ASSERT_EQ(created.at("code"), 0);
  EXPECT_EQ(created.at("data").at("parser_config").at("chunk_token_num"), 128);
  EXPECT_EQ(Call(outbound::Method::kPost, "/api/v1/datasets", R"({"name": "docs"})")["code"], 101);
  const std::string id(created.at("data").at("id").as_string());
  EXPECT_EQ(Call(outbound::Method::kDelete, "/api/v1/datasets", R"({"ids": ["unknown"]})")["code"],
            108);
  EXPECT_EQ(fake_.Datasets().size(), 1u);
  EXPECT_EQ(Call(outbound::Method::kPost, "/api/v1/datasets/" + id + "/chunks", "{}")["code"], 102);
  EXPECT_EQ(fake_.RequestCount("POST /api/v1/datasets/{id}/chunks"), 1);
  EXPECT_FALSE(fake_.DeletedEverything());
}

}  // namespace
}  // namespace capconf::ragflow
