#include "group_commit.h"

#include <utility>
#include <vector>

namespace capconf::store::internal {

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
    // (set under the mutex before the wake; the semaphore orders it).
    me.wake.acquire();
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
  if (next) next->wake.release();
  for (Item* item : batch) {
    if (item == &me) continue;
    item->turn = Item::Turn::kDone;
    item->wake.release();  // the item may be gone once its caller wakes: no touching after this
  }
  return std::move(me.result);
}

}  // namespace capconf::store::internal
