#include "message.hpp"

#include <algorithm>

#include "json_text.hpp"

namespace yxgate::emulator {
namespace {

std::string p2p_key(std::string_view a, std::string_view b) {
  const auto [lo, hi] = std::minmax(a, b);
  std::string key = "1|";
  key.append(lo).append("|").append(hi);
  return key;
}

}  // namespace

void Message::set_field(std::string_view key, std::string raw_json) {
  for (auto& field : fields) {
    if (field.first == key) {
      field.second = std::move(raw_json);
      return;
    }
  }
  fields.emplace_back(std::string(key), std::move(raw_json));
}

std::string Message::to_json() const {
  std::string out = "{\"message_server_id\":" + std::to_string(message_server_id);
  out += ",\"sender_id\":";
  append_json_string(out, sender_id);
  out += ",\"conversation_type\":" + std::to_string(conversation_type);
  if (conversation_type == 1) {
    out += ",\"receiver_id\":";
    append_json_string(out, receiver_id);
  } else {
    out += ",\"team_id\":" + std::to_string(team_id);
  }
  out += ",\"message_type\":" + std::to_string(message_type);
  out += ",\"create_time\":" + std::to_string(create_time);
  for (const auto& [key, raw] : fields) {
    out += ',';
    append_json_string(out, key);
    out += ':';
    out += raw;
  }
  out += '}';
  return out;
}

std::string conversation_key(const Message& message) {
  if (message.conversation_type == 1) return p2p_key(message.sender_id, message.receiver_id);
  return std::to_string(message.conversation_type) + "|" + std::to_string(message.team_id);
}

std::string conversation_key(const Conversation& id) {
  if (!id.is_team()) return p2p_key(id.owner_id, id.other_id);
  return std::to_string(id.type) + "|" + std::to_string(id.team_id);
}

}  // namespace yxgate::emulator
