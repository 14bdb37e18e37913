// Thread messages (api-docs 003): the /im/v2/ page as documented, and the
// /im/v2.1/ form the vendor SDKs call. The Go SDK names the root
// `root_message_id`, `root_message_client_id`, `root_message_time`; the Java
// SDK sends the same route the v2 names (`message_server_id`,
// `message_client_id`, `create_time`); both are read, root_* first.
#include <algorithm>
#include <optional>
#include <vector>

#include "json_text.hpp"
#include "routes.hpp"
#include "seed_data.hpp"
#include "vendor_text.hpp"

namespace yxgate::emulator {
namespace {

// What a v2.1 call must name (every parameter the page marks 必需 that the
// SDKs send); each is checked as the vendor checks it, a violation is 414.
struct ThreadQuery {
  std::uint64_t root_id = 0;
  std::string root_client_id;
  std::uint64_t root_time = 0;
  std::uint64_t begin_time = 0;
  std::uint64_t end_time = 0;
  int conversation_type = 0;
  std::string sender_id;
  std::string receiver_id;
};

std::optional<std::string> first_param(const Target& target, std::string_view name,
                                       std::string_view fallback) {
  if (auto value = target.param(name)) return value;
  return target.param(fallback);
}

Result<std::uint64_t> required_time(const Target& target, std::string_view name,
                                    std::string_view fallback = {}) {
  const auto text = fallback.empty() ? target.param(name) : first_param(target, name, fallback);
  if (!text) return make_error(std::string(name) + " is required");
  return non_negative_long(*text, name);
}

Result<bool> optional_bool(const Target& target, std::string_view name) {
  const auto text = target.param(name);
  if (!text || *text == "false") return false;
  if (*text == "true") return true;
  return make_error(std::string(name) + " must be true or false");
}

Result<ThreadQuery> read_v21_query(const Target& target) {
  ThreadQuery q;
  const auto id_text = first_param(target, "root_message_id", "message_server_id");
  if (!id_text) return make_error("root_message_id is required");
  auto id = positive_long(*id_text, "root_message_id");
  if (!id) return id.error();
  q.root_id = *id;
  auto client_id = first_param(target, "root_message_client_id", "message_client_id");
  if (!client_id || client_id->empty()) return make_error("root_message_client_id is required");
  q.root_client_id = std::move(*client_id);
  auto root_time = required_time(target, "root_message_time", "create_time");
  if (!root_time) return root_time.error();
  q.root_time = *root_time;
  auto begin = required_time(target, "begin_time");
  if (!begin) return begin.error();
  auto end = required_time(target, "end_time");
  if (!end) return end.error();
  if (*begin > *end) return make_error("begin_time must not be after end_time");
  q.begin_time = *begin;
  q.end_time = *end;
  const auto type_text = target.param("conversation_type");
  const auto type = type_text ? java_parse_long(*type_text) : std::nullopt;
  if (!type || *type < 1 || *type > 3) return make_error("conversation_type must be 1, 2 or 3");
  q.conversation_type = static_cast<int>(*type);
  auto sender = target.param("sender_id");
  if (!sender || sender->empty()) return make_error("sender_id is required");
  q.sender_id = std::move(*sender);
  auto receiver = target.param("receiver_id");
  if (!receiver || receiver->empty()) return make_error("receiver_id is required");
  q.receiver_id = std::move(*receiver);
  for (const auto* name : {"descending", "exclude_root"}) {
    if (auto flag = optional_bool(target, name); !flag) return flag.error();
  }
  return q;
}

std::string raw_field(const Message& message, std::string_view key) {
  for (const auto& [name, raw] : message.fields) {
    if (name == key) return raw;
  }
  return {};
}

// The vendor finds the root by all its coordinates: a root named with the
// wrong time, client id or conversation is not found (107404), as a single
// GET with the wrong message_time is not.
bool names_root(const ThreadQuery& q, const Message& root) {
  if (root.create_time != q.root_time || root.conversation_type != q.conversation_type) {
    return false;
  }
  if (raw_field(root, "message_client_id") != json_string(q.root_client_id)) return false;
  if (root.sender_id != q.sender_id) return false;
  const auto receiver =
      root.conversation_type == 1 ? root.receiver_id : std::to_string(root.team_id);
  return receiver == q.receiver_id;
}

// One page of the root's replies whose index is in `indexes`. v2 nests the
// replies in thread_root (api-docs 003); v2.1 answers them beside it with a
// total, as the Go SDK's QueryThreadMessagesResponseV2 reads them.
Reply thread_page(const RouteContext& ctx, const Message& root, const std::vector<int>& indexes,
                  int limit, bool v21) {
  const int total = static_cast<int>(indexes.size());
  const auto offset = parse_page_token(ctx.target, std::max(total, 1));
  if (!offset) return parameter_error(offset.error().message);
  const int end = std::min(total, offset.value() + limit);
  std::string root_json = root.to_json();
  std::string data = page_header(end, total);
  if (v21) {
    data += ",\"total\":" + std::to_string(total) + ",\"thread_root\":" + root_json;
  } else {
    root_json.pop_back();  // reopen the object to append "messages"
    data += ",\"thread_root\":" + root_json;
  }
  data += ",\"messages\":[";
  for (int i = offset.value(); i < end; ++i) {
    if (i != offset.value()) data += ',';
    data += seed::thread_reply(root, indexes[i], ctx.store.seed()).to_json();
  }
  return ok(data + (v21 ? "]}" : "]}}"));
}

std::vector<int> all_replies() {
  std::vector<int> indexes;
  for (int i = 1; i <= seed::kThreadReplies; ++i) indexes.push_back(i);
  return indexes;
}

Reply thread_messages_v2(const RouteContext& ctx) {
  const auto limit = parse_limit(ctx.target);
  if (!limit) return parameter_error(limit.error().message);
  const auto root_text = ctx.target.param("message_server_id");
  if (!root_text) return parameter_error("message_server_id is required");
  const auto root_id = positive_long(*root_text, "message_server_id");
  if (!root_id) return parameter_error(root_id.error().message);
  const auto root = ctx.store.find(root_id.value());
  if (!root) return Reply{200, error_body(107404, "message not exist")};
  return thread_page(ctx, *root, all_replies(), limit.value(), false);
}

Reply thread_messages_v21(const RouteContext& ctx) {
  const auto limit = parse_limit(ctx.target);
  if (!limit) return parameter_error(limit.error().message);
  const auto query = read_v21_query(ctx.target);
  if (!query) return parameter_error(query.error().message);
  const auto root = ctx.store.find(query->root_id);
  if (!root || !names_root(*query, *root)) {
    return Reply{200, error_body(107404, "message not exist")};
  }
  // begin_time..end_time (inclusive) select the replies by create_time.
  std::vector<int> indexes;
  for (int i : all_replies()) {
    const auto time = seed::thread_reply(*root, i, ctx.store.seed()).create_time;
    if (time >= query->begin_time && time <= query->end_time) indexes.push_back(i);
  }
  return thread_page(ctx, *root, indexes, limit.value(), true);
}

}  // namespace

Reply thread_messages(const RouteContext& ctx) {
  return ctx.target.has_prefix("im", "v2.1") ? thread_messages_v21(ctx) : thread_messages_v2(ctx);
}

std::optional<std::string> thread_root_param(const Target& target) {
  if (target.has_prefix("im", "v2.1")) {
    return first_param(target, "root_message_id", "message_server_id");
  }
  return target.param("message_server_id");
}

}  // namespace yxgate::emulator
