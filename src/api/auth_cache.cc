#include "auth_cache.h"

#include <algorithm>

namespace capconf::api {

AuthCache::AuthCache(std::int64_t ttl_ms, std::size_t max_entries)
    : ttl_ms_(ttl_ms),
      max_entries_per_shard_(std::max<std::size_t>(1, max_entries / ShardedMap<Entry>::shards())) {}

std::optional<CachedCaller> AuthCache::Find(const std::string& credential_hash,
                                            std::int64_t now_ms) {
  if (ttl_ms_ <= 0) return std::nullopt;
  return entries_.With(credential_hash, [&](auto& map) -> std::optional<CachedCaller> {
    auto it = map.find(credential_hash);
    if (it == map.end()) return std::nullopt;
    if (it->second.expires_at <= now_ms) {
      map.erase(it);
      return std::nullopt;
    }
    return it->second.caller;
  });
}

void AuthCache::Remember(const std::string& credential_hash, CachedCaller caller,
                         std::int64_t now_ms) {
  if (ttl_ms_ <= 0) return;
  std::int64_t expires_at = now_ms + ttl_ms_;
  // A session must not outlive itself in the cache.
  if (caller.session_expires_at != 0) expires_at = std::min(expires_at, caller.session_expires_at);
  entries_.With(credential_hash, [&](auto& map) {
    if (map.size() >= max_entries_per_shard_) {
      // Many distinct callers within one TTL: drop what has expired, and if that is not enough,
      // everything in this shard (they are read again on their next request).
      std::erase_if(map, [now_ms](const auto& e) { return e.second.expires_at <= now_ms; });
      if (map.size() >= max_entries_per_shard_) map.clear();
    }
    map.insert_or_assign(credential_hash, Entry{std::move(caller), expires_at});
  });
}

void AuthCache::Forget(const std::string& credential_hash) {
  entries_.With(credential_hash, [&](auto& map) { map.erase(credential_hash); });
}

}  // namespace capconf::api
