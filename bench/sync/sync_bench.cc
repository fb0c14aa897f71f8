// The sync pipeline's figures (issue 6), against the fakes of Langflow and Ragflow on loopback:
//   - jobs per second: N subscriptions made while no worker runs (2 jobs each: Langflow and
//     Ragflow), then the workers start and the clock runs until every job is in sync;
//   - save → in sync: saves one after another with the workers running, each timed from the
//     moment SaveConfig returns until both targets have the new revision (polled every 0.5 ms).
// On SQLite (a file) and PostgreSQL (a throwaway cluster, as the tests start one).
//
// usage: capconf_sync_bench [--backend sqlite|postgres|both] [--subscriptions N] [--saves N]
//                           [--workers N]
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "capconf/access/crypto.h"
#include "capconf/access/server_keys.h"
#include "capconf/catalog/catalog.h"
#include "capconf/service/service.h"
#include "capconf/store/store.h"
#include "fake_langflow.h"
#include "fake_ragflow.h"
#include "keyring_sealer.h"
#include "postgres_cluster.h"
#include "sync_runtime.h"
#include "testing.h"  // src/store: a raw connection to make the PostgreSQL schema

namespace capconf {
namespace {
namespace bj = boost::json;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "capconf_sync_bench: %s\n", why.c_str());
  std::exit(2);
}

template <typename T>
T Must(Result<T> result, const char* what) {
  if (!result.ok()) Die(std::string(what) + ": " + result.status().ToString());
  return std::move(result).value();
}
void Must(const Status& status, const char* what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.ToString());
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t at =
      std::min(values.size() - 1, static_cast<std::size_t>(p / 100.0 * (values.size() - 1) + 0.5));
  return values[at];
}

struct Options {
  std::string backend = "both";
  int subscriptions = 500;
  int saves = 200;
  int workers = 4;
};

