#include "capconf/sync/retry.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace capconf::sync {

std::int64_t RetryDelayMs(int attempt, std::optional<long long> retry_after_seconds,
                          const RetryPolicy& policy, std::mt19937_64& random) {
  const int doublings = std::clamp(attempt - 1, 0, 40);
  std::int64_t ceiling = policy.base_delay_ms;
  for (int i = 0; i < doublings && ceiling < policy.max_delay_ms; ++i) ceiling *= 2;
  ceiling = std::clamp<std::int64_t>(ceiling, 0, policy.max_delay_ms);
  std::int64_t delay = std::uniform_int_distribution<std::int64_t>(0, ceiling)(random);
  if (retry_after_seconds && *retry_after_seconds > 0) {
    const std::int64_t asked =
        std::min<std::int64_t>(*retry_after_seconds, policy.max_retry_after_ms / 1000) * 1000;
    delay = std::max(delay, asked);
  }
  return delay;
}

namespace {

std::string ResourcesJson(const std::map<std::string, std::string>& resources) {
  boost::json::object out;
  for (const auto& [name, id] : resources) out[name] = id;
  return boost::json::serialize(out);
}

void Release(store::SyncJob& job) {
  job.lease_token.reset();
  job.lease_until.reset();
}

}  // namespace

void Conclude(store::SyncJob& job, const Outcome& outcome, std::int64_t now,
              const RetryPolicy& policy, std::mt19937_64& random) {
  Release(job);
  job.updated_at = now;
  const bool superseded = job.desired_seq > job.claimed_seq;
  switch (outcome.kind) {
    case OutcomeKind::kApplied:
      job.applied_seq = job.claimed_seq;
      job.applied_revision = job.claimed_revision;
      job.attempts = 0;
      job.last_error.clear();
      job.message = outcome.message;
      job.progress = outcome.progress;
      job.resources = ResourcesJson(outcome.resources);
      job.state = superseded ? store::SyncState::kPending : store::SyncState::kInSync;
      job.next_attempt_at = now;
      return;
    case OutcomeKind::kInProgress:
      job.attempts = 0;
      job.last_error.clear();
      job.message = outcome.message;
      job.progress = outcome.progress;
      job.resources = ResourcesJson(outcome.resources);
      job.state = store::SyncState::kSyncing;
      job.next_attempt_at = superseded ? now : now + policy.progress_poll_ms;
      return;
    case OutcomeKind::kNotConfigured:
      job.state = store::SyncState::kPending;
      job.last_error = outcome.message;
      job.next_attempt_at = superseded ? now : now + policy.not_configured_delay_ms;
      return;
    case OutcomeKind::kRetry:
    case OutcomeKind::kPermanent:
      job.last_error = outcome.message;
      if (superseded) {
        // EnqueueSync reset the attempts when the new desired state arrived.
        job.state = store::SyncState::kPending;
        job.next_attempt_at = now;
        return;
      }
      ++job.attempts;
      if (outcome.kind == OutcomeKind::kPermanent || job.attempts >= policy.max_attempts) {
        job.state = store::SyncState::kDead;
        job.next_attempt_at = now;
        return;
      }
      job.state = store::SyncState::kFailing;
      job.next_attempt_at =
          now + RetryDelayMs(job.attempts, outcome.retry_after_seconds, policy, random);
      return;
  }
}

void GiveBack(store::SyncJob& job, std::int64_t now) {
  Release(job);
  job.state = store::SyncState::kPending;
  job.next_attempt_at = now;
  job.updated_at = now;
}

}  // namespace capconf::sync
