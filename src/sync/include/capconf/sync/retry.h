#pragma once
// What a worker writes into an outbox row after a target answered (issue 6): the state machine
// of a sync job, kept pure so that it can be tested without a database or a clock.
//
//   pending ──claim──▶ syncing ──applied──▶ in_sync (or pending again, if saved meanwhile)
//                        │  ├─in progress─▶ syncing, unheld, asked again after a short poll
//                        │  ├─retry──────▶ failing, due after backoff (full jitter, Retry-After)
//                        │  │              └─ after max_attempts ─▶ dead
//                        │  ├─permanent──▶ dead (a retry cannot fix it; replay once fixed)
//                        │  └─not configured▶ pending, due again later, attempts untouched
//   dead ──replay or a new save──▶ pending
//
// A desired state newer than the one attempted is never dead-lettered: the new configuration
// may be exactly what fixes the failure, so it gets fresh attempts at once.

#include <cstdint>
#include <optional>
#include <random>

#include "capconf/store/store.h"
#include "capconf/sync/target.h"

namespace capconf::sync {

struct RetryPolicy {
  std::int64_t base_delay_ms = 1000;           // the first retry waits up to this
  std::int64_t max_delay_ms = 15 * 60 * 1000;  // backoff cap (before Retry-After)
  // Failed attempts before dead: with full jitter about 4 h of outage on average (at most 8 h),
  // so a target down for hours comes back to jobs still retrying.
  int max_attempts = 40;
  std::int64_t progress_poll_ms = 2000;  // how soon to look at parsing again
  std::int64_t not_configured_delay_ms = 60 * 1000;
  std::int64_t max_retry_after_ms = 6 * 60 * 60 * 1000;  // a Retry-After beyond this is capped
};

// Full jitter: uniform in [0, min(max_delay, base * 2^(attempt-1))], attempt >= 1; then at least
// the target's Retry-After (capped by max_retry_after_ms).
std::int64_t RetryDelayMs(int attempt, std::optional<long long> retry_after_seconds,
                          const RetryPolicy& policy, std::mt19937_64& random);

// Records `outcome` of the attempt at job.claimed_seq into `job` (held by the caller) and gives
// the lease back.
void Conclude(store::SyncJob& job, const Outcome& outcome, std::int64_t now,
              const RetryPolicy& policy, std::mt19937_64& random);

// A job the caller held but never started (a stopping worker): back to pending, due now.
void GiveBack(store::SyncJob& job, std::int64_t now);

}  // namespace capconf::sync
