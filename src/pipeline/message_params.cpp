#include "pipeline/message_params.hpp"

#include "router/route.hpp"

namespace yxgate::pipeline {

Result<MessageLookup> parse_message_lookup(std::string_view raw_conversation_id,
                                           std::string_view raw_message_server_id,
                                           std::string_view query) {
  MessageLookup lookup;
  auto decoded = router::percent_decode(raw_conversation_id);
  if (!decoded) return make_error("conversation_id " + decoded.error().message);
  auto conversation = router::parse_conversation_id(*decoded);
  if (!conversation) return conversation.error();
  lookup.conversation = std::move(*conversation);

  auto id = router::parse_message_server_id(raw_message_server_id);
  if (!id) return id.error();
  lookup.message_server_id = *id;

  if (auto time = router::find_query_param(query, "message_time"); time.found) {
    auto decoded_time = router::percent_decode(time.value);
    if (!decoded_time) return make_error("message_time must be a non-negative integer");
    auto value = router::parse_non_negative(*decoded_time, "message_time");
    if (!value) return value.error();
    lookup.message_time = *value;
  }
  for (auto name : {"check_team_valid", "check_team_member_valid"}) {
    if (auto flag = router::find_query_param(query, name); flag.found && flag.value == "true") {
      lookup.check_team = true;
    }
  }
  return lookup;
}

}  // namespace yxgate::pipeline
