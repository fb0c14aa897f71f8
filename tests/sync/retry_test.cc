#include "capconf/sync/retry.h"

#include <gtest/gtest.h>

namespace capconf::sync {
namespace {

store::SyncJob Claimed(std::int64_t desired_seq = 3, std::int64_t claimed_seq = 3) {
  store::SyncJob job;
  job.subscription_id = "s1";
  job.target = "langflow";
  job.desired_seq = desired_seq;
  job.desired_revision = 7;
  job.claimed_seq = claimed_seq;
  job.claimed_revision = 7;
  job.applied_seq = 1;
  job.applied_revision = 5;
  job.state = store::SyncState::kSyncing;
  job.lease_token = "w:1";
  job.lease_until = 5000;
  return job;
}

Outcome Of(OutcomeKind kind, std::string message = "", std::optional<long long> retry_after = {}) {
  Outcome outcome;
  outcome.kind = kind;
  outcome.message = std::move(message);
  outcome.retry_after_seconds = retry_after;
  return outcome;
}

TEST(RetryDelayTest, FullJitterStaysUnderTheDoublingCeiling) {
  RetryPolicy policy;
  policy.base_delay_ms = 100;
  policy.max_delay_ms = 1000;
  std::mt19937_64 random(42);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const std::int64_t ceiling = std::min<std::int64_t>(1000, 100LL << (attempt - 1));
    std::int64_t lowest = ceiling, highest = 0;
    for (int i = 0; i < 2000; ++i) {
      const std::int64_t delay = RetryDelayMs(attempt, std::nullopt, policy, random);
      ASSERT_GE(delay, 0);
      ASSERT_LE(delay, ceiling) << "attempt " << attempt;
      lowest = std::min(lowest, delay);
      highest = std::max(highest, delay);
    }
    // Full jitter spreads over the whole range, not around the ceiling.
    EXPECT_LT(lowest, ceiling / 10) << "attempt " << attempt;
    EXPECT_GT(highest, ceiling * 9 / 10) << "attempt " << attempt;
  }
}

TEST(RetryDelayTest, RetryAfterIsAFloorAndIsCapped) {
  RetryPolicy policy;
  policy.base_delay_ms = 100;
  policy.max_delay_ms = 1000;
  policy.max_retry_after_ms = 60000;
  std::mt19937_64 random(1);
  for (int i = 0; i < 100; ++i) {
    EXPECT_GE(RetryDelayMs(1, 7, policy, random), 7000);
    EXPECT_LE(RetryDelayMs(1, 7, policy, random), 7000);
    EXPECT_EQ(RetryDelayMs(1, 86400, policy, random), 60000);
  }
  EXPECT_LE(RetryDelayMs(1, 0, policy, random), 100) << "Retry-After: 0 adds nothing";
}

TEST(ConcludeTest, AppliedCatchesUpAndReleasesTheLease) {
  store::SyncJob job = Claimed();
  job.attempts = 2;
  job.last_error = "old";
  Outcome outcome = Of(OutcomeKind::kApplied, "project capconf-s1, 3 variables");
  outcome.resources = {{"ragflow_collection", "d1"}};
  std::mt19937_64 random(1);
  Conclude(job, outcome, 1000, RetryPolicy{}, random);
  EXPECT_EQ(job.state, store::SyncState::kInSync);
  EXPECT_EQ(job.applied_seq, 3);
  EXPECT_EQ(job.applied_revision, 7);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(job.last_error, "");
  EXPECT_EQ(job.message, "project capconf-s1, 3 variables");
  EXPECT_EQ(job.resources, R"({"ragflow_collection":"d1"})");
  EXPECT_FALSE(job.lease_token.has_value());
  EXPECT_FALSE(job.lease_until.has_value());
  EXPECT_EQ(job.updated_at, 1000);
}

TEST(ConcludeTest, AppliedWhileSavedAgainStaysPendingAndDueNow) {
  store::SyncJob job = Claimed(/*desired_seq=*/5, /*claimed_seq=*/3);
  std::mt19937_64 random(1);
  Conclude(job, Of(OutcomeKind::kApplied), 1000, RetryPolicy{}, random);
  EXPECT_EQ(job.state, store::SyncState::kPending);
  EXPECT_EQ(job.applied_seq, 3);
  EXPECT_EQ(job.next_attempt_at, 1000);
}

TEST(ConcludeTest, InProgressPollsAgainWithoutSpendingAttempts) {
  store::SyncJob job = Claimed();
  job.attempts = 1;
  Outcome outcome = Of(OutcomeKind::kInProgress);
  outcome.progress = "3 of 5 documents parsed";
  RetryPolicy policy;
  policy.progress_poll_ms = 2000;
  std::mt19937_64 random(1);
  Conclude(job, outcome, 1000, policy, random);
  EXPECT_EQ(job.state, store::SyncState::kSyncing);
  EXPECT_EQ(job.progress, "3 of 5 documents parsed");
  EXPECT_EQ(job.next_attempt_at, 3000);
  EXPECT_EQ(job.applied_seq, 1) << "not applied until parsing is done";
  EXPECT_FALSE(job.lease_token.has_value());
}

TEST(ConcludeTest, NotConfiguredWaitsAndSaysWhy) {
  store::SyncJob job = Claimed();
  RetryPolicy policy;
  policy.not_configured_delay_ms = 60000;
  std::mt19937_64 random(1);
  Conclude(job, Of(OutcomeKind::kNotConfigured, "Langflow is not configured"), 1000, policy,
           random);
  EXPECT_EQ(job.state, store::SyncState::kPending);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(job.last_error, "Langflow is not configured");
  EXPECT_EQ(job.next_attempt_at, 61000);
}

TEST(ConcludeTest, RetriesBackOffUntilDead) {
  RetryPolicy policy;
  policy.base_delay_ms = 1000;
  policy.max_delay_ms = 8000;
  policy.max_attempts = 4;
  std::mt19937_64 random(7);
  store::SyncJob job = Claimed();
  for (int attempt = 1; attempt <= 3; ++attempt) {
    job.lease_token = "w";
    Conclude(job, Of(OutcomeKind::kRetry, "Langflow answered 503"), 10000, policy, random);
    EXPECT_EQ(job.state, store::SyncState::kFailing) << attempt;
    EXPECT_EQ(job.attempts, attempt);
    EXPECT_EQ(job.last_error, "Langflow answered 503");
    EXPECT_GE(job.next_attempt_at, 10000);
    EXPECT_LE(job.next_attempt_at, 10000 + std::min(8000, 1000 << (attempt - 1)));
    EXPECT_FALSE(job.lease_token.has_value());
  }
  Conclude(job, Of(OutcomeKind::kRetry, "Langflow answered 503"), 10000, policy, random);
  EXPECT_EQ(job.state, store::SyncState::kDead);
  EXPECT_EQ(job.attempts, 4);
}

TEST(ConcludeTest, RetryAfterDecidesTheNextAttempt) {
  store::SyncJob job = Claimed();
  std::mt19937_64 random(7);
  RetryPolicy policy;
  policy.base_delay_ms = 10;
  Conclude(job, Of(OutcomeKind::kRetry, "429", 30), 1000, policy, random);
  EXPECT_EQ(job.next_attempt_at, 31000);
}

TEST(ConcludeTest, PermanentFailureIsDeadAtOnce) {
  store::SyncJob job = Claimed();
  std::mt19937_64 random(7);
  Conclude(job, Of(OutcomeKind::kPermanent, "Langflow refused the API key"), 1000, RetryPolicy{},
           random);
  EXPECT_EQ(job.state, store::SyncState::kDead);
  EXPECT_EQ(job.last_error, "Langflow refused the API key");
  EXPECT_EQ(job.applied_seq, 1);
}

TEST(ConcludeTest, ANewerDesiredStateIsNeverDeadLettered) {
  RetryPolicy policy;
  policy.max_attempts = 1;
  std::mt19937_64 random(7);
  for (OutcomeKind kind : {OutcomeKind::kRetry, OutcomeKind::kPermanent}) {
    store::SyncJob job = Claimed(/*desired_seq=*/4, /*claimed_seq=*/3);
    Conclude(job, Of(kind, "failed"), 1000, policy, random);
    EXPECT_EQ(job.state, store::SyncState::kPending);
    EXPECT_EQ(job.next_attempt_at, 1000);
    EXPECT_EQ(job.attempts, 0);
    EXPECT_EQ(job.last_error, "failed");
  }
}

TEST(ConcludeTest, GiveBackMakesTheJobDueAgain) {
  store::SyncJob job = Claimed();
  GiveBack(job, 1234);
  EXPECT_EQ(job.state, store::SyncState::kPending);
  EXPECT_EQ(job.next_attempt_at, 1234);
  EXPECT_FALSE(job.lease_token.has_value());
  EXPECT_EQ(job.applied_seq, 1);
}

}  // namespace
}  // namespace capconf::sync
