// Paged and batch queries the gateway only passes through (SPEC §3.4):
// chatroom history, thread messages, conversations by id; plus the echo.
#include <simdjson.h>

#include "json_input.hpp"
#include "json_text.hpp"
#include "routes.hpp"
#include "seed_data.hpp"
#include "vendor_text.hpp"

namespace yxgate::emulator {

Result<int> parse_limit(const Target& target) {
  const auto text = target.param("limit");
  const auto value = text ? java_parse_long(*text) : std::nullopt;
  if (!value || *value < 1 || *value > kMaxLimit) return make_error("limit must be 1 to 100");
  return static_cast<int>(*value);
}

// page_token is an opaque string to clients; here it is the decimal offset.
Result<int> parse_page_token(const Target& target, int total) {
  const auto text = target.param("page_token");
  if (!text || text->empty()) return 0;
  const auto value = java_parse_long(*text);
  if (!value || *value < 0 || *value >= total) return make_error("page_token invalid");
  return static_cast<int>(*value);
}

std::string page_header(int end, int total) {
  if (end >= total) return "{\"has_more\":false";
  return "{\"has_more\":true,\"next_token\":\"" + std::to_string(end) + "\"";
}

namespace {

bool seeded_conversation_exists(const Conversation& id) {
  for (const auto& conv : seed::conversations()) {
    if (conv.type != id.type) continue;
    if (conv.type == 1) {
      if ((id.owner_id == conv.first_id && id.other_id == conv.second_id) ||
          (id.owner_id == conv.second_id && id.other_id == conv.first_id)) {
        return true;
      }
    } else if (conv.team_id == id.team_id) {
      for (const auto& member : conv.members) {
        if (member == id.owner_id) return true;
      }
    }
  }
  return false;
}

}  // namespace

Reply chatroom_messages(const RouteContext& ctx) {
  const auto room_id = java_parse_long(ctx.target.segments.at(3));
  if (!room_id || *room_id <= 0) return parameter_error("room_id must be a positive integer");
  const auto sender_id = ctx.target.param("sender_id");
  if (!sender_id || sender_id->empty()) return parameter_error("sender_id is required");
  const auto limit = parse_limit(ctx.target);
  if (!limit) return parameter_error(limit.error().message);
  constexpr int kTotal = seed::kChatroomMessages;
  const auto offset = parse_page_token(ctx.target, kTotal);
  if (!offset) return parameter_error(offset.error().message);
  // The vendor page says descending=true (the default) means oldest first.
  const bool newest_first = ctx.target.param("descending") == "false";
  const int end = std::min(kTotal, offset.value() + limit.value());
  std::string data = page_header(end, kTotal) + ",\"items\":[";
  for (int i = offset.value(); i < end; ++i) {
    if (i != offset.value()) data += ',';
    const int index = newest_first ? kTotal - i : i + 1;
    data += seed::chatroom_item_json(static_cast<std::uint64_t>(*room_id), *sender_id, index,
                                     ctx.store.seed());
  }
  return ok(data + "]}");
}

namespace {

std::string conversations_answer(const std::vector<std::string>& ids) {
  std::string success = "[";
  std::string failed = "[";
  for (const auto& text : ids) {
    const auto id = parse_conversation(text);
    if (id && seeded_conversation_exists(id.value())) {
      if (success.size() > 1) success += ',';
      success += "{\"conversation_id\":" + json_string(text) +
                 ",\"type\":" + std::to_string(id->type) +
                 ",\"unread_count\":0,\"create_time\":" + std::to_string(seed::kBaseTimeMs) + "}";
    } else {
      if (failed.size() > 1) failed += ',';
      failed += "{\"conversation_id\":" + json_string(text) +
                (id ? R"(,"error_code":404,"error_msg":"conversation not exist"})"
                    : R"(,"error_code":414,"error_msg":"parameter error"})");
    }
  }
  return "{\"success_list\":" + success + "],\"failed_list\":" + failed + "]}";
}

// The Go SDK's BatchGetConversations: POST /im/v2.1/... with the JSON body
// {"conversation_ids":["a|1|b",...]} (its BatchGetConversationsRequestV2).
Result<std::vector<std::string>> ids_from_body(std::string_view body) {
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (parse_object(body, object)) return make_error("body must be a JSON object");
  if (last_field(object, "conversation_ids").get_array().get(array)) {
    return make_error("conversation_ids must be an array");
  }
  std::vector<std::string> ids;
  for (auto element : array) {
    std::string_view text;
    if (element.get_string().get(text)) return make_error("conversation_ids items must be strings");
    ids.emplace_back(text);
  }
  if (ids.empty()) return make_error("conversation_ids is required");
  return ids;
}

}  // namespace

Reply conversations(const RouteContext& ctx) {
  std::vector<std::string> ids;
  if (ctx.request.method == "POST") {
    auto parsed = ids_from_body(ctx.request.body);
    if (!parsed) return parameter_error(parsed.error().message);
    ids = std::move(parsed.value());
  } else {
    const auto text = ctx.target.param("conversation_ids");
    if (!text || text->empty()) return parameter_error("conversation_ids is required");
    std::string_view rest = *text;
    while (true) {
      const auto comma = rest.find(',');
      ids.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return ok(conversations_answer(ids));
}

Reply echo(const RouteContext& ctx) {
  std::string data = "{\"method\":" + json_string(ctx.request.method);
  data += ",\"path\":" + json_string(ctx.target.path);
  data += ",\"query\":" + json_string(ctx.target.query_string);
  data += ",\"body\":" + json_string(ctx.request.body) + "}";
  return ok(data);
}

}  // namespace yxgate::emulator
