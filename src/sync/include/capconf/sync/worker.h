#pragma once
// The workers of the sync pipeline (issue 6): threads that claim due outbox rows, hand each
// target the subscription's whole desired state, and record the outcome. They run inside
// `capconf serve` and as `capconf worker` processes, any number of them against one database:
// a claim is a lease in the row (store::ClaimSyncJobs), so no two workers run the same job at
// once, and a worker that dies (kill -9) loses its leases when they run out, after which
// another worker takes the jobs again. Leases are renewed while a call is running, so a slow
// target does not make a job run twice.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/store/store.h"
#include "capconf/sync/retry.h"
#include "capconf/sync/target.h"

namespace capconf::sync {

// What a subscription should look like outside, read fresh for every attempt.
using DesiredStateSource = std::function<Result<DesiredState>(std::string_view subscription_id)>;

struct WorkerOptions {
  int threads = 2;
  int batch = 4;                           // jobs one thread claims at a time
  std::chrono::milliseconds poll{500};     // how often an idle thread looks for due jobs
  std::chrono::milliseconds lease{60000};  // renewed every third of it while a job runs
  RetryPolicy retry;
  // Names this process in lease tokens; "<host>:<pid>" when empty.
  std::string name;
  // Milliseconds since the epoch; the system clock when empty (tests pass their own).
  std::function<std::int64_t()> now_ms;
};

struct WorkerStats {
  std::int64_t claimed = 0;
  std::int64_t applied = 0;
  std::int64_t in_progress = 0;
  std::int64_t retried = 0;
  std::int64_t dead = 0;
  std::int64_t not_configured = 0;
  std::int64_t lost_leases = 0;  // outcomes dropped because another worker took the job over
  std::int64_t errors = 0;       // database errors while claiming or recording
};

class SyncWorkers {
 public:
  // `store`, the targets and `source` must outlive this object. Only the targets' jobs are
  // claimed (by Name()): another target's jobs wait for a worker that has it.
  SyncWorkers(store::Store& store, std::vector<Target*> targets, DesiredStateSource source,
              WorkerOptions options = {});
  ~SyncWorkers();  // Stop()
  SyncWorkers(const SyncWorkers&) = delete;
  SyncWorkers& operator=(const SyncWorkers&) = delete;

  void Start();
  // Lets running calls finish, gives claimed but unstarted jobs back, and joins the threads.
  void Stop();
  // A job became due in this process: look now instead of at the next poll.
  void Wake();
  WorkerStats stats() const;

 private:
  void Run(int index);
  void RenewLeases();
  // Claims and runs one batch; false when there was nothing to do.
  bool RunBatch(const std::string& token);
  void RunJob(store::SyncJob job, const std::string& token);
  // Records what happened under the job's lease; false if the lease was lost.
  bool Record(const store::SyncJob& claimed, const std::string& token,
              const std::function<void(store::SyncJob&)>& update);
  std::int64_t Now() const;

  store::Store& store_;
  std::map<std::string, Target*, std::less<>> targets_;
  std::vector<std::string> target_names_;  // only their jobs are claimed
  DesiredStateSource source_;
  WorkerOptions options_;

  std::vector<std::thread> threads_;
  std::thread renewer_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;   // idle workers wait here
  std::condition_variable renew_;  // the lease renewer waits here
  std::uint64_t wakes_ = 0;
  int idle_ = 0;  // workers waiting for a wake or the next poll
  bool stopping_ = false;
  std::set<std::string> active_tokens_;  // leases held right now, for the renewer
  std::uint64_t next_token_ = 0;

  std::atomic<std::int64_t> claimed_{0}, applied_{0}, in_progress_{0}, retried_{0}, dead_{0},
      not_configured_{0}, lost_leases_{0}, errors_{0};
};

}  // namespace capconf::sync
