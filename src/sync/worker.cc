#include "capconf/sync/worker.h"

#include <unistd.h>

#include <random>
#include <utility>

namespace capconf::sync {
namespace {

std::string DefaultName() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

std::uint64_t RandomTag() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

}  // namespace

SyncWorkers::SyncWorkers(store::Store& store, std::vector<Target*> targets,
                         DesiredStateSource source, WorkerOptions options)
    : store_(store), source_(std::move(source)), options_(std::move(options)) {
  for (Target* target : targets) {
    targets_[std::string(target->Name())] = target;
    target_names_.emplace_back(target->Name());
  }
  // Two processes with the same name (a restarted pid, containers) must not share tokens.
  if (options_.name.empty()) options_.name = DefaultName();
  options_.name += ":" + std::to_string(RandomTag() % 1000000007);
  if (options_.threads < 1) options_.threads = 1;
  if (options_.batch < 1) options_.batch = 1;
}

SyncWorkers::~SyncWorkers() { Stop(); }

std::int64_t SyncWorkers::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SyncWorkers::Start() {
  std::lock_guard lock(mutex_);
  // Without targets there is nothing to claim: no thread polls the database for nothing.
  if (!threads_.empty() || targets_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { Run(i); });
  renewer_ = std::thread([this] { RenewLeases(); });
}

void SyncWorkers::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  renew_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  renewer_.join();
  std::lock_guard lock(mutex_);
  threads_.clear();
}

void SyncWorkers::Wake() {
  // Called after every save: waking a thread costs a context switch (dear on virtual machines),
  // so only an idle one is woken, and one is enough (it looks again after every batch).
  bool someone_idle;
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
    someone_idle = idle_ > 0;
  }
  if (someone_idle) wake_.notify_one();
}

WorkerStats SyncWorkers::stats() const {
  return WorkerStats{claimed_.load(), applied_.load(),        in_progress_.load(), retried_.load(),
                     dead_.load(),    not_configured_.load(), lost_leases_.load(), errors_.load()};
}

void SyncWorkers::Run(int index) {
  while (true) {
    std::uint64_t seen;
    std::string token;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      seen = wakes_;
      token = options_.name + ":" + std::to_string(index) + ":" + std::to_string(++next_token_);
    }
    bool worked = RunBatch(token);
    std::unique_lock lock(mutex_);
    if (worked) continue;  // there may be more due right now
    ++idle_;
    wake_.wait_for(lock, options_.poll, [&] { return stopping_ || wakes_ != seen; });
    --idle_;
  }
}

void SyncWorkers::RenewLeases() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    renew_.wait_for(lock, options_.lease / 3, [&] { return stopping_; });
    if (stopping_) return;
    std::vector<std::string> tokens(active_tokens_.begin(), active_tokens_.end());
    lock.unlock();
    for (const std::string& token : tokens) {
      auto tx = store_.Begin();
      bool ok = tx.ok() && (*tx)->RenewSyncLeases(token, Now() + options_.lease.count()).ok() &&
                (*tx)->Commit().ok();
      if (!ok) ++errors_;
    }
    lock.lock();
  }
}

bool SyncWorkers::RunBatch(const std::string& token) {
  std::vector<store::SyncJob> jobs;
  {
    {
      std::lock_guard lock(mutex_);
      active_tokens_.insert(token);
    }
    const std::int64_t now = Now();
    auto tx = store_.Begin();
    Result<std::vector<store::SyncJob>> claimed =
        tx.ok() ? (*tx)->ClaimSyncJobs(target_names_, token, now, now + options_.lease.count(),
                                       options_.batch)
                : Result<std::vector<store::SyncJob>>(tx.status());
    if (claimed.ok() && (*tx)->Commit().ok())
      jobs = std::move(claimed).value();
    else
      ++errors_;
  }
  claimed_ += static_cast<std::int64_t>(jobs.size());
  for (store::SyncJob& job : jobs) {
    bool stopping;
    {
      std::lock_guard lock(mutex_);
      stopping = stopping_;
    }
    if (stopping) {
      Record(job, token, [&](store::SyncJob& row) { GiveBack(row, Now()); });
      continue;
    }
    RunJob(std::move(job), token);
  }
  {
    std::lock_guard lock(mutex_);
    active_tokens_.erase(token);
  }
  return !jobs.empty();
}

void SyncWorkers::RunJob(store::SyncJob job, const std::string& token) {
  Outcome outcome;
  auto target = targets_.find(job.target);
  if (target == targets_.end()) {
    outcome = {OutcomeKind::kNotConfigured,
               "this worker has no target called '" + job.target + "'",
               std::nullopt,
               {},
               ""};
  } else {
    Result<DesiredState> desired = source_(job.subscription_id);
    if (desired.ok()) {
      outcome = target->second->Apply(*desired);
    } else if (desired.status().code() == StatusCode::kUnavailable) {
      outcome = {OutcomeKind::kRetry,
                 "the database is unavailable: " + desired.status().message(),
                 std::nullopt,
                 {},
                 ""};
    } else {
      outcome = {OutcomeKind::kPermanent,
                 "the desired state cannot be read: " + desired.status().message(),
                 std::nullopt,
                 {},
                 ""};
    }
  }
  thread_local std::mt19937_64 random(RandomTag());
  store::SyncState state = store::SyncState::kPending;
  bool recorded = Record(job, token, [&](store::SyncJob& row) {
    Conclude(row, outcome, Now(), options_.retry, random);
    state = row.state;
  });
  if (!recorded) return;
  if (state == store::SyncState::kDead) ++dead_;
  switch (outcome.kind) {
    case OutcomeKind::kApplied:
      ++applied_;
      break;
    case OutcomeKind::kInProgress:
      ++in_progress_;
      break;
    case OutcomeKind::kNotConfigured:
      ++not_configured_;
      break;
    case OutcomeKind::kRetry:
    case OutcomeKind::kPermanent:
      ++retried_;
      break;
  }
}

bool SyncWorkers::Record(const store::SyncJob& claimed, const std::string& token,
                         const std::function<void(store::SyncJob&)>& update) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto tx = store_.Begin();
    if (!tx.ok()) {
      ++errors_;
      continue;
    }
    Result<store::SyncJob> row =
        (*tx)->GetSyncJobForUpdate(claimed.subscription_id, claimed.target);
    if (!row.ok()) {
      ++errors_;
      continue;
    }
    if (row->lease_token != token) {
      // The lease ran out and another worker holds the job now: its outcome will count.
      ++lost_leases_;
      return false;
    }
    update(*row);
    if ((*tx)->UpdateSyncJob(*row).ok() && (*tx)->Commit().ok()) return true;
    ++errors_;
  }
  return false;
}

}  // namespace capconf::sync
