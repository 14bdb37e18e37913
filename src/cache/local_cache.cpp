#include "cache/local_cache.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

namespace yxgate::cache {

struct LocalCache::Shard {
  Shard(std::size_t max_bytes, const LocalCacheOptions& options)
      : fifo(max_bytes), log(options.generation_horizon, options.max_generation_records) {}
  mutable std::shared_mutex mutex;
  S3Fifo fifo;
  InvalidationLog log;
};

LocalCache::LocalCache(const LocalCacheOptions& options) : max_bytes_(options.max_bytes) {
  // Disabled (max_bytes 0) still keeps the shards' invalidation logs: the
  // generation guards every sharing mechanism (batch and single-flight
  // joins, Redis fills), not just this layer (SPEC §11.2). Their entries
  // stay empty.
  const std::size_t count = std::max<std::size_t>(options.shards, 1);
  shards_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    shards_.push_back(std::make_unique<Shard>(max_bytes_ / count, options));
  }
}

LocalCache::~LocalCache() = default;

LocalCache::Shard& LocalCache::shard_for(const CacheKey& key) const {
  // High bits: the shard's unordered_map buckets use the low ones.
  return *shards_[(CacheKeyHash{}(key) >> 40) % shards_.size()];
}

template <class Change>
auto LocalCache::publish(Shard& shard, Change&& change) {
  const std::size_t bytes_before = shard.fifo.bytes();
  const std::size_t size_before = shard.fifo.size();
  auto result = change();
  // Unsigned wrap-around makes a negative delta a plain fetch_add.
  bytes_.fetch_add(shard.fifo.bytes() - bytes_before, std::memory_order_relaxed);
  size_.fetch_add(shard.fifo.size() - size_before, std::memory_order_relaxed);
  return result;
}

LocalCache::EntryPtr LocalCache::get(const CacheKey& key, Clock::time_point now) {
  if (!enabled()) return nullptr;
  Shard& shard = shard_for(key);
  bool expired = false;
  {
    std::shared_lock lock(shard.mutex);
    if (EntryPtr entry = shard.fifo.find(key, now, expired)) return entry;
    if (!expired) return nullptr;
  }
  // Rare path (once per expired entry): reclaim it under the exclusive lock.
  std::unique_lock lock(shard.mutex);
  publish(shard, [&] { return shard.fifo.erase_if_expired(key, now); });
  return nullptr;
}

bool LocalCache::put(const CacheKey& key, EntryPtr entry, Clock::time_point expires_at) {
  if (!enabled() || !entry) return false;
  Shard& shard = shard_for(key);
  std::unique_lock lock(shard.mutex);
  return publish(shard, [&] { return shard.fifo.insert(key, std::move(entry), expires_at); });
}

bool LocalCache::put_if_unchanged(const CacheKey& key, EntryPtr entry, Clock::time_point expires_at,
                                  std::uint64_t generation_seen) {
  if (!enabled() || !entry) return false;
  Shard& shard = shard_for(key);
  std::unique_lock lock(shard.mutex);
  if (!shard.log.unchanged_since(key, generation_seen)) return false;
  return publish(shard, [&] { return shard.fifo.insert(key, std::move(entry), expires_at); });
}

bool LocalCache::erase(const CacheKey& key) {
  if (!enabled()) return false;
  Shard& shard = shard_for(key);
  std::unique_lock lock(shard.mutex);
  return publish(shard, [&] { return shard.fifo.erase(key); });
}

std::size_t LocalCache::erase_if(const Predicate& predicate) {
  std::size_t erased = 0;
  for (const auto& shard : shards_) {
    std::unique_lock lock(shard->mutex);
    erased += publish(*shard, [&] { return shard->fifo.erase_if(predicate); });
  }
  return erased;
}

std::size_t LocalCache::reclaim_expired(Clock::time_point now) {
  std::size_t erased = 0;
  for (const auto& shard : shards_) {
    std::unique_lock lock(shard->mutex);
    erased += publish(*shard, [&] { return shard->fifo.erase_expired(now); });
  }
  return erased;
}

std::uint64_t LocalCache::generation(const CacheKey& key) const {
  Shard& shard = shard_for(key);
  std::shared_lock lock(shard.mutex);
  return shard.log.current();
}

void LocalCache::invalidate(const CacheKey& key, Clock::time_point now) {
  Shard& shard = shard_for(key);
  std::unique_lock lock(shard.mutex);
  shard.log.invalidate(key, now);
  publish(shard, [&] { return shard.fifo.erase(key); });
}

std::size_t LocalCache::invalidate_all_matching(const Predicate& predicate) {
  // A clear cannot name its keys in advance (a reader may be fetching a
  // message of that conversation right now), so every in-flight reader in
  // every shard is refused: a few skipped inserts, never a stale entry.
  std::size_t erased = 0;
  for (const auto& shard : shards_) {
    std::unique_lock lock(shard->mutex);
    shard->log.invalidate_all();
    erased += publish(*shard, [&] { return shard->fifo.erase_if(predicate); });
  }
  return erased;
}

}  // namespace yxgate::cache
