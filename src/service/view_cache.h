#pragma once
// The newest ConfigSnapshot of each subscription, reused while nothing it depends on changed.
//
// A snapshot is valid for a (revision, generation) stamp read from the store (store::ConfigStamp:
// the generation moves with every change to the subscription's secrets and API keys), the
// catalog snapshot it was built from (what the sync targets made, "ragflow_collection", moves the
// generation too, by a trigger on sync_jobs). Any difference is
// a miss and the caller builds the view again, so a stale view is never served; several replicas
// on one PostgreSQL database stay correct because the stamp is read from the database on every
// request.
//
// Thread-safety: all members may be called concurrently.

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "capconf/common/sharded_map.h"
#include "capconf/service/service.h"

namespace capconf::service::internal {

struct ViewKey {
  std::int64_t revision = 0;
  std::int64_t generation = 0;
  const CatalogSnapshot* catalog = nullptr;
  bool operator==(const ViewKey&) const = default;
};

class ViewCache {
 public:
  explicit ViewCache(std::size_t max_entries = 8192);

  std::shared_ptr<const ConfigSnapshot> Find(const std::string& subscription_id,
                                             const ViewKey& key);
  // `catalog` is the snapshot `key.catalog` points at.
  void Remember(const std::string& subscription_id, ViewKey key,
                std::shared_ptr<const CatalogSnapshot> catalog,
                std::shared_ptr<const ConfigSnapshot> snapshot);

 private:
  struct Entry {
    ViewKey key;
    // Holds the catalog the key points at, so its address cannot be reused by a newer one.
    std::shared_ptr<const CatalogSnapshot> catalog;
    std::shared_ptr<const ConfigSnapshot> snapshot;
  };
  std::size_t max_entries_per_shard_;
  ShardedMap<Entry> entries_;
};

}  // namespace capconf::service::internal
