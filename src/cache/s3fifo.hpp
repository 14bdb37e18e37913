#pragma once
// One shard of the in-process cache: S3-FIFO eviction bounded by bytes.
//
// Why S3-FIFO (Yang et al., SOSP '23) and not LRU:
// - Scan resistance. Clients page through history and fetch each message
//   once; under LRU those one-hit wonders push the hot set out. S3-FIFO
//   admits new keys into a small FIFO (~10% of the bytes); a key leaves it
//   for the main FIFO (~90%) only if it was hit while there, otherwise it is
//   dropped and remembered in a ghost set (keys only). A key found in the
//   ghost set when it is inserted again goes straight to main.
// - Cheap hits. A hit only bumps a 2-bit saturating counter (an atomic, so
//   it is done under the shard's shared lock); nothing is reordered. The
//   counter is consumed lazily at eviction: a main-queue head with a
//   non-zero counter is decremented and reinserted at the tail instead of
//   being evicted ("lazy promotion").
//
// Not thread-safe by itself: find() may run concurrently with other find()
// calls (shared lock); everything else needs exclusive access. LocalCache
// supplies the locks.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <unordered_map>

#include "cache/cache_key.hpp"
#include "cache/cached_message.hpp"

namespace yxgate::cache {

class S3Fifo {
 public:
  using Clock = std::chrono::steady_clock;
  using EntryPtr = std::shared_ptr<const CacheEntry>;
  using Predicate = std::function<bool(const CacheKey&, const CacheEntry&)>;

  explicit S3Fifo(std::size_t max_bytes);

  // The entry if present and not expired (counts as a hit); sets `expired`
  // when an expired entry is in the way, so the caller can reclaim it.
  EntryPtr find(const CacheKey& key, Clock::time_point now, bool& expired) const;

  // Inserts or replaces; evicts until the shard fits. False (and the key is
  // absent afterwards) when the entry alone is larger than the shard.
  bool insert(const CacheKey& key, EntryPtr entry, Clock::time_point expires_at);
  bool erase(const CacheKey& key);
  bool erase_if_expired(const CacheKey& key, Clock::time_point now);
  std::size_t erase_if(const Predicate& predicate);
  std::size_t erase_expired(Clock::time_point now);

  // Charged bytes: cached nodes plus ghost keys. Never above max_bytes().
  std::size_t bytes() const;
  std::size_t size() const { return index_.size(); }
  std::size_t max_bytes() const { return max_bytes_; }

 private:
  struct Node {
    Node(const CacheKey& k, EntryPtr e, Clock::time_point exp, std::size_t c, bool main)
        : key(k), entry(std::move(e)), expires_at(exp), charged(c), in_main(main) {}
    CacheKey key;
    EntryPtr entry;
    Clock::time_point expires_at;
    std::size_t charged;
    bool in_main;
    mutable std::atomic<std::uint8_t> freq{0};  // 0..3, bumped by concurrent readers
  };
  using Queue = std::list<Node>;
  using Index = std::unordered_map<CacheKey, Queue::iterator, CacheKeyHash>;

  static std::size_t node_overhead();
  static std::size_t ghost_overhead();

  void make_room(std::size_t needed);
  void evict_from_small();
  void evict_from_main();
  void remove(Index::iterator it);
  void remember_ghost(const CacheKey& key);
  void forget_oldest_ghost();
  bool take_ghost(const CacheKey& key);

  std::size_t max_bytes_;
  std::size_t small_target_;  // bytes the small queue may hold before it is evicted first
  std::size_t node_bytes_ = 0;
  std::size_t small_bytes_ = 0;
  Queue small_;
  Queue main_;
  Index index_;
  // Ghost set: key -> sequence number of its latest fifo record. Records are
  // never removed from the middle; a stale one (sequence mismatch) is skipped.
  std::unordered_map<CacheKey, std::uint64_t, CacheKeyHash> ghost_;
  std::deque<std::pair<CacheKey, std::uint64_t>> ghost_fifo_;
  std::uint64_t ghost_seq_ = 0;
};

}  // namespace yxgate::cache
