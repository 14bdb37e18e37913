#pragma once
// SPEC §3.1.1 validation of the single-message route; the error text goes
// into upstream's own 414 shape: "parameter error: <what>".
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::pipeline {

struct MessageLookup {
  router::ConversationId conversation;
  std::uint64_t message_server_id = 0;
  std::optional<std::uint64_t> message_time;
  bool check_team = false;  // check_team_valid or check_team_member_valid = true
};

Result<MessageLookup> parse_message_lookup(std::string_view raw_conversation_id,
                                           std::string_view raw_message_server_id,
                                           std::string_view query);

}  // namespace yxgate::pipeline
