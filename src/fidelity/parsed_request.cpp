#include "fidelity/parsed_request.hpp"

#include "fidelity/json_body.hpp"
#include "fidelity/url_text.hpp"

namespace yxgate::fidelity {
namespace {

Result<router::ConversationId> read_conversation(std::string_view raw) {
  auto decoded = decode_path_segment(raw);
  if (!decoded) return make_error("conversation_id " + decoded.error().message);
  return router::parse_conversation_id(*decoded);
}

Result<std::uint64_t> read_message_id(std::string_view raw) {
  // Nothing to decode (the usual case): no copy on the hit path.
  if (raw.find('%') == std::string_view::npos) return router::parse_message_server_id(raw);
  auto decoded = decode_path_segment(raw);
  if (!decoded) return make_error("message_server_id " + decoded.error().message);
  return router::parse_message_server_id(*decoded);
}

// The vendor's Boolean parameters: exactly "true" or "false" (Spring would
// also take "on", "1", "yes"... which the gateway does not try to mirror).
Result<bool> read_flag(std::string_view value, bool has_value) {
  if (has_value && value == "true") return true;
  if (has_value && value == "false") return false;
  return make_error("check_team_valid and check_team_member_valid must be true or false");
}

}  // namespace

Result<MessageLookup> read_single_get(std::string_view raw_conversation_id,
                                      std::string_view raw_message_server_id,
                                      std::string_view query) {
  MessageLookup lookup;
  auto conversation = read_conversation(raw_conversation_id);
  if (!conversation) return conversation.error();
  lookup.conversation = std::move(*conversation);
  auto id = read_message_id(raw_message_server_id);
  if (!id) return id.error();
  lookup.message_server_id = *id;

  // Parameters the route does not define are dropped from what is
  // forwarded, so only a repeated known one is ambiguous.
  bool seen[3] = {false, false, false};
  auto params = for_each_query_param(
      query, [&](std::string_view name, std::string_view value, bool has_value) -> Result<bool> {
        const int which = name == "message_time"              ? 0
                          : name == "check_team_valid"        ? 1
                          : name == "check_team_member_valid" ? 2
                                                              : -1;
        if (which < 0) return true;
        if (seen[which]) return make_error(std::string(name) + " given more than once");
        seen[which] = true;
        if (which == 0) {
          auto time = router::parse_non_negative(value, "message_time");
          if (!time) return time.error();
          lookup.message_time = *time;
          return true;
        }
        auto flag = read_flag(value, has_value);
        if (!flag) return flag;
        (which == 1 ? lookup.check_team_valid : lookup.check_team_member_valid) = *flag;
        return true;
      });
  if (!params) return params.error();
  lookup.check_team = lookup.check_team_valid || lookup.check_team_member_valid;
  return lookup;
}

std::string conversation_segment(const router::ConversationId& conversation) {
  return encode_component(conversation.to_string());
}

std::string single_get_target(std::string_view prefix, const MessageLookup& lookup) {
  std::string target(prefix);
  target += "conversations/";
  target += conversation_segment(lookup.conversation);
  target += "/messages/";
  target += std::to_string(lookup.message_server_id);
  char sep = '?';
  const auto add = [&](std::string_view pair) {
    target += sep;
    target += pair;
    sep = '&';
  };
  if (lookup.message_time) add("message_time=" + std::to_string(*lookup.message_time));
  if (lookup.check_team_valid) add("check_team_valid=true");
  if (lookup.check_team_member_valid) add("check_team_member_valid=true");
  return target;
}

Result<BatchRequest> read_batch_messages(std::string_view raw_conversation_id,
                                         std::string_view body) {
  auto conversation = read_conversation(raw_conversation_id);
  if (!conversation) return conversation.error();
  auto items = read_batch_body(body);
  if (!items) return items.error();
  return BatchRequest{std::move(*conversation), std::move(*items)};
}

Result<Mutation> read_mutation(const router::Route& route, std::string_view raw_query,
                               std::string_view body) {
  Mutation mutation;
  std::string& target = mutation.upstream_target;
  target = route.prefix;
  switch (route.kind) {
    case router::RouteKind::kModifyMessage: {
      auto modify = read_modify_body(body);
      if (!modify) return modify.error();
      mutation.message_id = modify->message_server_id;
      mutation.upstream_body = std::move(modify->canonical);
      target += "messages/actions/modifyMsg";
      break;
    }
    case router::RouteKind::kDeleteMessage: {
      // Only the id decides what to invalidate; the conversation is
      // upstream's to check, but forwarded in the one encoding.
      auto decoded = decode_path_segment(route.conversation_id);
      if (!decoded) return make_error("conversation_id " + decoded.error().message);
      auto id = read_message_id(route.message_server_id);
      if (!id) return id.error();
      mutation.message_id = *id;
      target += "conversations/" + encode_component(*decoded) + "/messages/" + std::to_string(*id);
      break;
    }
    case router::RouteKind::kClearConversation: {
      auto conversation = read_conversation(route.conversation_id);
      if (!conversation) return conversation.error();
      target += "conversations/" + conversation_segment(*conversation) + "/messages";
      mutation.conversation = std::move(*conversation);
      break;
    }
    default:
      return make_error("not a mutation");
  }
  if (!raw_query.empty()) {
    target += '?';
    target += raw_query;
  }
  return mutation;
}

}  // namespace yxgate::fidelity
