#include "cache/time_index.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace yxgate::cache {

namespace {

// splitmix64 finaliser: ids are often sequential; spread them over shards
// and table slots.
std::uint64_t mix(std::uint32_t app, std::uint64_t id) {
  std::uint64_t x = id ^ (std::uint64_t{app} * 0x9e3779b97f4a7c15ULL);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

struct Entry {
  std::uint64_t id;
  std::uint64_t create_time;
  std::uint32_t app;
};

}  // namespace

// Compact on purpose (about 32 bytes per entry when full, against ~76 for a
// node-based map plus a FIFO of keys): entries live in a ring in insertion
// order (the FIFO itself), and an open-addressing table of ring positions
// (linear probing, load <= 1/2, backward-shift deletion) finds them. Both
// grow with use, so an idle index costs nothing.
struct TimeIndex::Shard {
  mutable std::mutex mutex;
  std::vector<Entry> ring;           // grows to per_shard, then overwritten from `head`
  std::size_t head = 0;              // oldest entry once the ring is full
  std::vector<std::uint32_t> table;  // ring position + 1; 0 = empty slot
  std::atomic<std::size_t> count{0};

  std::size_t mask() const { return table.size() - 1; }
  std::size_t home(const Entry& e) const { return mix(e.app, e.id) & mask(); }

  // Table slot holding (app, id), or table.size() when absent.
  std::size_t find_slot(std::uint32_t app, std::uint64_t id) const {
    if (table.empty()) return 0;
    for (std::size_t p = mix(app, id) & mask();; p = (p + 1) & mask()) {
      if (table[p] == 0) return table.size();
      const auto& e = ring[table[p] - 1];
      if (e.id == id && e.app == app) return p;
    }
  }
  void place(std::uint32_t position) {
    std::size_t p = home(ring[position]);
    while (table[p] != 0) p = (p + 1) & mask();
    table[p] = position + 1;
  }
  void grow_table() {
    table.assign(std::max<std::size_t>(16, table.size() * 2), 0);
    for (std::uint32_t i = 0; i < ring.size(); ++i) place(i);
  }
  // Removes the table's reference to ring[position] (backward shift keeps
  // every probe chain unbroken without tombstones).
  void unlink(std::uint32_t position) {
    std::size_t p = home(ring[position]);
    while (table[p] != position + 1) p = (p + 1) & mask();
    table[p] = 0;
    for (std::size_t q = (p + 1) & mask(); table[q] != 0; q = (q + 1) & mask()) {
      const std::size_t h = home(ring[table[q] - 1]);
      const bool stays = p <= q ? (p < h && h <= q) : (p < h || h <= q);
      if (stays) continue;
      table[p] = table[q];
      table[q] = 0;
      p = q;
    }
  }
};

TimeIndex::TimeIndex(std::uint64_t max_entries, std::size_t shards) : max_entries_(max_entries) {
  if (max_entries_ == 0) return;
  // Never more shards than entries: each shard holds at least one.
  shard_count_ = static_cast<std::size_t>(std::max<std::uint64_t>(
      1, std::min<std::uint64_t>(std::max<std::size_t>(1, shards), max_entries_)));
  // Ring positions are 32-bit: a shard holds at most 2^32 - 2 entries (far
  // past any memory budget); capacity() reports the bound actually kept.
  per_shard_ =
      static_cast<std::size_t>(std::min<std::uint64_t>(max_entries_ / shard_count_, 0xfffffffeULL));
  max_entries_ = std::uint64_t{per_shard_} * shard_count_;
  shards_ = std::make_unique<Shard[]>(shard_count_);
}

TimeIndex::~TimeIndex() = default;

TimeIndex::Shard& TimeIndex::shard_of(std::uint32_t app, std::uint64_t id) const {
  // The high bits pick the shard, the low bits the table slot.
  return shards_[(mix(app, id) >> 40) % shard_count_];
}

void TimeIndex::learn(std::uint32_t app, std::uint64_t message_server_id,
                      std::uint64_t create_time) {
  if (!enabled()) return;
  auto& shard = shard_of(app, message_server_id);
  std::lock_guard lock(shard.mutex);
  if (const auto slot = shard.find_slot(app, message_server_id); slot < shard.table.size()) {
    // Immutable upstream; the latest word wins anyway. Keeps its place (FIFO).
    shard.ring[shard.table[slot] - 1].create_time = create_time;
    return;
  }
  const Entry entry{message_server_id, create_time, app};
  if (shard.ring.size() < per_shard_) {
    shard.ring.push_back(entry);
    if (shard.ring.size() * 2 > shard.table.size()) {
      shard.grow_table();  // places the new entry too
    } else {
      shard.place(static_cast<std::uint32_t>(shard.ring.size() - 1));
    }
    shard.count.store(shard.ring.size(), std::memory_order_relaxed);
    return;
  }
  // Full: the oldest insertion makes room.
  const auto victim = static_cast<std::uint32_t>(shard.head);
  shard.unlink(victim);
  shard.ring[victim] = entry;
  shard.place(victim);
  shard.head = (shard.head + 1) % per_shard_;
}

std::optional<std::uint64_t> TimeIndex::find(std::uint32_t app,
                                             std::uint64_t message_server_id) const {
  if (!enabled()) return std::nullopt;
  auto& shard = shard_of(app, message_server_id);
  std::lock_guard lock(shard.mutex);
  const auto slot = shard.find_slot(app, message_server_id);
  if (slot >= shard.table.size()) return std::nullopt;
  return shard.ring[shard.table[slot] - 1].create_time;
}

std::size_t TimeIndex::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    total += shards_[i].count.load(std::memory_order_relaxed);
  }
  return total;
}

}  // namespace yxgate::cache
