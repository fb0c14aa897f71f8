#include "view_cache.h"

#include <algorithm>

namespace capconf::service::internal {

ViewCache::ViewCache(std::size_t max_entries)
    : max_entries_per_shard_(std::max<std::size_t>(1, max_entries / ShardedMap<Entry>::shards())) {}

std::shared_ptr<const ConfigSnapshot> ViewCache::Find(const std::string& subscription_id,
                                                      const ViewKey& key) {
  return entries_.With(subscription_id, [&](auto& map) -> std::shared_ptr<const ConfigSnapshot> {
    auto it = map.find(subscription_id);
    if (it == map.end() || !(it->second.key == key)) return nullptr;
    return it->second.snapshot;
  });
}

void ViewCache::Remember(const std::string& subscription_id, ViewKey key,
                         std::shared_ptr<const CatalogSnapshot> catalog,
                         std::shared_ptr<const ConfigSnapshot> snapshot) {
  entries_.With(subscription_id, [&](auto& map) {
    auto it = map.find(subscription_id);
    if (it != map.end()) {
      // A slower request may finish after a newer one: keep the newer view.
      const ViewKey& held = it->second.key;
      if (held.catalog == key.catalog &&
          (held.revision > key.revision ||
           (held.revision == key.revision && held.generation > key.generation))) {
        return;
      }
    } else if (map.size() >= max_entries_per_shard_) {
      // Bounded memory: many subscriptions read within a short time start this shard afresh.
      map.clear();
    }
    map.insert_or_assign(subscription_id,
                         Entry{std::move(key), std::move(catalog), std::move(snapshot)});
  });
}

}  // namespace capconf::service::internal
