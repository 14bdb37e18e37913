#pragma once
// The in-process cache layer (SPEC §3.1.3 "local memory first", §7
// `cache.local.max_bytes`, §8 `yxgate_cache_local_bytes`).
//
// Shared by every worker thread (src/README.md), so it is sharded: a key's
// hash picks one of `shards` shards, each with its own std::shared_mutex,
// S3Fifo (eviction, see s3fifo.hpp) and InvalidationLog (race guard, see
// invalidation_log.hpp). A hit takes only its shard's shared lock and an
// atomic counter bump, so hits on different keys, or on the same key, do not
// serialise. Inserts, erases and evictions take the shard's exclusive lock.
//
// Bytes: each shard is bounded by max_bytes / shards, and its change in
// bytes is published to one atomic only after its evictions, so bytes() is
// never above max_bytes even while other threads insert. What is charged:
// the entry (CacheEntry::charged_bytes), the key and the list/hash-node
// overhead per entry, and the ghost keys. max_bytes 0 disables the layer.
//
// Time is passed in (steady_clock) so tests need no sleeps. An expired entry
// is a miss; it is reclaimed when a get() finds it, when eviction reaches it,
// or by reclaim_expired().
//
// Race guard (SPEC §3.3), for the read path:
//   auto token = cache.generation(key);            // before going upstream
//   ... upstream answers ...
//   cache.put_if_unchanged(key, entry, expires_at, token);
// and for mutations: invalidate(key, now) / invalidate_all_matching(pred,
// now), before forwarding and again after upstream's 200. put_if_unchanged
// checks and inserts under the same shard lock that invalidate takes, so an
// insert either sees the invalidation and is refused, or is erased by it.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "cache/cache_key.hpp"
#include "cache/cached_message.hpp"
#include "cache/invalidation_log.hpp"
#include "cache/s3fifo.hpp"

namespace yxgate::cache {

struct LocalCacheOptions {
  std::size_t max_bytes = 64u << 20;  // cache.local.max_bytes; 0 disables
  std::size_t shards = 16;
  // How long an invalidation is remembered per key; longer than the slowest
  // upstream read (request_timeout) so in-flight readers are judged exactly.
  std::chrono::steady_clock::duration generation_horizon = std::chrono::minutes(1);
  std::size_t max_generation_records = 4096;  // per shard, a hard memory bound
};

class LocalCache {
 public:
  using Clock = std::chrono::steady_clock;
  using EntryPtr = std::shared_ptr<const CacheEntry>;
  using Predicate = std::function<bool(const CacheKey&, const CacheEntry&)>;

  explicit LocalCache(const LocalCacheOptions& options);
  LocalCache(const LocalCache&) = delete;
  LocalCache& operator=(const LocalCache&) = delete;
  ~LocalCache();

  // The entry for `key` unless absent or expired at `now`. The caller still
  // applies match() (ownership, message_time) before serving it.
  EntryPtr get(const CacheKey& key, Clock::time_point now);
  // Inserts or replaces. False if disabled or the entry is larger than a shard.
  bool put(const CacheKey& key, EntryPtr entry, Clock::time_point expires_at);
  bool erase(const CacheKey& key);
  // Erases every entry the predicate selects (e.g. one conversation's
  // messages). Runs under each shard's lock in turn: it must not call back
  // into the cache.
  std::size_t erase_if(const Predicate& predicate);
  std::size_t reclaim_expired(Clock::time_point now);

  // Race guard: see the comment at the top of this file.
  std::uint64_t generation(const CacheKey& key) const;
  void invalidate(const CacheKey& key, Clock::time_point now);
  std::size_t invalidate_all_matching(const Predicate& predicate);
  bool put_if_unchanged(const CacheKey& key, EntryPtr entry, Clock::time_point expires_at,
                        std::uint64_t generation_seen);

  std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  std::size_t max_bytes() const { return max_bytes_; }
  bool enabled() const { return max_bytes_ > 0; }

 private:
  struct Shard;
  Shard& shard_for(const CacheKey& key) const;
  // Runs `change` on the shard (exclusive lock held by the caller) and
  // publishes its byte and size deltas.
  template <class Change>
  auto publish(Shard& shard, Change&& change);

  std::size_t max_bytes_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::size_t> bytes_{0};
  std::atomic<std::size_t> size_{0};
};

}  // namespace yxgate::cache