// The database URL for `backend`, fresh.
std::string FreshDatabase(const std::string& backend, const std::filesystem::path& dir) {
  if (backend == "sqlite") return "sqlite:" + (dir / "bench.db").string();
  std::string why;
  std::string base = testutil::TestPostgresUrl(&why);
  if (base.empty()) Die("no PostgreSQL: " + why);
  const std::string schema = "sync_bench_" + std::to_string(getpid());
  auto admin = Must(store::internal::OpenConnectionForTesting(base), "PostgreSQL");
  Must(admin->ExecScript("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema),
       "schema");
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

bool AllInSync(store::Store& db, const std::vector<std::string>& ids, std::int64_t revision) {
  auto tx = Must(db.Begin(store::TransactionMode::kReadOnly), "Begin");
  for (const std::string& id : ids) {
    auto jobs = Must(tx->ListSyncJobs(id), "ListSyncJobs");
    for (const store::SyncJob& job : jobs) {
      if (job.state != store::SyncState::kInSync || job.applied_revision < revision) return false;
    }
  }
  return true;
}

void Run(const std::string& backend, const Options& o) {
  // Fresh fakes per backend: Langflow lists every variable of its user on each sync, so one
  // run's variables would slow the next run down.
  testing::FakeLangflow langflow("lf-bench-key");
  langflow.AddTemplateFlow("customer-support-v1", "Customer support",
                           bj::parse(R"({"nodes": [], "edges": []})"));
  testing::FakeRagflow ragflow("rf-bench-key");
  ragflow.set_log_requests(false);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("capconf-sync-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string url = FreshDatabase(backend, dir);
  auto db = Must(store::Store::Open(url), "Store::Open");
  Must(db->Migrate(), "Migrate");
  auto keys = Must(access::LoadOrCreateServerKeys(dir / "data"), "server keys");
  cli::KeyringSealer sealer(Must(access::MakeKeyring(keys), "keyring"));
  service::SystemClock clock;
  service::Service service(*db, catalog::Catalog::EmbeddedFiles(), clock, sealer);
  Must(service.Start(), "Service::Start");

  // A seller's active offering of the customer-support template (Langflow and Ragflow) and a
  // buyer who subscribes to it N times.
  service::Actor buyer;
  std::string offering;
  {
    auto tx = Must(db->Begin(), "Begin");
    const std::string seller =
        Must(tx->InsertOrganization({"", "Seller", store::OrganizationKind::kSeller, 1}), "org");
    buyer.organization_id =
        Must(tx->InsertOrganization({"", "Buyer", store::OrganizationKind::kBuyer, 1}), "org");
    buyer.user_id = Must(tx->InsertUser({"", buyer.organization_id, "bench@example.com", "B",
                                         store::Role::kBuyer, "h", 1, false}),
                         "user");
    buyer.role = store::Role::kBuyer;
    offering = Must(tx->InsertOffering({"", seller, "customer-support-agent", 1, "Support", "D",
                                        "{}", store::OfferingState::kActive, 1, 1}),
                    "offering");
    Must(tx->Commit(), "Commit");
  }
  std::vector<std::string> ids;
  for (int i = 0; i < o.subscriptions; ++i) {
    ids.push_back(Must(service.Subscribe(buyer, offering), "Subscribe").id);
  }
  const int jobs = 2 * o.subscriptions;

  cli::SyncSettings settings;
  settings.langflow_url = langflow.base_url();
  settings.langflow_api_key = "lf-bench-key";
  settings.ragflow_url = ragflow.Url();
  settings.ragflow_api_key = "rf-bench-key";
  settings.workers = o.workers;
  settings.poll_ms = 20;
  auto runtime = Must(cli::SyncRuntime::Make(*db, service, settings), "SyncRuntime");
  service.OnSyncDue([&runtime] { runtime->workers().Wake(); });

  // Jobs per second: the backlog of first provisionings.
  const auto start = Clock::now();
  runtime->Start();
  while (!AllInSync(*db, ids, 1)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::int64_t langflow_requests = [&] {
    std::int64_t n = 0;
    for (const auto& [route, count] : langflow.request_counts()) n += count;
    return n;
  }();
  std::printf(
      "%-8s backlog: %d jobs (%d subscriptions x Langflow+Ragflow) in %.2f s = %.0f jobs/s"
      " (%lld Langflow and %d Ragflow requests, %d worker threads)\n",
      backend.c_str(), jobs, o.subscriptions, seconds, jobs / seconds,
      static_cast<long long>(langflow_requests), ragflow.TotalRequests(), o.workers);

  // Save -> in sync, one save at a time, round the subscriptions.
  std::vector<double> latencies_ms;
  std::vector<std::int64_t> revision(ids.size(), 1);
  for (int i = 0; i < o.saves; ++i) {
    const std::size_t k = static_cast<std::size_t>(i) % ids.size();
    bj::object config{{"branding", bj::object{{"agent_name", "Agent " + std::to_string(i)}}},
                      {"rag", bj::object{{"chunk_size", 256 + (i % 8) * 128}}}};
    auto saved = Must(service.SaveConfig(buyer, ids[k], revision[k], config), "SaveConfig");
    if (!saved.errors.empty()) Die("the benchmark's config is invalid: " + saved.errors[0].message);
    revision[k] = saved.view.revision;
    const auto saved_at = Clock::now();
    while (!AllInSync(*db, {ids[k]}, revision[k])) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - saved_at).count());
  }
  runtime->Stop();
  std::printf(
      "%-8s save -> in sync (both targets): %d saves, p50 %.1f ms, p90 %.1f ms, "
      "p99 %.1f ms, max %.1f ms\n",
      backend.c_str(), o.saves, Percentile(latencies_ms, 50), Percentile(latencies_ms, 90),
      Percentile(latencies_ms, 99), Percentile(latencies_ms, 100));
  std::fflush(stdout);
  runtime.reset();
  db.reset();
  std::filesystem::remove_all(dir);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    auto number = [&](int low, int high) {
      const int value = std::atoi(next().c_str());
      if (value < low || value > high) {
        Die(a + " takes " + std::to_string(low) + " to " + std::to_string(high));
      }
      return value;
    };
    if (a == "--backend") {
      o.backend = next();
      if (o.backend != "sqlite" && o.backend != "postgres" && o.backend != "both")
        Die("--backend takes sqlite, postgres or both");
    } else if (a == "--subscriptions") {
      o.subscriptions = number(1, 100000);
    } else if (a == "--saves") {
      o.saves = number(1, 100000);
    } else if (a == "--workers") {
      o.workers = number(1, 64);
    } else {
      Die("unknown option " + a + " (--backend, --subscriptions, --saves, --workers)");
    }
  }
  return o;
}

}  // namespace
}  // namespace capconf

int main(int argc, char** argv) {
  using namespace capconf;
  const Options o = Parse(argc, argv);
  Must(access::Initialize(), "libsodium");
  std::printf(
      "capconf_sync_bench: %d subscriptions, %d saves, fakes on loopback (one TCP "
      "connection per request)\n",
      o.subscriptions, o.saves);
  if (o.backend != "postgres") Run("sqlite", o);
  if (o.backend != "sqlite") Run("postgres", o);
  return 0;
}
