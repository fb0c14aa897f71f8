#pragma once
// Private: group commit. Callers that want to write at the same time are gathered into batches,
// and one of them, the leader, runs a whole batch (in one transaction, see SqlStore) while the
// others sleep until it is done. Nobody waits for a batch to fill: a batch is whatever queued up
// while the previous one ran, so a lone caller runs at once and a busy store commits many
// writes at a time.
//
// This class only gathers and hands over; what running a batch means is the caller's function.
// Thread-safe.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>

#include "capconf/common/status.h"

namespace capconf::store::internal {

class GroupCommit {
 public:
  // One caller's part of a batch. The runner reads `payload` and sets `result`.
  struct Item {
    const void* payload = nullptr;
    Status result;

   private:
    friend class GroupCommit;
    enum class Turn { kWaiting, kLead, kDone };
    Turn turn = Turn::kWaiting;
    // 0 until woken. A futex word rather than std::binary_semaphore: libstdc++'s semaphore spins
    // with sched_yield before it sleeps, and with more server threads than cores (the callers
    // of a batch block) that spinning was 14% of the server's time under saturated saves.
    std::atomic<std::uint32_t> woken{0};
    void Wait();
    void Wake();
  };

  // Runs every item of a batch and sets each one's result. Must not throw.
  using Runner = std::function<void(std::span<Item* const> batch)>;

  GroupCommit(Runner runner, std::size_t max_batch);

  // Returns `payload`'s result once the batch holding it has run; on the calling thread when
  // it is the leader, on another caller's thread otherwise.
  Status Run(const void* payload);

 private:
  const Runner runner_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::deque<Item*> queue_;  // waiting for the next batch, oldest first
  bool leading_ = false;     // a leader is running a batch (or about to)
};

}  // namespace capconf::store::internal
