#pragma once
// The emulator's messages: the computed seed data plus an overlay of test
// changes (added, modified, deleted, cleared). Thread-safe: one shared_mutex,
// readers share it (sessions run on several io threads).
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "message.hpp"

namespace yxgate::emulator {

class MessageStore {
 public:
  explicit MessageStore(std::uint64_t seed) : seed_(seed) {}

  std::uint64_t seed() const { return seed_; }

  std::optional<Message> find(std::uint64_t id) const;
  // The message if it exists and belongs to `conversation`.
  std::optional<Message> find_in(const Conversation& conversation, std::uint64_t id) const;

  void put(Message message);  // add or replace by id

  // Applies `update` to the stored message under the write lock; returns the
  // updated message, or nullopt when it does not exist.
  template <class F>
  std::optional<Message> modify(std::uint64_t id, F&& update) {
    std::unique_lock lock(mutex_);
    auto current = find_locked(id);
    if (!current) return std::nullopt;
    update(*current);
    overlay_[id] = *current;
    return current;
  }

  bool erase_in(const Conversation& conversation, std::uint64_t id);
  void clear(const Conversation& conversation);
  void reset();  // back to the seed data

 private:
  std::optional<Message> find_locked(std::uint64_t id) const;

  const std::uint64_t seed_;
  mutable std::shared_mutex mutex_;
  // nullopt = deleted (hides a seeded message with the same id).
  std::unordered_map<std::uint64_t, std::optional<Message>> overlay_;
  std::set<std::string> cleared_;  // conversation keys whose seeded messages are gone
};

}  // namespace yxgate::emulator
