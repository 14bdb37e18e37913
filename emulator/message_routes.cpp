// Single message, batch by id, and the three mutations (SPEC §3.1-3.3).
#include <simdjson.h>

#include "json_input.hpp"
#include "json_text.hpp"
#include "routes.hpp"
#include "seed_data.hpp"
#include "vendor_text.hpp"

namespace yxgate::emulator {
namespace {

constexpr std::size_t kMaxBatchItems = 100;

// Segments are already percent-decoded (%7C is '|'), as the container does.
Result<Conversation> conversation_from_path(const Target& target) {
  return parse_conversation(target.segments.at(3));
}

bool is_bool_text(const std::optional<std::string>& value) {
  return !value || *value == "true" || *value == "false";
}

bool team_exists(std::uint64_t team_id) {
  for (const auto& conv : seed::conversations()) {
    if (conv.type != 1 && conv.team_id == team_id) return true;
  }
  return false;
}

struct BatchItem {
  std::uint64_t message_server_id;
  std::uint64_t create_time;
};

Result<std::vector<BatchItem>> parse_batch_body(std::string_view body) {
  simdjson::dom::object object;
  simdjson::dom::array messages;
  if (parse_object(body, object)) return make_error("body must be a JSON object");
  if (last_field(object, "messages").get_array().get(messages)) {
    return make_error("messages must be an array");
  }
  // The vendor refuses the whole call (414) above 100 items.
  if (messages.size() == 0 || messages.size() > kMaxBatchItems) {
    return make_error("messages must hold 1 to 100 items");
  }
  std::vector<BatchItem> items;
  for (simdjson::dom::element element : messages) {
    BatchItem parsed{};
    simdjson::dom::object item;
    if (element.get_object().get(item)) return make_error("messages[] must be objects");
    std::int64_t value = 0;
    if (last_field(item, "message_server_id").get_int64().get(value) || value <= 0) {
      return make_error("messages[].message_server_id must be a positive integer");
    }
    parsed.message_server_id = static_cast<std::uint64_t>(value);
    // create_time is required per item (api-docs 000); missing is a 414.
    if (last_field(item, "create_time").get_int64().get(value) || value < 0) {
      return make_error("messages[].create_time must be a non-negative integer");
    }
    parsed.create_time = static_cast<std::uint64_t>(value);
    items.push_back(parsed);
  }
  return items;
}

Result<std::uint64_t> modify_target_id(std::string_view body) {
  simdjson::dom::object object;
  simdjson::dom::object message;
  std::int64_t id = 0;
  if (parse_object(body, object)) return make_error("body must be a JSON object");
  if (last_field(object, "message").get_object().get(message)) {
    return make_error("message must be an object");
  }
  if (last_field(message, "message_server_id").get_int64().get(id) || id <= 0) {
    return make_error("message.message_server_id must be a positive integer");
  }
  return static_cast<std::uint64_t>(id);
}

bool is_identity_field(std::string_view key) {
  // These locate the message; the vendor does not change them on update.
  return key == "message_server_id" || key == "sender_id" || key == "receiver_id" ||
         key == "team_id" || key == "conversation_type" || key == "create_time" ||
         key == "message_client_id";
}

}  // namespace

Reply parameter_error(std::string_view what) {
  return Reply{200, error_body(414, "parameter error: " + std::string(what))};
}

Reply ok(std::string_view data_json) { return Reply{200, success_body(data_json)}; }

Reply get_message(const RouteContext& ctx) {
  const auto conversation = conversation_from_path(ctx.target);
  if (!conversation) return parameter_error(conversation.error().message);
  const auto id = positive_long(ctx.target.segments.at(5), "message_server_id");
  if (!id) return parameter_error(id.error().message);
  std::optional<std::uint64_t> message_time;
  if (const auto text = ctx.target.param("message_time")) {
    const auto parsed = non_negative_long(*text, "message_time");
    if (!parsed) return parameter_error(parsed.error().message);
    message_time = parsed.value();
  }
  const auto check_team = ctx.target.param("check_team_valid");
  const auto check_member = ctx.target.param("check_team_member_valid");
  if (!is_bool_text(check_team) || !is_bool_text(check_member)) {
    return parameter_error("check_team_valid and check_team_member_valid must be true or false");
  }
  if (check_team == "true" && conversation->is_team() && !team_exists(conversation->team_id)) {
    return Reply{200, error_body(108404, "team not exist")};
  }
  const auto message = ctx.store.find_in(conversation.value(), id.value());
  if (!message || (message_time && *message_time != message->create_time)) {
    return Reply{200, error_body(107404, "message not exist")};
  }
  return ok(message->to_json());
}

Reply batch_messages(const RouteContext& ctx) {
  const auto conversation = conversation_from_path(ctx.target);
  if (!conversation) return parameter_error(conversation.error().message);
  const auto items = parse_batch_body(ctx.request.body);
  if (!items) return parameter_error(items.error().message);
  std::string success = "[";
  std::string failed = "[";
  const bool all_fail = ctx.fault && ctx.fault->kind == FaultKind::kFailedCode;
  const std::string error_code =
      all_fail ? std::to_string(ctx.fault->error_code) : std::string("107404");
  const std::string error_msg = all_fail ? ctx.fault->error_msg : std::string("message not exist");
  for (const auto& item : items.value()) {
    const auto message = ctx.store.find_in(conversation.value(), item.message_server_id);
    if (!all_fail && message && message->create_time == item.create_time) {
      if (success.size() > 1) success += ',';
      success += message->to_json();
      continue;
    }
    if (failed.size() > 1) failed += ',';
    failed += "{\"message_server_id\":" + std::to_string(item.message_server_id) +
              ",\"create_time\":" + std::to_string(item.create_time) +
              ",\"error_code\":" + error_code + ",\"error_msg\":" + json_string(error_msg) + "}";
  }
  return ok("{\"success_list\":" + success + "],\"failed_list\":" + failed + "]}");
}

Reply modify_message(const RouteContext& ctx) {
  const auto id = modify_target_id(ctx.request.body);
  if (!id) return parameter_error(id.error().message);
  simdjson::dom::object body;
  simdjson::dom::object fields;
  (void)parse_object(ctx.request.body, body);
  if (last_field(body, "message").get_object().get(fields)) {
    return parameter_error("message must be an object");
  }
  std::string_view operator_id;
  const bool has_operator = !last_field(body, "operator_id").get_string().get(operator_id);
  const auto updated = ctx.store.modify(id.value(), [&](Message& message) {
    for (const auto field : fields) {
      if (is_identity_field(field.key)) continue;
      std::int64_t message_type = 0;
      if (field.key == "message_type" && !field.value.get_int64().get(message_type)) {
        message.message_type = static_cast<int>(message_type);
        continue;
      }
      message.set_field(field.key, simdjson::minify(field.value));
    }
    ++message.revision;
    if (has_operator) message.set_field("modify_account_id", json_string(operator_id));
    // Deterministic stand-in for the vendor's wall-clock update time.
    message.set_field("modify_time", std::to_string(message.create_time + message.revision * 1000));
  });
  if (!updated) return Reply{200, error_body(107404, "message not exist")};
  return ok(updated->to_json());
}

Reply delete_message(const RouteContext& ctx) {
  const auto conversation = conversation_from_path(ctx.target);
  if (!conversation) return parameter_error(conversation.error().message);
  const auto id = positive_long(ctx.target.segments.at(5), "message_server_id");
  if (!id) return parameter_error(id.error().message);
  if (const auto type = ctx.target.param("type");
      type && *type != "1" && *type != "2" && *type != "3") {
    return parameter_error("type must be 1, 2 or 3");
  }
  if (!ctx.store.erase_in(conversation.value(), id.value())) {
    return Reply{200, error_body(107404, "message not exist")};
  }
  return ok("{}");
}

Reply clear_conversation(const RouteContext& ctx) {
  const auto conversation = conversation_from_path(ctx.target);
  if (!conversation) return parameter_error(conversation.error().message);
  ctx.store.clear(conversation.value());
  return ok("{}");
}

Result<Message> message_from_json(std::string_view json) {
  simdjson::dom::object object;
  if (parse_object(json, object)) return make_error("body must be a JSON object");
  Message m;
  std::int64_t type = 0;
  std::string_view text;
  if (last_field(object, "message_server_id").get_int64().get(type) || type <= 0) {
    return make_error("message_server_id must be a positive integer");
  }
  m.message_server_id = static_cast<std::uint64_t>(type);
  if (last_field(object, "conversation_type").get_int64().get(type) || type < 1 || type > 3) {
    return make_error("conversation_type must be 1, 2 or 3");
  }
  m.conversation_type = static_cast<int>(type);
  if (last_field(object, "sender_id").get_string().get(text) || text.empty()) {
    return make_error("sender_id must be a non-empty string");
  }
  m.sender_id = std::string(text);
  if (m.conversation_type == 1) {
    if (last_field(object, "receiver_id").get_string().get(text) || text.empty()) {
      return make_error("receiver_id must be a non-empty string");
    }
    m.receiver_id = std::string(text);
  } else if (last_field(object, "team_id").get_uint64().get(m.team_id) || m.team_id == 0) {
    return make_error("team_id must be a positive integer");
  }
  if (last_field(object, "create_time").get_uint64().get(m.create_time)) {
    return make_error("create_time must be a non-negative integer");
  }
  if (auto e = last_field(object, "message_type").get_int64().get(type);
      e != simdjson::NO_SUCH_FIELD) {
    if (e) return make_error("message_type must be an integer");
    m.message_type = static_cast<int>(type);
  }
  for (const auto field : object) {
    if (is_identity_field(field.key) && field.key != "message_client_id") continue;
    if (field.key == "message_type") continue;
    m.set_field(field.key, simdjson::minify(field.value));  // a duplicate: the last wins
  }
  return m;
}

}  // namespace yxgate::emulator
