#include "message_store.hpp"

#include <mutex>

#include "seed_data.hpp"

namespace yxgate::emulator {

std::optional<Message> MessageStore::find_locked(std::uint64_t id) const {
  if (const auto it = overlay_.find(id); it != overlay_.end()) return it->second;
  auto seeded = seed::message(id, seed_);
  if (seeded && cleared_.count(conversation_key(*seeded)) != 0) return std::nullopt;
  return seeded;
}

std::optional<Message> MessageStore::find(std::uint64_t id) const {
  std::shared_lock lock(mutex_);
  return find_locked(id);
}

std::optional<Message> MessageStore::find_in(const Conversation& conversation,
                                             std::uint64_t id) const {
  auto message = find(id);
  if (message && !belongs_to(*message, conversation)) return std::nullopt;
  return message;
}

void MessageStore::put(Message message) {
  std::unique_lock lock(mutex_);
  const auto id = message.message_server_id;
  overlay_[id] = std::move(message);
}

bool MessageStore::erase_in(const Conversation& conversation, std::uint64_t id) {
  std::unique_lock lock(mutex_);
  const auto current = find_locked(id);
  if (!current || !belongs_to(*current, conversation)) return false;
  overlay_[id] = std::nullopt;
  return true;
}

void MessageStore::clear(const Conversation& conversation) {
  std::unique_lock lock(mutex_);
  const auto key = conversation_key(conversation);
  cleared_.insert(key);
  for (auto& [id, message] : overlay_) {
    // Mark deleted rather than erase: erasing could resurrect a seeded message.
    if (message && conversation_key(*message) == key) message.reset();
  }
}

void MessageStore::reset() {
  std::unique_lock lock(mutex_);
  overlay_.clear();
  cleared_.clear();
}

}  // namespace yxgate::emulator
