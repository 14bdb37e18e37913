#include "router/route.hpp"

#include <array>

namespace yxgate::router {
namespace {

constexpr std::string_view kPrefixes[] = {"/im/v2/", "/im/v2.1/"};

// Splits "a/b/c" into at most N segments; returns the count, or N+1 if more.
template <std::size_t N>
std::size_t split_segments(std::string_view rest, std::array<std::string_view, N>& out) {
  std::size_t count = 0;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const auto segment = rest.substr(0, slash);
    if (count == N) return N + 1;
    out[count++] = segment;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) return N + 1;  // trailing slash: not one of ours
  }
  return count;
}

Route pass_through(RouteClass route_class) {
  return Route{RouteKind::kPassThrough, route_class, {}, {}};
}

Route classify_conversations(std::string_view method, std::size_t count,
                             const std::array<std::string_view, 4>& seg) {
  // seg[0] == "conversations"
  if (count >= 2 && seg[1] == "actions") return pass_through(RouteClass::kConversations);
  if (count == 4 && seg[2] == "messages" && !seg[1].empty() && !seg[3].empty()) {
    if (method == "GET") {
      return Route{RouteKind::kGetMessage, RouteClass::kGetMessage, seg[1], seg[3]};
    }
    if (method == "DELETE") {
      return Route{RouteKind::kDeleteMessage, RouteClass::kDefault, seg[1], seg[3]};
    }
  }
  if (count == 3 && seg[2] == "messages" && method == "DELETE" && !seg[1].empty()) {
    return Route{RouteKind::kClearConversation, RouteClass::kDefault, seg[1], {}};
  }
  if (count == 3 && seg[2] == "batch_messages" && method == "POST" && !seg[1].empty()) {
    return Route{RouteKind::kBatchMessages, RouteClass::kBatchMessages, seg[1], {}};
  }
  return pass_through(RouteClass::kConversations);
}

Route classify_routed(std::string_view method, std::string_view rest);

}  // namespace

std::string_view route_class_name(RouteClass route) {
  switch (route) {
    case RouteClass::kGetMessage:
      return "get_message";
    case RouteClass::kBatchMessages:
      return "batch_messages";
    case RouteClass::kChatroomMessages:
      return "chatroom_messages";
    case RouteClass::kThreadMessages:
      return "thread_messages";
    case RouteClass::kConversations:
      return "conversations";
    case RouteClass::kDefault:
      return "default";
    case RouteClass::kNone:
      return "none";
  }
  return "none";
}

Route classify(std::string_view method, std::string_view path) {
  std::string_view rest;
  std::string_view matched;
  for (auto prefix : kPrefixes) {
    if (path.starts_with(prefix)) {
      rest = path.substr(prefix.size());
      matched = prefix;
      break;
    }
  }
  if (matched.empty()) return Route{};
  auto route = classify_routed(method, rest);
  route.prefix = matched;
  return route;
}

namespace {

Route classify_routed(std::string_view method, std::string_view rest) {
  std::array<std::string_view, 4> seg;
  const auto count = split_segments(rest, seg);
  if (count >= 1 && count <= 4 && seg[0] == "conversations") {
    return classify_conversations(method, count, seg);
  }
  if (count == 3 && seg[0] == "chatrooms" && seg[2] == "messages") {
    return pass_through(RouteClass::kChatroomMessages);
  }
  if (count == 3 && seg[0] == "messages" && seg[1] == "actions") {
    if (seg[2] == "thread_messages") return pass_through(RouteClass::kThreadMessages);
    if (seg[2] == "modifyMsg" && method == "POST") {
      return Route{RouteKind::kModifyMessage, RouteClass::kDefault, {}, {}};
    }
  }
  return pass_through(RouteClass::kDefault);
}

}  // namespace

Target split_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return Target{target, {}};
  return Target{target.substr(0, q), target.substr(q + 1)};
}

QueryValue find_query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    const auto key = pair.substr(0, eq);
    if (key == name) {
      return QueryValue{true,
                        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1)};
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace yxgate::router
