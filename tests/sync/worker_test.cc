// The sync workers against a real database (SQLite file; PostgreSQL when a server or Debian's
// binaries are there) with an in-process target that counts what it is asked to do.
#include "capconf/sync/worker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "postgres_cluster.h"
#include "testing.h"  // src/store: a raw connection to make the PostgreSQL schema

namespace capconf::sync {
namespace {

using namespace std::chrono_literals;

std::string NewName() {
  static std::atomic<int> counter{0};
  return std::to_string(getpid()) + "_" + std::to_string(++counter) + "_" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Counts calls per subscription, and fails the test if one subscription is ever being applied
// by two calls at once.
class CountingTarget final : public Target {
 public:
  using Behaviour = std::function<Outcome(const DesiredState&, int call)>;
  explicit CountingTarget(Behaviour behaviour = {}) : behaviour_(std::move(behaviour)) {}
  std::string_view Name() const override { return "langflow"; }
  Outcome Apply(const DesiredState& desired) override {
    int call;
    {
      std::lock_guard lock(mutex_);
      if (!running_.insert(desired.subscription_id).second) ++overlaps_;
      call = ++calls_[desired.subscription_id];
    }
    Outcome outcome;
    outcome.message = "applied";
    if (behaviour_) outcome = behaviour_(desired, call);
    std::lock_guard lock(mutex_);
    running_.erase(desired.subscription_id);
    return outcome;
  }
  std::map<std::string, int> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  int overlaps() const {
    std::lock_guard lock(mutex_);
    return overlaps_;
  }

 private:
  Behaviour behaviour_;
  mutable std::mutex mutex_;
  std::set<std::string> running_;
  std::map<std::string, int> calls_;
  int overlaps_ = 0;
};

class SyncWorkersTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      if (!store::PostgresCompiledIn()) GTEST_SKIP() << "built without PostgreSQL";
      std::string why;
      const std::string base = testutil::TestPostgresUrl(&why);
      if (base.empty()) GTEST_SKIP() << why;
      admin_url_ = base;
      schema_ = "capconf_sync_" + NewName();
      auto admin = store::internal::OpenConnectionForTesting(admin_url_);
      ASSERT_TRUE(admin.ok()) << admin.status().ToString();
      ASSERT_TRUE((*admin)->ExecScript("CREATE SCHEMA " + schema_).ok());
      url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
             schema_;
    } else {
      dir_ = std::filesystem::temp_directory_path() / ("capconf-sync-" + NewName());
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "db.sqlite").string();
    }
    store_ = OpenStore();
    ASSERT_TRUE(store_->Migrate().ok());
    auto tx = Begin();
    organization_ = Must(tx->InsertOrganization({"", "Buyer", store::OrganizationKind::kBuyer, 1}));
    const std::string seller =
        Must(tx->InsertOrganization({"", "Seller", store::OrganizationKind::kSeller, 1}));
    user_ = Must(tx->InsertUser({"", organization_, "b-" + NewName() + "@example.com", "B",
                                 store::Role::kBuyer, "h", 1, false}));
    offering_ = Must(tx->InsertOffering({"", seller, "customer-support-agent", 1, "S", "D", "{}",
                                         store::OfferingState::kActive, 1, 1}));
    ASSERT_TRUE(tx->Commit().ok());
  }

  void TearDown() override {
    store_.reset();
    if (!schema_.empty()) {
      auto admin = store::internal::OpenConnectionForTesting(admin_url_);
      if (admin.ok()) (void)(*admin)->ExecScript("DROP SCHEMA " + schema_ + " CASCADE");
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<store::Store> OpenStore() {
    auto opened = store::Store::Open(url_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  std::unique_ptr<store::Transaction> Begin() {
    auto tx = store_->Begin();
    EXPECT_TRUE(tx.ok()) << tx.status().ToString();
    return std::move(tx).value();
  }

  template <typename T>
  T Must(Result<T> result) {
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? std::move(result).value() : T{};
  }

  // `count` subscriptions, each with a due langflow job at revision 1.
  std::vector<std::string> AddJobs(int count) {
    std::vector<std::string> ids;
    auto tx = Begin();
    for (int i = 0; i < count; ++i) {
      store::Subscription s{"", offering_, organization_, user_, store::SubscriptionState::kActive,
                            1,  {}};
      std::string id = Must(tx->InsertSubscription(s));
      EXPECT_TRUE(tx->EnqueueSync(id, "langflow", 1, NowMs()).ok());
      ids.push_back(id);
    }
    EXPECT_TRUE(tx->Commit().ok());
    return ids;
  }

  std::vector<store::SyncJob> Jobs(const std::vector<std::string>& ids) {
    std::vector<store::SyncJob> out;
    auto tx = store_->Begin(store::TransactionMode::kReadOnly);
    for (const std::string& id : ids) {
      auto jobs = (*tx)->ListSyncJobs(id);
      if (jobs.ok()) out.insert(out.end(), jobs->begin(), jobs->end());
    }
    return out;
  }

  // Waits until every job of `ids` is in sync (or `limit` passes).
  bool WaitInSync(const std::vector<std::string>& ids, std::chrono::milliseconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      bool all = true;
      for (const store::SyncJob& job : Jobs(ids)) {
        all = all && job.state == store::SyncState::kInSync && job.applied_seq == job.desired_seq;
      }
      if (all) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  static DesiredStateSource Source() {
    return [](std::string_view id) -> Result<DesiredState> {
      DesiredState d;
      d.subscription_id = std::string(id);
      return d;
    };
  }

  static WorkerOptions Fast(int threads = 2) {
    WorkerOptions options;
    options.threads = threads;
    options.poll = 20ms;
    options.retry.base_delay_ms = 5;
    options.retry.max_delay_ms = 50;
    return options;
  }

  std::string url_, admin_url_, schema_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::string organization_, user_, offering_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SyncWorkersTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

TEST_P(SyncWorkersTest, RunsEveryDueJobOnceAndRecordsItInSync) {
  const std::vector<std::string> ids = AddJobs(100);
  CountingTarget target;
  SyncWorkers workers(*store_, {&target}, Source(), Fast());
  workers.Start();
  ASSERT_TRUE(WaitInSync(ids));
  workers.Stop();
  const auto calls = target.calls();
  EXPECT_EQ(calls.size(), ids.size());
  for (const auto& [id, count] : calls) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(target.overlaps(), 0);
  for (const store::SyncJob& job : Jobs(ids)) {
    EXPECT_EQ(job.applied_revision, 1);
    EXPECT_EQ(job.message, "applied");
    EXPECT_FALSE(job.lease_token.has_value());
  }
  EXPECT_EQ(workers.stats().applied, 100);
  EXPECT_EQ(workers.stats().errors, 0);
}

TEST_P(SyncWorkersTest, TransientFailuresAreRetriedUntilTheTargetRecovers) {
  const std::vector<std::string> ids = AddJobs(10);
  CountingTarget target([](const DesiredState&, int call) {
    Outcome outcome;
    if (call <= 2) {
      outcome.kind = OutcomeKind::kRetry;
      outcome.message = "Langflow answered 503";
    }
    return outcome;
  });
  SyncWorkers workers(*store_, {&target}, Source(), Fast());
  workers.Start();
  ASSERT_TRUE(WaitInSync(ids));
  workers.Stop();
  for (const auto& [id, count] : target.calls()) EXPECT_EQ(count, 3) << id;
  for (const store::SyncJob& job : Jobs(ids)) {
    EXPECT_EQ(job.attempts, 0);
    EXPECT_EQ(job.last_error, "");
  }
  EXPECT_EQ(workers.stats().retried, 20);
}

TEST_P(SyncWorkersTest, AJobThatKeepsFailingIsDeadLetteredAfterItsAttempts) {
  const std::vector<std::string> ids = AddJobs(1);
  CountingTarget target([](const DesiredState&, int) {
    return Outcome{OutcomeKind::kRetry, "Langflow answered 500", std::nullopt, {}, ""};
  });
  WorkerOptions options = Fast();
  options.retry.max_attempts = 3;
  SyncWorkers workers(*store_, {&target}, Source(), options);
  workers.Start();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline &&
         Jobs(ids)[0].state != store::SyncState::kDead) {
    std::this_thread::sleep_for(10ms);
  }
  workers.Stop();
  const store::SyncJob job = Jobs(ids)[0];
  EXPECT_EQ(job.state, store::SyncState::kDead);
  EXPECT_EQ(job.attempts, 3);
  EXPECT_EQ(job.last_error, "Langflow answered 500");
  EXPECT_EQ(target.calls().at(ids[0]), 3) << "no attempt after dead";
}

TEST_P(SyncWorkersTest, ABurstOfSavesConvergesToTheNewestWithoutReplayingEachOne) {
  const std::vector<std::string> ids = AddJobs(1);
  CountingTarget target([](const DesiredState&, int) {
    std::this_thread::sleep_for(30ms);
    return Outcome{};
  });
  SyncWorkers workers(*store_, {&target}, Source(), Fast());
  workers.Start();
  for (int revision = 2; revision <= 40; ++revision) {
    auto tx = Begin();
    ASSERT_TRUE(tx->EnqueueSync(ids[0], "langflow", revision, NowMs()).ok());
    ASSERT_TRUE(tx->Commit().ok());
    workers.Wake();
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(WaitInSync(ids));
  workers.Stop();
  const store::SyncJob job = Jobs(ids)[0];
  EXPECT_EQ(job.applied_revision, 40);
  EXPECT_EQ(job.applied_seq, 40);
  EXPECT_LT(target.calls().at(ids[0]), 20) << "40 saves need far fewer than 40 applies";
  EXPECT_EQ(target.overlaps(), 0);
}

TEST_P(SyncWorkersTest, AJobOfADeadWorkerIsTakenOverWhenItsLeaseRunsOut) {
  const std::vector<std::string> ids = AddJobs(1);
  {
    // A worker claims the job and dies (kill -9): its lease is all that is left of it.
    auto tx = Begin();
    auto claimed = tx->ClaimSyncJobs({"langflow"}, "dead-worker", NowMs(), NowMs() + 300, 10);
    ASSERT_TRUE(claimed.ok());
    ASSERT_EQ(claimed->size(), 1u);
    ASSERT_TRUE(tx->Commit().ok());
  }
  CountingTarget target;
  SyncWorkers workers(*store_, {&target}, Source(), Fast());
  workers.Start();
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(target.calls().empty()) << "the lease still holds";
  ASSERT_TRUE(WaitInSync(ids, 10s));
  workers.Stop();
  EXPECT_EQ(target.calls().at(ids[0]), 1);
}

TEST_P(SyncWorkersTest, ASlowCallKeepsItsLeaseSoNoOtherWorkerRunsTheJob) {
  const std::vector<std::string> ids = AddJobs(1);
  CountingTarget target([](const DesiredState&, int) {
    std::this_thread::sleep_for(1200ms);  // four times the lease
    return Outcome{};
  });
  WorkerOptions options = Fast(1);
  options.lease = 300ms;
  auto second_store = OpenStore();
  SyncWorkers first(*store_, {&target}, Source(), options);
  SyncWorkers second(*second_store, {&target}, Source(), options);
  first.Start();
  second.Start();
  ASSERT_TRUE(WaitInSync(ids, 20s));
  first.Stop();
  second.Stop();
  EXPECT_EQ(target.calls().at(ids[0]), 1);
  EXPECT_EQ(target.overlaps(), 0);
  EXPECT_EQ(first.stats().lost_leases + second.stats().lost_leases, 0);
}

TEST_P(SyncWorkersTest, WakeStartsADueJobWithoutWaitingForThePoll) {
  CountingTarget target;
  WorkerOptions options = Fast(1);
  options.poll = 60s;
  SyncWorkers workers(*store_, {&target}, Source(), options);
  workers.Start();
  std::this_thread::sleep_for(50ms);  // the worker has looked once and sleeps
  const std::vector<std::string> ids = AddJobs(1);
  const auto start = std::chrono::steady_clock::now();
  workers.Wake();
  ASSERT_TRUE(WaitInSync(ids, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  workers.Stop();
}

TEST_P(SyncWorkersTest, JobsOfATargetThisWorkerLacksAreLeftAlone) {
  const std::vector<std::string> ids = AddJobs(1);
  {
    auto tx = Begin();
    ASSERT_TRUE(tx->EnqueueSync(ids[0], "ragflow", 1, NowMs()).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  const store::SyncJob before = Jobs(ids)[1];
  CountingTarget target;  // langflow only
  SyncWorkers workers(*store_, {&target}, Source(), Fast());
  workers.Start();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::vector<store::SyncJob> jobs;
  while (std::chrono::steady_clock::now() < deadline) {
    jobs = Jobs(ids);
    if (jobs[0].state == store::SyncState::kInSync) break;
    std::this_thread::sleep_for(10ms);
  }
  std::this_thread::sleep_for(100ms);  // several more polls
  workers.Stop();
  jobs = Jobs(ids);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].state, store::SyncState::kInSync);
  EXPECT_EQ(jobs[1], before) << "not claimed, not touched: it waits for a worker with Ragflow";
  EXPECT_EQ(workers.stats().claimed, 1);
}

// The figure: 8 workers (each with its own database connections, like 8 processes)
// and 10,000 jobs on PostgreSQL; every job runs exactly once, none twice at the same time.
TEST_P(SyncWorkersTest, EightWorkersTenThousandJobsEachRunExactlyOnce) {
  const bool postgres = GetParam() == "postgres";
  const int kJobs = postgres ? 10000 : 2000;
  const std::vector<std::string> ids = AddJobs(kJobs);
  CountingTarget target;
  std::vector<std::unique_ptr<store::Store>> stores;
  std::vector<std::unique_ptr<SyncWorkers>> workers;
  for (int i = 0; i < 8; ++i) {
    stores.push_back(OpenStore());
    WorkerOptions options = Fast(1);
    options.batch = 8;
    workers.push_back(std::make_unique<SyncWorkers>(*stores.back(), std::vector<Target*>{&target},
                                                    Source(), options));
  }
  const auto start = std::chrono::steady_clock::now();
  for (auto& w : workers) w->Start();
  ASSERT_TRUE(WaitInSync(ids, 300s));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& w : workers) w->Stop();
  const auto calls = target.calls();
  EXPECT_EQ(calls.size(), static_cast<std::size_t>(kJobs));
  int more_than_once = 0;
  for (const auto& [id, count] : calls) more_than_once += count != 1;
  EXPECT_EQ(more_than_once, 0);
  EXPECT_EQ(target.overlaps(), 0);
  std::int64_t applied = 0, errors = 0;
  for (auto& w : workers) {
    applied += w->stats().applied;
    errors += w->stats().errors;
  }
  EXPECT_EQ(applied, kJobs);
  EXPECT_EQ(errors, 0);
  std::printf("%d jobs by 8 workers on %s in %.2f s\n", kJobs, GetParam().c_str(), seconds);
}

}  // namespace
}  // namespace capconf::sync
