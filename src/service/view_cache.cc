#include "view_cache.h"

#include <algorithm>
#include <functional>

namespace capconf::service::internal {

ViewCache::ViewCache(std::size_t max_entries)
    : max_entries_per_shard_(std::max<std::size_t>(1, max_entries / kShards)) {}

ViewCache::Shard& ViewCache::ShardOf(const std::string& subscription_id) {
  return shards_[std::hash<std::string>()(subscription_id) % kShards];
}

std::shared_ptr<const ConfigSnapshot> ViewCache::Find(const std::string& subscription_id,
                                                      const ViewKey& key) {
  Shard& shard = ShardOf(subscription_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(subscription_id);
  if (it == shard.entries.end() || !(it->second.key == key)) return nullptr;
  return it->second.snapshot;
}

void ViewCache::Remember(const std::string& subscription_id, ViewKey key,
                         std::shared_ptr<const CatalogSnapshot> catalog,
                         std::shared_ptr<const ConfigSnapshot> snapshot) {
  Shard& shard = ShardOf(subscription_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(subscription_id);
  if (it != shard.entries.end()) {
    // A slower request may finish after a newer one: keep the newer view.
    const ViewKey& held = it->second.key;
    if (held.catalog == key.catalog && (held.revision > key.revision ||
                                        (held.revision == key.revision &&
                                         held.generation > key.generation))) {
      return;
    }
  } else if (shard.entries.size() >= max_entries_per_shard_) {
    // Bounded memory: many subscriptions read within a short time start this shard afresh.
    shard.entries.clear();
  }
  shard.entries.insert_or_assign(subscription_id,
                                 Entry{std::move(key), std::move(catalog), std::move(snapshot)});
}

}  // namespace capconf::service::internal
