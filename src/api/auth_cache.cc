#include "auth_cache.h"

#include <functional>

namespace capconf::api {

AuthCache::AuthCache(std::int64_t ttl_ms, std::size_t max_entries)
    : ttl_ms_(ttl_ms), max_entries_per_shard_(std::max<std::size_t>(1, max_entries / kShards)) {}

AuthCache::Shard& AuthCache::ShardOf(const std::string& credential_hash) {
  return shards_[std::hash<std::string>()(credential_hash) % kShards];
}

std::optional<CachedCaller> AuthCache::Find(const std::string& credential_hash,
                                            std::int64_t now_ms) {
  if (ttl_ms_ <= 0) return std::nullopt;
  Shard& shard = ShardOf(credential_hash);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(credential_hash);
  if (it == shard.entries.end()) return std::nullopt;
  if (it->second.expires_at <= now_ms) {
    shard.entries.erase(it);
    return std::nullopt;
  }
  return it->second.caller;
}

void AuthCache::Remember(const std::string& credential_hash, CachedCaller caller,
                         std::int64_t now_ms) {
  if (ttl_ms_ <= 0) return;
  std::int64_t expires_at = now_ms + ttl_ms_;
  // A session must not outlive itself in the cache.
  if (caller.session_expires_at != 0) expires_at = std::min(expires_at, caller.session_expires_at);
  Shard& shard = ShardOf(credential_hash);
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= max_entries_per_shard_) {
    // Many distinct callers within one TTL: drop what has expired, and if that is not enough,
    // everything in this shard (they are re-read on their next request).
    std::erase_if(shard.entries, [now_ms](const auto& e) { return e.second.expires_at <= now_ms; });
    if (shard.entries.size() >= max_entries_per_shard_) shard.entries.clear();
  }
  shard.entries.insert_or_assign(credential_hash, Entry{std::move(caller), expires_at});
}

void AuthCache::Forget(const std::string& credential_hash) {
  Shard& shard = ShardOf(credential_hash);
  std::lock_guard lock(shard.mutex);
  shard.entries.erase(credential_hash);
}

}  // namespace capconf::api
