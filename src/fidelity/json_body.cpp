#include "fidelity/json_body.hpp"

#include <simdjson.h>

#include <algorithm>
#include <optional>

#include "router/conversation_id.hpp"

namespace yxgate::fidelity {
namespace {

namespace dom = simdjson::dom;

constexpr std::size_t kMaxDepth = 64;

// Bodies up to this size reuse the worker's parser; a larger one gets its
// own, freed with the request, so one big body does not leave each worker
// holding a parser sized for it (issue 15: memory per request bounded).
constexpr std::size_t kReusedParserBytes = 64 * 1024;

dom::parser& parser_for(std::string_view body, std::optional<dom::parser>& own) {
  thread_local dom::parser shared;
  return body.size() <= kReusedParserBytes ? shared : own.emplace();
}

// Refuses a key given twice in any object, and nesting deeper than kMaxDepth.
Result<bool> check_keys(dom::element element, std::size_t depth) {
  if (depth > kMaxDepth) return make_error("body nested too deeply");
  if (element.is_object()) {
    std::vector<std::string_view> keys;
    for (auto field : dom::object(element)) {
      keys.push_back(field.key);
      auto nested = check_keys(field.value, depth + 1);
      if (!nested) return nested;
    }
    std::sort(keys.begin(), keys.end());
    if (auto dup = std::adjacent_find(keys.begin(), keys.end()); dup != keys.end()) {
      return make_error("duplicate key \"" + std::string(*dup) + "\" in body");
    }
  } else if (element.is_array()) {
    for (auto item : dom::array(element)) {
      auto nested = check_keys(item, depth + 1);
      if (!nested) return nested;
    }
  }
  return true;
}

Result<dom::element> parse(dom::parser& parser, std::string_view body) {
  dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) || !root.is_object()) {
    return make_error("body must be a JSON object");
  }
  auto keys = check_keys(root, 0);
  if (!keys) return keys.error();
  return root;
}

// A JSON integer, or, `quoted_too`, a string of decimal digits (Java's
// JSON libraries coerce those; a strict reader answers 414).
bool read_u64(dom::element value, std::uint64_t& out, bool quoted_too) {
  if (value.is_string()) {
    if (!quoted_too) return false;
    std::string_view text;
    if (value.get_string().get(text)) return false;
    auto parsed = router::parse_non_negative(text, "");
    if (!parsed) return false;
    out = *parsed;
    return true;
  }
  if (!value.is_uint64() && !value.is_int64()) return false;
  return !value.get_uint64().get(out) && out <= 9223372036854775807ull;
}

}  // namespace

Result<std::vector<cache::BatchItem>> read_batch_body(std::string_view body) {
  std::optional<dom::parser> own;
  auto root = parse(parser_for(body, own), body);
  if (!root) return root.error();
  dom::array messages;
  if ((*root)["messages"].get_array().get(messages)) return make_error("messages must be an array");
  if (messages.size() == 0 || messages.size() > kMaxBatchItems) {
    return make_error("messages must hold 1 to 100 items");
  }
  std::vector<cache::BatchItem> items;
  items.reserve(messages.size());
  for (auto element : messages) {
    if (!element.is_object()) return make_error("messages items must be objects");
    cache::BatchItem item;
    dom::element id;
    // Integers only: an item a strict upstream would refuse must not be
    // answered from the cache (SPEC §11.1: refuse what may be read two ways).
    if (element["message_server_id"].get(id) || !read_u64(id, item.message_server_id, false) ||
        item.message_server_id == 0) {
      return make_error("messages[].message_server_id must be a positive integer");
    }
    dom::element time;
    if (element["create_time"].get(time) || !read_u64(time, item.create_time, false)) {
      return make_error("messages[].create_time must be a non-negative integer");
    }
    items.push_back(item);
  }
  return items;
}

Result<ModifyBody> read_modify_body(std::string_view body) {
  std::optional<dom::parser> own;
  auto root = parse(parser_for(body, own), body);
  if (!root) return root.error();
  dom::element id;
  ModifyBody out;
  if ((*root)["message"].get_object().error()) return make_error("message must be an object");
  if (root->at_pointer("/message/message_server_id").get(id) ||
      // Quoted too: whichever way upstream reads it, invalidating this id
      // is right, and the body is forwarded as it came.
      !read_u64(id, out.message_server_id, true) || out.message_server_id == 0) {
    return make_error("message.message_server_id must be a positive integer");
  }
  out.canonical = simdjson::minify(*root);
  return out;
}

}  // namespace yxgate::fidelity
