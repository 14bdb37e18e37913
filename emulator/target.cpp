#include "target.hpp"

#include "vendor_text.hpp"

namespace yxgate::emulator {

std::optional<Route> route_from_name(std::string_view name) {
  for (int i = 0; i < static_cast<int>(Route::kCount); ++i) {
    if (name == kRouteNames[i]) return static_cast<Route>(i);
  }
  return std::nullopt;
}

Target Target::parse(std::string_view target) {
  Target t;
  const auto qpos = target.find('?');
  t.path = std::string(target.substr(0, qpos));
  if (qpos != std::string_view::npos) t.query_string = std::string(target.substr(qpos + 1));
  std::string_view rest = t.path;
  while (!rest.empty()) {
    if (rest.front() == '/') {
      rest.remove_prefix(1);
      continue;
    }
    const auto end = rest.find('/');
    auto segment = percent_decode(rest.substr(0, end), false);
    if (!segment || segment->find('/') != std::string::npos) {
      t.bad_path = true;
      segment = std::string(rest.substr(0, end));
    }
    t.segments.push_back(std::move(*segment));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  std::string_view query = t.query_string;
  while (!query.empty()) {
    const auto end = query.find('&');
    const auto pair = query.substr(0, end);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      auto name = percent_decode(pair.substr(0, eq), true);
      auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (name && value) t.query.emplace_back(std::move(*name), std::move(*value));
    }
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return t;
}

std::optional<std::string> Target::param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

bool Target::has_prefix(std::string_view first, std::string_view second) const {
  return segments.size() >= 2 && segments[0] == first && segments[1] == second;
}

std::optional<Route> classify(std::string_view method, const Target& t) {
  const bool v2 = t.has_prefix("im", "v2");
  const bool v21 = t.has_prefix("im", "v2.1");
  if (!v2 && !v21) return std::nullopt;
  const auto& s = t.segments;
  const auto n = s.size();
  // /im/{v2|v2.1}/conversations/{cid}/batch_messages (SPEC §3.4: both prefixes)
  if (method == "POST" && n == 5 && s[2] == "conversations" && s[4] == "batch_messages") {
    return Route::kBatchMessages;
  }
  // Conversations by id: GET on both prefixes; the Go SDK POSTs a JSON body
  // to /im/v2.1/ (on /im/v2/ that path's DELETE is the batch delete).
  if (n == 5 && s[2] == "conversations" && s[3] == "actions" && s[4] == "conversation_ids" &&
      (method == "GET" || (v21 && method == "POST"))) {
    return Route::kConversations;
  }
  // The history page (the Go SDK's QueryMessagesByPage calls /im/v2.1/).
  if (method == "GET" && n == 5 && s[2] == "conversations" && s[3] != "actions" &&
      s[4] == "messages") {
    return Route::kConversationMessages;
  }
  // Thread messages: both SDKs call /im/v2.1/ (thread_routes.cpp).
  if (method == "GET" && n == 5 && s[2] == "messages" && s[3] == "actions" &&
      s[4] == "thread_messages") {
    return Route::kThreadMessages;
  }
  // The SDKs' QueryMessage and chatroom history call /im/v2.1/ with the
  // v2 parameters.
  if (method == "GET" && n == 6 && s[2] == "conversations" && s[4] == "messages") {
    return Route::kGetMessage;
  }
  if (method == "GET" && n == 5 && s[2] == "chatrooms" && s[4] == "messages") {
    return Route::kChatroomMessages;
  }
  if (!v2) return Route::kOther;
  if (method == "DELETE" && n == 6 && s[2] == "conversations" && s[4] == "messages") {
    return Route::kDeleteMessage;
  }
  if (method == "DELETE" && n == 5 && s[2] == "conversations" && s[4] == "messages") {
    return Route::kClearConversation;
  }
  if (n == 5 && s[2] == "messages" && s[3] == "actions") {
    if (method == "POST" && s[4] == "modifyMsg") return Route::kModifyMessage;
  }
  return Route::kOther;
}

}  // namespace yxgate::emulator
