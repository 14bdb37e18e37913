#include "routes.hpp"

#include <simdjson.h>

#include "json_input.hpp"
#include "vendor_text.hpp"

namespace yxgate::emulator {

Reply handle_route(Route route, const RouteContext& ctx) {
  switch (route) {
    case Route::kGetMessage:
      return get_message(ctx);
    case Route::kBatchMessages:
      return batch_messages(ctx);
    case Route::kChatroomMessages:
      return chatroom_messages(ctx);
    case Route::kThreadMessages:
      return thread_messages(ctx);
    case Route::kConversations:
      return conversations(ctx);
    case Route::kModifyMessage:
      return modify_message(ctx);
    case Route::kDeleteMessage:
      return delete_message(ctx);
    case Route::kClearConversation:
      return clear_conversation(ctx);
    case Route::kConversationMessages:
      return conversation_messages(ctx);
    case Route::kOther:
    case Route::kCount:
      break;
  }
  return echo(ctx);
}

std::vector<std::uint64_t> asked_ids(Route route, const RouteContext& ctx) {
  std::vector<std::uint64_t> ids;
  std::int64_t id = 0;
  const auto add_text = [&](std::string_view text) {
    if (auto parsed = positive_long(text, "")) ids.push_back(parsed.value());
  };
  simdjson::dom::object body;
  switch (route) {
    case Route::kGetMessage:
    case Route::kDeleteMessage:
      add_text(ctx.target.segments.at(5));
      break;
    case Route::kThreadMessages:
      if (auto text = thread_root_param(ctx.target)) add_text(*text);
      break;
    case Route::kBatchMessages: {
      simdjson::dom::array messages;
      if (parse_object(ctx.request.body, body) ||
          last_field(body, "messages").get_array().get(messages)) {
        break;
      }
      for (auto element : messages) {
        simdjson::dom::object item;
        if (element.get_object().get(item)) continue;
        if (!last_field(item, "message_server_id").get_int64().get(id) && id > 0) {
          ids.push_back(static_cast<std::uint64_t>(id));
        }
      }
      break;
    }
    case Route::kModifyMessage: {
      simdjson::dom::object message;
      if (!parse_object(ctx.request.body, body) &&
          !last_field(body, "message").get_object().get(message) &&
          !last_field(message, "message_server_id").get_int64().get(id) && id > 0) {
        ids.push_back(static_cast<std::uint64_t>(id));
      }
      break;
    }
    default:
      break;
  }
  return ids;
}

}  // namespace yxgate::emulator
