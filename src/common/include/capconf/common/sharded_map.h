#pragma once
// A map from string keys split over independently locked shards, so that threads working on
// different keys rarely wait for each other. Callers work on a shard's map inside With, under
// its lock, and decide there what to keep (both users bound their size per shard).

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace capconf {

template <typename Value, std::size_t kShards = 16>
class ShardedMap {
 public:
  using Map = std::unordered_map<std::string, Value>;

  // Calls `f(Map&)` with the shard that holds `key` locked; returns what `f` returns.
  template <typename F>
  decltype(auto) With(const std::string& key, F&& f) {
    Shard& shard = shards_[std::hash<std::string>()(key) % kShards];
    std::lock_guard lock(shard.mutex);
    return std::forward<F>(f)(shard.map);
  }

  static constexpr std::size_t shards() { return kShards; }

 private:
  struct Shard {
    std::mutex mutex;
    Map map;
  };
  std::array<Shard, kShards> shards_;
};

}  // namespace capconf
