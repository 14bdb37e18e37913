#pragma once
// Learned create_times (SPEC §11.5): a bounded index
// (app, message_server_id) -> create_time, fed from upstream answers that
// carry both. Upstream's batch call needs one create_time per item, so a
// lookup without message_time can join a batch only through this index.
//
// create_time never changes for a message, so an entry never goes stale:
// there is no TTL and no invalidation; entries only leave by eviction.
//
// Shared by every worker thread: a key's hash picks one of `shards` shards,
// each with its own mutex (see time_index.cpp for the compact layout). Each
// shard holds at most max_entries / shards entries (fewer shards when
// max_entries is small), so the whole index never holds more than
// max_entries; a full shard evicts its oldest insertion. An id re-learned
// keeps its place: FIFO, not LRU, so a hit writes nothing. max_entries 0
// disables: nothing is stored, every find misses. Apps are separate: the
// key includes the app index. Memory grows with use, about 34 bytes per
// entry when full (measured: 1,000,000 entries, 33 MB resident).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace yxgate::cache {

class TimeIndex {
 public:
  explicit TimeIndex(std::uint64_t max_entries, std::size_t shards = 16);
  ~TimeIndex();
  TimeIndex(const TimeIndex&) = delete;
  TimeIndex& operator=(const TimeIndex&) = delete;

  bool enabled() const { return max_entries_ > 0; }
  void learn(std::uint32_t app, std::uint64_t message_server_id, std::uint64_t create_time);
  std::optional<std::uint64_t> find(std::uint32_t app, std::uint64_t message_server_id) const;
  std::size_t size() const;  // entries held now, all shards
  std::uint64_t capacity() const { return max_entries_; }

 private:
  struct Shard;
  std::uint64_t max_entries_;
  std::size_t per_shard_ = 0;
  std::unique_ptr<Shard[]> shards_;
  std::size_t shard_count_ = 0;
  Shard& shard_of(std::uint32_t app, std::uint64_t id) const;
};

}  // namespace yxgate::cache
