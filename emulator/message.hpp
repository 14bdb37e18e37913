#pragma once
// One stored IM message as the vendor returns it (api-docs 001).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conversation.hpp"

namespace yxgate::emulator {

// A further field kept as raw (minified) JSON, rendered in insertion order.
using RawField = std::pair<std::string, std::string>;

struct Message {
  std::uint64_t message_server_id = 0;
  std::string sender_id;
  int conversation_type = 1;  // 1 one-to-one, 2 team, 3 super team
  std::string receiver_id;    // one-to-one only
  std::uint64_t team_id = 0;  // teams only
  int message_type = 0;
  std::uint64_t create_time = 0;
  std::vector<RawField> fields;  // text, message_client_id, attachment, modify_time, ...
  unsigned revision = 0;         // times modified; not rendered

  // Replaces the field `key` or appends it.
  void set_field(std::string_view key, std::string raw_json);
  std::string to_json() const;
};

// Both sides of a one-to-one conversation own the same messages, so the key is
// "1|<smaller id>|<larger id>"; teams are "<type>|<team_id>".
std::string conversation_key(const Message& message);
std::string conversation_key(const Conversation& id);

inline bool belongs_to(const Message& message, const Conversation& id) {
  return conversation_key(message) == conversation_key(id);
}

}  // namespace yxgate::emulator
