#include "group_commit.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>
#include <vector>

namespace capconf::store::internal {

void GroupCommit::Item::Wait() {
  while (woken.load(std::memory_order_acquire) == 0) {
    // Returns at once when the word is no longer 0; spurious returns loop.
    syscall(SYS_futex, &woken, FUTEX_WAIT_PRIVATE, 0u, nullptr, nullptr, 0);
  }
}

void GroupCommit::Item::Wake() {
  woken.store(1, std::memory_order_release);
  // The waiter may have seen the store and returned, and its item be gone, before this call:
  // FUTEX_WAKE only uses the address as a key (the stack it was on stays mapped while its
  // thread lives), and at worst wakes another waiter spuriously, which Wait() tolerates.
  syscall(SYS_futex, &woken, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

GroupCommit::GroupCommit(Runner runner, std::size_t max_batch)
    : runner_(std::move(runner)), max_batch_(max_batch < 1 ? 1 : max_batch) {}

Status GroupCommit::Run(const void* payload) {
  Item me;
  me.payload = payload;
  {
    std::lock_guard lock(mutex_);
    if (leading_) {
      queue_.push_back(&me);
    } else {
      leading_ = true;
      me.turn = Item::Turn::kLead;
    }
  }
  if (me.turn != Item::Turn::kLead) {
    // Woken either because a leader ran this item or because this caller leads the next batch
    // (set under the mutex before the wake; the futex word orders it).
    me.Wait();
    if (me.turn == Item::Turn::kDone) return std::move(me.result);
  }

  std::vector<Item*> batch{&me};
  {
    std::lock_guard lock(mutex_);
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
  }
  try {
    runner_(batch);
  } catch (...) {
    // The runner promises not to throw; if it does anyway, nobody may be left asleep.
    for (Item* item : batch) item->result = InternalError("a batch of writes failed unexpectedly");
  }

  // Hand the lead to the oldest waiter before waking this batch's callers, so that the next
  // batch starts while they write their answers.
  Item* next = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) {
      leading_ = false;
    } else {
      next = queue_.front();
      queue_.pop_front();
      next->turn = Item::Turn::kLead;
    }
  }
  if (next) next->Wake();
  for (Item* item : batch) {
    if (item == &me) continue;
    item->turn = Item::Turn::kDone;
    item->Wake();  // the item may be gone once its caller wakes: no touching after this
  }
  return std::move(me.result);
}

}  // namespace capconf::store::internal
