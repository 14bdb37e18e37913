#pragma once
// Per-shard memory of recent invalidations, so a read that raced with a
// mutation cannot re-insert the old version (SPEC §3.3).
//
// The race: a reader misses, goes upstream, and gets the message; meanwhile a
// modifyMsg/recall invalidates the key; the reader's insert then lands after
// the invalidation and would serve the old version until the TTL. So:
//   1. before going upstream the reader takes a token: current();
//   2. invalidate(key) advances a logical clock and records key -> clock;
//   3. the reader's insert is allowed only if unchanged_since(key, token),
//      i.e. no invalidation of that key (and no clear) has a clock > token.
//
// Memory stays bounded: records older than `horizon`, or beyond
// `max_records`, are pruned, and pruning raises `floor_` to the pruned
// record's clock. A token below the floor is refused for every key: the log
// no longer knows whether that reader raced, so it assumes it did. Pruning
// only ever costs a skipped insert (one more upstream call later), never a
// stale entry. Choose `horizon` longer than an upstream request can take.
// Clears (invalidate_all) raise the floor directly.
//
// Not thread-safe; LocalCache calls it under the shard's lock, in the same
// critical section as the insert or erase it guards.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "cache/cache_key.hpp"

namespace yxgate::cache {

class InvalidationLog {
 public:
  using Clock = std::chrono::steady_clock;

  InvalidationLog(Clock::duration horizon, std::size_t max_records);

  std::uint64_t current() const { return clock_; }
  void invalidate(const CacheKey& key, Clock::time_point now);
  void invalidate_all();
  bool unchanged_since(const CacheKey& key, std::uint64_t token) const;

  std::size_t records() const { return records_.size(); }

 private:
  struct Record {
    CacheKey key;
    std::uint64_t clock;
    Clock::time_point at;
  };
  void prune(Clock::time_point now);
  void drop_oldest();

  Clock::duration horizon_;
  std::size_t max_records_;
  std::uint64_t clock_ = 0;
  std::uint64_t floor_ = 0;  // tokens below this are refused for every key
  std::unordered_map<CacheKey, std::uint64_t, CacheKeyHash> latest_;
  std::deque<Record> records_;  // in clock order
};

}  // namespace yxgate::cache
