// The conversation history page, `GET /im/{v2,v2.1}/conversations/{cid}/messages`
// (the Go SDK's QueryMessagesByPage: begin_time, end_time, limit required;
// descending, page_token optional; data `{"has_more":B[,"next_token":".."],
// "items":[<message>...]}`). Not in api-docs: its shape is the SDK's.
#include <algorithm>

#include "routes.hpp"
#include "seed_data.hpp"
#include "vendor_text.hpp"

namespace yxgate::emulator {
namespace {

// Seeded ids run 1..kBlockSize*5-1 with create_time = base + id * 1000, so a
// time range is an id range; the page walks it and keeps the messages of
// the conversation (deleted and cleared ones are gone, modified ones shown).
constexpr std::uint64_t kLastSeededId = seed::kBlockSize * 5 - 1;

std::uint64_t first_id_at_or_after(std::uint64_t time) {
  if (time <= seed::kBaseTimeMs) return 1;
  return (time - seed::kBaseTimeMs + 999) / 1000;
}

std::uint64_t last_id_at_or_before(std::uint64_t time) {
  if (time < seed::kBaseTimeMs + 1000) return 0;
  return std::min(kLastSeededId, (time - seed::kBaseTimeMs) / 1000);
}

}  // namespace

Reply conversation_messages(const RouteContext& ctx) {
  const auto conversation = parse_conversation(ctx.target.segments.at(3));
  if (!conversation) return parameter_error(conversation.error().message);
  const auto begin_text = ctx.target.param("begin_time");
  const auto end_text = ctx.target.param("end_time");
  if (!begin_text) return parameter_error("begin_time is required");
  if (!end_text) return parameter_error("end_time is required");
  const auto begin = non_negative_long(*begin_text, "begin_time");
  if (!begin) return parameter_error(begin.error().message);
  const auto end = non_negative_long(*end_text, "end_time");
  if (!end) return parameter_error(end.error().message);
  if (*begin > *end) return parameter_error("begin_time must not be after end_time");
  const auto limit = parse_limit(ctx.target);
  if (!limit) return parameter_error(limit.error().message);
  const auto descending = ctx.target.param("descending");
  if (descending && *descending != "true" && *descending != "false") {
    return parameter_error("descending must be true or false");
  }
  const bool newest_first = descending == "true";
  const auto token = ctx.target.param("page_token");
  int offset = 0;
  if (token && !token->empty()) {
    const auto value = java_parse_long(*token);
    if (!value || *value < 0 || *value > static_cast<long long>(kLastSeededId)) {
      return parameter_error("page_token invalid");
    }
    offset = static_cast<int>(*value);
  }
  const auto lo = first_id_at_or_after(*begin);
  const auto hi = last_id_at_or_before(*end);
  std::string items = "[";
  int seen = 0;
  int taken = 0;
  bool more = false;
  for (std::uint64_t i = 0; lo <= hi && i <= hi - lo; ++i) {
    const auto id = newest_first ? hi - i : lo + i;
    const auto message = ctx.store.find_in(*conversation, id);
    if (!message || message->create_time < *begin || message->create_time > *end) continue;
    if (seen++ < offset) continue;
    if (taken == limit.value()) {
      more = true;
      break;
    }
    if (taken++ > 0) items += ',';
    items += message->to_json();
  }
  const int next = offset + taken;
  std::string data = more ? "{\"has_more\":true,\"next_token\":\"" + std::to_string(next) + "\""
                          : std::string("{\"has_more\":false");
  return ok(data + ",\"items\":" + items + "]}");
}

}  // namespace yxgate::emulator
