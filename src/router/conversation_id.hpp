#pragma once
// Parsing of the path and query parameters of the message routes (SPEC §3.1.1).
// Error texts are what goes after "parameter error: " in the 414 body.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace yxgate::router {

enum class ConversationType { kP2P = 1, kTeam = 2, kSuperTeam = 3 };

struct ConversationId {
  std::string owner_id;
  ConversationType type = ConversationType::kP2P;
  std::string other_id;       // set for one-to-one conversations
  std::uint64_t team_id = 0;  // set for team and super-team conversations

  bool is_team() const { return type != ConversationType::kP2P; }
  std::string to_string() const;  // owner|type|other-or-team
};

// `text` is the already percent-decoded path segment ("alice|1|bob").
Result<ConversationId> parse_conversation_id(std::string_view text);

// A positive decimal integer <= 2^63-1 (the vendor's ids are Java Long).
Result<std::uint64_t> parse_message_server_id(std::string_view text);

// A non-negative decimal integer <= 2^63-1 (message_time, create_time).
Result<std::uint64_t> parse_non_negative(std::string_view text, std::string_view name);

}  // namespace yxgate::router
