#include "cache/time_index.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace yxgate::cache {

namespace {

struct Key {
  std::uint32_t app;
  std::uint64_t id;
  bool operator==(const Key&) const = default;
};

struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept {
    // splitmix64 finaliser: ids are often sequential, spread them over shards.
    std::uint64_t x = k.id ^ (std::uint64_t{k.app} << 56) ^ k.app;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return static_cast<std::size_t>(x);
  }
};

}  // namespace

struct TimeIndex::Shard {
  mutable std::mutex mutex;
  std::unordered_map<Key, std::uint64_t, KeyHash> times;
  std::deque<Key> order;  // insertion order: the front is evicted first
  std::atomic<std::size_t> count{0};
};

TimeIndex::TimeIndex(std::uint64_t max_entries, std::size_t shards) : max_entries_(max_entries) {
  if (max_entries_ == 0) return;
  // Never more shards than entries: each shard holds at least one.
  shard_count_ = static_cast<std::size_t>(std::max<std::uint64_t>(
      1, std::min<std::uint64_t>(std::max<std::size_t>(1, shards), max_entries_)));
  per_shard_ = static_cast<std::size_t>(max_entries_ / shard_count_);
  shards_ = std::make_unique<Shard[]>(shard_count_);
}

TimeIndex::~TimeIndex() = default;

TimeIndex::Shard& TimeIndex::shard_of(std::uint32_t app, std::uint64_t id) const {
  return shards_[KeyHash{}(Key{app, id}) % shard_count_];
}

void TimeIndex::learn(std::uint32_t app, std::uint64_t message_server_id,
                      std::uint64_t create_time) {
  if (!enabled()) return;
  auto& shard = shard_of(app, message_server_id);
  const Key key{app, message_server_id};
  std::lock_guard lock(shard.mutex);
  auto [it, added] = shard.times.try_emplace(key, create_time);
  if (!added) {
    it->second = create_time;  // immutable upstream; the latest word wins anyway
    return;
  }
  shard.order.push_back(key);
  while (shard.order.size() > per_shard_) {
    shard.times.erase(shard.order.front());
    shard.order.pop_front();
  }
  shard.count.store(shard.times.size(), std::memory_order_relaxed);
}

std::optional<std::uint64_t> TimeIndex::find(std::uint32_t app,
                                             std::uint64_t message_server_id) const {
  if (!enabled()) return std::nullopt;
  auto& shard = shard_of(app, message_server_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.times.find(Key{app, message_server_id});
  if (it == shard.times.end()) return std::nullopt;
  return it->second;
}

std::size_t TimeIndex::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    total += shards_[i].count.load(std::memory_order_relaxed);
  }
  return total;
}

}  // namespace yxgate::cache
