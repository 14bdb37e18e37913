#pragma once
// A request target split into path segments and decoded query parameters,
// and the route class it falls in (names match SPEC §4 / /_emulator/stats).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yxgate::emulator {

enum class Route {
  kGetMessage,
  kBatchMessages,
  kChatroomMessages,
  kThreadMessages,
  kConversations,
  kModifyMessage,
  kDeleteMessage,
  kClearConversation,
  kConversationMessages,  // GET .../conversations/{cid}/messages: the history page
  kOther,                 // anything else under /im/v2/ or /im/v2.1/ (echoed)
  kCount,
};

inline constexpr const char* kRouteNames[] = {
    "get_message",           "batch_messages", "chatroom_messages", "thread_messages",
    "conversations",         "modify_message", "delete_message",    "clear_conversation",
    "conversation_messages", "other",
};

std::optional<Route> route_from_name(std::string_view name);

// Read as the vendor's servlet container reads it (emulator/README.md,
// "Reading requests").
struct Target {
  std::string path;                   // raw, as received (echoed by the "other" route)
  std::string query_string;           // raw
  std::vector<std::string> segments;  // percent-decoded; routes match on these
  // Names and values percent-decoded, '+' = space; a pair with a bad
  // escape is dropped (Tomcat ignores such a parameter).
  std::vector<std::pair<std::string, std::string>> query;
  // A path segment with a bad escape or an encoded '/': the container
  // answers 400 before any route runs.
  bool bad_path = false;

  static Target parse(std::string_view target);
  // The FIRST value of `name`, like ServletRequest.getParameter.
  std::optional<std::string> param(std::string_view name) const;
  bool has_prefix(std::string_view first, std::string_view second) const;
};

// Which API route a request is; nullopt outside /im/v2/ and /im/v2.1/.
std::optional<Route> classify(std::string_view method, const Target& target);

}  // namespace yxgate::emulator
