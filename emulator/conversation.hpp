#pragma once
// The vendor's conversation id (api-docs 001: "owner_id|conversation_type|other_id"
// or "owner_id|conversation_type|team_id"; 1 one-to-one, 2 team, 3 super
// team), read from an already percent-decoded path segment.
#include <cstdint>
#include <string>
#include <string_view>

#include "result.hpp"

namespace yxgate::emulator {

struct Conversation {
  std::string owner_id;
  int type = 1;
  std::string other_id;       // one-to-one
  std::uint64_t team_id = 0;  // types 2 and 3

  bool is_team() const { return type != 1; }
};

// Exactly three '|'-separated parts, non-empty ids, type 1..3 (read as a
// Java number, so "01" is 1), team id a positive Long. The error text goes
// after "parameter error: ".
Result<Conversation> parse_conversation(std::string_view text);

}  // namespace yxgate::emulator
