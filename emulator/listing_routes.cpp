// Paged and batch queries the gateway only passes through (SPEC §3.4):
// chatroom history, thread messages, conversations by id; plus the echo.
#include "json_text.hpp"
#include "routes.hpp"
#include "seed_data.hpp"
#include "vendor_text.hpp"

namespace yxgate::emulator {
namespace {

constexpr int kMaxLimit = 100;  // api-docs 002/003: 1..100, else 414

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

Reply thread_messages(const RouteContext& ctx) {
  const auto limit = parse_limit(ctx.target);
  if (!limit) return parameter_error(limit.error().message);
  const auto root_text = ctx.target.param("message_server_id");
  if (!root_text) return parameter_error("message_server_id is required");
  const auto root_id = positive_long(*root_text, "message_server_id");
  if (!root_id) return parameter_error(root_id.error().message);
  constexpr int kTotal = seed::kThreadReplies;
  const auto offset = parse_page_token(ctx.target, kTotal);
  if (!offset) return parameter_error(offset.error().message);
  const auto root = ctx.store.find(root_id.value());
  if (!root) return Reply{200, error_body(107404, "message not exist")};
  const int end = std::min(kTotal, offset.value() + limit.value());
  std::string root_json = root->to_json();
  root_json.pop_back();  // reopen the object to append "messages" (api-docs 003)
  std::string data = page_header(end, kTotal) + ",\"thread_root\":" + root_json + ",\"messages\":[";
  for (int i = offset.value(); i < end; ++i) {
    if (i != offset.value()) data += ',';
    data += seed::thread_reply(*root, i + 1, ctx.store.seed()).to_json();
  }
  return ok(data + "]}}");
}

Reply conversations(const RouteContext& ctx) {
  const auto ids = ctx.target.param("conversation_ids");
  if (!ids || ids->empty()) return parameter_error("conversation_ids is required");
  std::string success = "[";
  std::string failed = "[";
  std::string_view rest = *ids;
  while (true) {
    const auto comma = rest.find(',');
    const auto text = rest.substr(0, comma);
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
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return ok("{\"success_list\":" + success + "],\"failed_list\":" + failed + "]}");
}

Reply echo(const RouteContext& ctx) {
  std::string data = "{\"method\":" + json_string(ctx.request.method);
  data += ",\"path\":" + json_string(ctx.target.path);
  data += ",\"query\":" + json_string(ctx.target.query_string);
  data += ",\"body\":" + json_string(ctx.request.body) + "}";
  return ok(data);
}

}  // namespace yxgate::emulator
