#include "cache/s3fifo.hpp"

#include <algorithm>
#include <utility>

namespace yxgate::cache {
namespace {

constexpr std::uint8_t kMaxFreq = 3;  // 2 bits
// The ghost set may remember as many keys as the shard caches (the paper
// sizes it like the main queue), with a floor so a near-empty shard still
// recognises a key that just fell out of the small queue.
constexpr std::size_t kMinGhostKeys = 8;

// libstdc++ node layouts, approximately: what each allocation really costs
// beyond the entry itself.
constexpr std::size_t kListLinks = 2 * sizeof(void*);
constexpr std::size_t kHashNodeExtra = sizeof(void*) + sizeof(std::size_t);  // next + cached hash
constexpr std::size_t kBucket = sizeof(void*);
constexpr std::size_t kMallocHeader = sizeof(void*);

}  // namespace

std::size_t S3Fifo::node_overhead() {
  const std::size_t list_node = kListLinks + sizeof(Node) + kMallocHeader;
  const std::size_t index_node =
      kHashNodeExtra + sizeof(Index::value_type) + kBucket + kMallocHeader;
  return list_node + index_node;
}

std::size_t S3Fifo::ghost_overhead() {
  const std::size_t map_node =
      kHashNodeExtra + sizeof(decltype(ghost_)::value_type) + kBucket + kMallocHeader;
  return map_node + sizeof(decltype(ghost_fifo_)::value_type);
}

S3Fifo::S3Fifo(std::size_t max_bytes) : max_bytes_(max_bytes), small_target_(max_bytes / 10) {}

std::size_t S3Fifo::bytes() const { return node_bytes_ + ghost_fifo_.size() * ghost_overhead(); }

S3Fifo::EntryPtr S3Fifo::find(const CacheKey& key, Clock::time_point now, bool& expired) const {
  expired = false;
  const auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  const Node& node = *it->second;
  if (now >= node.expires_at) {
    expired = true;
    return nullptr;
  }
  // Saturating increment; a hot key already at 3 costs a load, no write.
  std::uint8_t freq = node.freq.load(std::memory_order_relaxed);
  while (freq < kMaxFreq &&
         !node.freq.compare_exchange_weak(freq, freq + 1, std::memory_order_relaxed)) {
  }
  return node.entry;
}

bool S3Fifo::insert(const CacheKey& key, EntryPtr entry, Clock::time_point expires_at) {
  bool to_main = false;
  if (const auto it = index_.find(key); it != index_.end()) {
    to_main = it->second->in_main;  // a refresh keeps the queue it earned
    remove(it);
  } else {
    to_main = take_ghost(key);
  }
  const std::size_t charged = node_overhead() + entry->charged_bytes();
  if (charged > max_bytes_) return false;
  make_room(charged);
  Queue& queue = to_main ? main_ : small_;
  queue.emplace_back(key, std::move(entry), expires_at, charged, to_main);
  index_.emplace(key, std::prev(queue.end()));
  node_bytes_ += charged;
  if (!to_main) small_bytes_ += charged;
  return true;
}

void S3Fifo::make_room(std::size_t needed) {
  while (bytes() + needed > max_bytes_) {
    if (!small_.empty() && (small_bytes_ >= small_target_ || main_.empty())) {
      evict_from_small();
    } else if (!main_.empty()) {
      evict_from_main();
    } else if (!ghost_fifo_.empty()) {
      forget_oldest_ghost();
    } else {
      return;  // unreachable: insert() checked needed <= max_bytes_
    }
  }
}

void S3Fifo::evict_from_small() {
  Node& node = small_.front();
  if (node.freq.load(std::memory_order_relaxed) > 0) {
    // Hit while on probation: it earned a place in main, with a fresh count.
    node.freq.store(0, std::memory_order_relaxed);
    node.in_main = true;
    small_bytes_ -= node.charged;
    main_.splice(main_.end(), small_, small_.begin());
    return;
  }
  const CacheKey key = node.key;
  remove(index_.find(key));
  remember_ghost(key);
}

void S3Fifo::evict_from_main() {
  Node& node = main_.front();
  const std::uint8_t freq = node.freq.load(std::memory_order_relaxed);
  if (freq > 0) {
    node.freq.store(freq - 1, std::memory_order_relaxed);
    main_.splice(main_.end(), main_, main_.begin());
    return;
  }
  remove(index_.find(node.key));
}

void S3Fifo::remove(Index::iterator it) {
  const Queue::iterator node = it->second;
  node_bytes_ -= node->charged;
  if (!node->in_main) small_bytes_ -= node->charged;
  (node->in_main ? main_ : small_).erase(node);
  index_.erase(it);
}

void S3Fifo::remember_ghost(const CacheKey& key) {
  ghost_[key] = ++ghost_seq_;
  ghost_fifo_.emplace_back(key, ghost_seq_);
  const std::size_t limit = std::max(index_.size(), kMinGhostKeys);
  while (ghost_fifo_.size() > limit) forget_oldest_ghost();
}

void S3Fifo::forget_oldest_ghost() {
  const auto [key, seq] = ghost_fifo_.front();
  ghost_fifo_.pop_front();
  if (const auto it = ghost_.find(key); it != ghost_.end() && it->second == seq) ghost_.erase(it);
}

bool S3Fifo::take_ghost(const CacheKey& key) { return ghost_.erase(key) > 0; }

bool S3Fifo::erase(const CacheKey& key) {
  const auto it = index_.find(key);
  if (it == index_.end()) return false;
  remove(it);
  return true;
}

bool S3Fifo::erase_if_expired(const CacheKey& key, Clock::time_point now) {
  const auto it = index_.find(key);
  if (it == index_.end() || now < it->second->expires_at) return false;
  remove(it);
  return true;
}

std::size_t S3Fifo::erase_if(const Predicate& predicate) {
  std::size_t erased = 0;
  for (auto it = index_.begin(); it != index_.end();) {
    const auto next = std::next(it);
    if (predicate(it->first, *it->second->entry)) {
      remove(it);
      ++erased;
    }
    it = next;
  }
  return erased;
}

std::size_t S3Fifo::erase_expired(Clock::time_point now) {
  std::size_t erased = 0;
  for (auto it = index_.begin(); it != index_.end();) {
    const auto next = std::next(it);
    if (now >= it->second->expires_at) {
      remove(it);
      ++erased;
    }
    it = next;
  }
  return erased;
}

}  // namespace yxgate::cache
