#include "router/conversation_id.hpp"

#include <charconv>
#include <limits>

namespace yxgate::router {
namespace {

constexpr std::uint64_t kMaxJavaLong =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Strict decimal: digits only, no sign, no whitespace, fits in a Java Long.
bool parse_decimal(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out <= kMaxJavaLong;
}

}  // namespace

std::string ConversationId::to_string() const {
  std::string out = owner_id;
  out += '|';
  out += std::to_string(static_cast<int>(type));
  out += '|';
  out += is_team() ? std::to_string(team_id) : other_id;
  return out;
}

Result<ConversationId> parse_conversation_id(std::string_view text) {
  const auto first = text.find('|');
  const auto second = first == std::string_view::npos ? first : text.find('|', first + 1);
  if (second == std::string_view::npos || text.find('|', second + 1) != std::string_view::npos) {
    return make_error("conversation_id must be owner_id|conversation_type|other_id");
  }
  ConversationId id;
  id.owner_id = std::string(text.substr(0, first));
  const auto type_text = text.substr(first + 1, second - first - 1);
  const auto other = text.substr(second + 1);
  if (id.owner_id.empty()) return make_error("conversation_id owner_id is empty");
  if (type_text == "1") {
    id.type = ConversationType::kP2P;
  } else if (type_text == "2") {
    id.type = ConversationType::kTeam;
  } else if (type_text == "3") {
    id.type = ConversationType::kSuperTeam;
  } else {
    return make_error("conversation_id conversation_type must be 1, 2 or 3");
  }
  if (other.empty()) return make_error("conversation_id other_id is empty");
  if (id.is_team()) {
    if (!parse_decimal(other, id.team_id) || id.team_id == 0) {
      return make_error("conversation_id team_id must be a positive integer");
    }
  } else {
    id.other_id = std::string(other);
  }
  return id;
}

Result<std::uint64_t> parse_message_server_id(std::string_view text) {
  std::uint64_t value = 0;
  if (!parse_decimal(text, value) || value == 0) {
    return make_error("message_server_id must be a positive integer <= 9223372036854775807");
  }
  return value;
}

Result<std::uint64_t> parse_non_negative(std::string_view text, std::string_view name) {
  std::uint64_t value = 0;
  if (!parse_decimal(text, value)) {
    return make_error(std::string(name) + " must be a non-negative integer");
  }
  return value;
}

}  // namespace yxgate::router
