#pragma once
// The deterministic seed data (documented in emulator/README.md, "Data rule").
// Messages are computed from their id, not stored, so the id space is large
// enough for cache-miss load tests at no memory cost.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "message.hpp"

namespace yxgate::emulator::seed {

inline constexpr std::uint64_t kBaseTimeMs = 1700000000000;
inline constexpr std::uint64_t kBlockSize = 100000;  // ids per seeded conversation

struct SeededConversation {
  int type;              // 1, 2 or 3
  std::string first_id;  // one-to-one: the two accounts
  std::string second_id;
  std::uint64_t team_id;             // teams
  std::vector<std::string> members;  // teams: senders cycle through these
};

const std::vector<SeededConversation>& conversations();

// The seeded message with this id, if the id is inside a seeded block.
std::optional<Message> message(std::uint64_t id, std::uint64_t seed);

// Chatroom history: every (room, sender) has kChatroomMessages messages.
inline constexpr int kChatroomMessages = 250;
std::string chatroom_item_json(std::uint64_t room_id, std::string_view sender_id, int index,
                               std::uint64_t seed);

// Thread replies: every existing root has kThreadReplies replies.
inline constexpr int kThreadReplies = 30;
Message thread_reply(const Message& root, int index, std::uint64_t seed);

}  // namespace yxgate::emulator::seed
