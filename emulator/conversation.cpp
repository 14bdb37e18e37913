#include "conversation.hpp"

#include <vector>

#include "vendor_text.hpp"

namespace yxgate::emulator {

Result<Conversation> parse_conversation(std::string_view text) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto bar = text.find('|', start);
    parts.push_back(text.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  if (parts.size() != 3) return make_error("conversation_id must be owner|type|other");
  Conversation c;
  if (parts[0].empty()) return make_error("conversation_id owner is empty");
  c.owner_id = std::string(parts[0]);
  const auto type = java_parse_long(parts[1]);
  if (!type || *type < 1 || *type > 3) return make_error("conversation_id type must be 1, 2 or 3");
  c.type = static_cast<int>(*type);
  if (parts[2].empty()) return make_error("conversation_id other id is empty");
  if (c.type == 1) {
    c.other_id = std::string(parts[2]);
  } else {
    auto team = positive_long(parts[2], "conversation_id team id");
    if (!team) return team.error();
    c.team_id = team.value();
  }
  return c;
}

}  // namespace yxgate::emulator
