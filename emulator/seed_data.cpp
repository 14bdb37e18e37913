#include "seed_data.hpp"

#include "json_text.hpp"

namespace yxgate::emulator::seed {

const std::vector<SeededConversation>& conversations() {
  // Block b (ids b*100000+1 .. b*100000+99999) belongs to conversations()[b].
  static const std::vector<SeededConversation> kConversations = {
      {1, "alice", "bob", 0, {}},
      {2, "", "", 1001, {"alice", "bob", "carol"}},
      {3, "", "", 2001, {"alice", "bob", "carol"}},
      {1, "carol", "dave", 0, {}},
      {2, "", "", 1002, {"bob", "carol", "dave"}},
  };
  return kConversations;
}

std::optional<Message> message(std::uint64_t id, std::uint64_t seed) {
  const auto block = id / kBlockSize;
  if (id % kBlockSize == 0 || block >= conversations().size()) return std::nullopt;
  const auto& conv = conversations()[block];
  Message m;
  m.message_server_id = id;
  m.conversation_type = conv.type;
  if (conv.type == 1) {
    // Odd ids are sent by the first account, even ids by the second.
    m.sender_id = id % 2 == 1 ? conv.first_id : conv.second_id;
    m.receiver_id = id % 2 == 1 ? conv.second_id : conv.first_id;
  } else {
    m.sender_id = conv.members[id % conv.members.size()];
    m.team_id = conv.team_id;
  }
  m.message_type = 0;
  m.create_time = kBaseTimeMs + id * 1000;
  m.fields.emplace_back("text", json_string("message " + std::to_string(id)));
  m.fields.emplace_back("message_client_id",
                        json_string("seed" + std::to_string(seed) + "-" + std::to_string(id)));
  return m;
}

std::string chatroom_item_json(std::uint64_t room_id, std::string_view sender_id, int index,
                               std::uint64_t seed) {
  // Field order of the vendor's chatroom page (api-docs 002).
  std::string out = "{\"sender_id\":";
  append_json_string(out, sender_id);
  out += ",\"message_type\":0,\"create_time\":" + std::to_string(kBaseTimeMs + index * 1000ULL);
  out += ",\"message_client_id\":";
  append_json_string(out, "seed" + std::to_string(seed) + "-room" + std::to_string(room_id) + "-" +
                              std::to_string(index));
  out += ",\"text\":";
  append_json_string(out, "room " + std::to_string(room_id) + " message " + std::to_string(index));
  out += '}';
  return out;
}

Message thread_reply(const Message& root, int index, std::uint64_t seed) {
  Message m;
  m.message_server_id = 1000000000ULL + root.message_server_id * 100 + index;
  m.sender_id = root.sender_id;
  m.conversation_type = root.conversation_type;
  m.receiver_id = root.receiver_id;
  m.team_id = root.team_id;
  m.create_time = root.create_time + index * 10ULL;
  m.fields.emplace_back("text", json_string("reply " + std::to_string(index) + " to " +
                                            std::to_string(root.message_server_id)));
  m.fields.emplace_back("message_client_id", json_string("seed" + std::to_string(seed) + "-thread" +
                                                         std::to_string(root.message_server_id) +
                                                         "-" + std::to_string(index)));
  return m;
}

}  // namespace yxgate::emulator::seed
