// GroupCommit (src/store/group_commit.h): who runs a batch, what goes into it, and that every
// caller hears its own result.

#include "group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace capconf::store::internal {
namespace {

// Each payload is an int; the runner answers with a status naming it, and records the batches.
struct Recorder {
  std::mutex mutex;
  std::vector<std::vector<int>> batches;
  std::vector<std::thread::id> runners;
  std::function<void()> while_running;  // called inside the first batch only

  GroupCommit::Runner Runner() {
    return [this](std::span<GroupCommit::Item* const> batch) {
      std::vector<int> ids;
      for (GroupCommit::Item* item : batch) {
        const int id = *static_cast<const int*>(item->payload);
        ids.push_back(id);
        item->result = Status(StatusCode::kNotFound, "item " + std::to_string(id));
      }
      std::function<void()> hook;
      {
        std::lock_guard lock(mutex);
        batches.push_back(ids);
        runners.push_back(std::this_thread::get_id());
        hook = std::exchange(while_running, nullptr);
      }
      if (hook) hook();
    };
  }
};

TEST(GroupCommitTest, ALoneCallerRunsAtOnceOnItsOwnThread) {
  Recorder recorder;
  GroupCommit group(recorder.Runner(), 8);
  const int id = 7;
  Status status = group.Run(&id);
  EXPECT_EQ(status.message(), "item 7");
  ASSERT_EQ(recorder.batches.size(), 1u);
  EXPECT_EQ(recorder.batches[0], std::vector<int>{7});
  EXPECT_EQ(recorder.runners[0], std::this_thread::get_id());
}

// While the first batch runs, the others queue; they then run together, and each caller gets
// the result that names its own payload.
TEST(GroupCommitTest, CallersQueuedDuringABatchShareTheNext) {
  constexpr int kWaiting = 6;
  Recorder recorder;
  GroupCommit group(recorder.Runner(), 64);
  std::atomic<int> queued{0};
  std::latch first_running(1);
  std::atomic<bool> release{false};
  recorder.while_running = [&] {
    first_running.count_down();
    // Hold the first batch until every other caller has had time to queue behind it.
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  std::vector<Status> results(kWaiting + 1);
  std::vector<int> ids(kWaiting + 1);
  for (int i = 0; i <= kWaiting; ++i) ids[i] = i;
  std::thread first([&] { results[0] = group.Run(&ids[0]); });
  first_running.wait();
  std::vector<std::thread> others;
  for (int i = 1; i <= kWaiting; ++i) {
    others.emplace_back([&, i] {
      ++queued;
      results[i] = group.Run(&ids[i]);
    });
  }
  while (queued.load() < kWaiting) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // into Run and queued
  release = true;
  first.join();
  for (auto& t : others) t.join();

  for (int i = 0; i <= kWaiting; ++i) EXPECT_EQ(results[i].message(), "item " + std::to_string(i));
  ASSERT_EQ(recorder.batches.size(), 2u);
  EXPECT_EQ(recorder.batches[0], std::vector<int>{0});
  EXPECT_EQ(recorder.batches[1].size(), static_cast<std::size_t>(kWaiting));
  // The second batch ran on one of its own callers' threads, not the first caller's.
  EXPECT_NE(recorder.runners[1], recorder.runners[0]);
}

TEST(GroupCommitTest, ABatchHoldsAtMostMaxBatchCallers) {
  constexpr int kCallers = 40;
  Recorder recorder;
  GroupCommit group(recorder.Runner(), 3);
  std::vector<int> ids(kCallers);
  std::vector<Status> results(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    ids[i] = i;
    threads.emplace_back([&, i] { results[i] = group.Run(&ids[i]); });
  }
  for (auto& t : threads) t.join();
  std::size_t total = 0;
  for (const auto& batch : recorder.batches) {
    EXPECT_LE(batch.size(), 3u);
    total += batch.size();
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kCallers));  // everyone ran, once
  for (int i = 0; i < kCallers; ++i) EXPECT_EQ(results[i].message(), "item " + std::to_string(i));
}

}  // namespace
}  // namespace capconf::store::internal
