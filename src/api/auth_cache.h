#pragma once
// Who a presented credential belongs to, remembered for a few seconds.
//
// Looking up the credential and its user is otherwise most of an authenticated request's
// database work: a GET of a configuration would open three transactions instead of one. An
// entry is keyed by the credential's keyed hash (never the credential itself) and lives for
// `ttl`. Sign-out in this process forgets the session at once; a change made elsewhere (a token
// revoked with the CLI, a user disabled, a sign-out on another replica) takes effect within the
// TTL. That bound is documented in docs/architecture.md.
//
// Thread-safety: all members may be called concurrently.

#include <cstdint>
#include <optional>
#include <string>

#include "capconf/common/sharded_map.h"
#include "capconf/service/service.h"

namespace capconf::api {

struct CachedCaller {
  service::Actor actor;
  // Sessions only: the CSRF token's hash and when the session ends (0 for bearer tokens).
  std::string csrf_token_hash;
  std::int64_t session_expires_at = 0;
};

class AuthCache {
 public:
  // `ttl_ms` 0 turns the cache off: every request reads the database.
  explicit AuthCache(std::int64_t ttl_ms, std::size_t max_entries = 65536);

  std::optional<CachedCaller> Find(const std::string& credential_hash, std::int64_t now_ms);
  void Remember(const std::string& credential_hash, CachedCaller caller, std::int64_t now_ms);
  void Forget(const std::string& credential_hash);

 private:
  struct Entry {
    CachedCaller caller;
    std::int64_t expires_at = 0;
  };
  std::int64_t ttl_ms_;
  std::size_t max_entries_per_shard_;
  ShardedMap<Entry> entries_;
};

}  // namespace capconf::api
