// libFuzzer target: message.message_server_id of a modifyMsg body, the id
// the gateway invalidates (issue 13). Oracle: simdjson's DOM parser.
//  - in a valid document, a returned id is the value of a message_server_id
//    inside a top-level "message" object (a uint64, or a string holding a
//    canonical id); in an invalid one its digits are in the body;
//  - a valid document with exactly one "message" holding exactly one
//    message_server_id that is a uint64 (or an id string) must give that id.
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/mutation_body.hpp"
#include "router/conversation_id.hpp"

namespace {

using Id = std::optional<std::uint64_t>;

// What the gateway may take from one message_server_id value.
Id id_of(simdjson::dom::element value) {
  std::uint64_t number = 0;
  if (value.get_uint64().get(number) == simdjson::SUCCESS) return number;
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  if (auto parsed = yxgate::router::parse_message_server_id(text)) return *parsed;
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static simdjson::dom::parser dom;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const Id id = yxgate::pipeline::modified_message_id(body);

  simdjson::dom::element root;
  if (dom.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    if (id && body.find(std::to_string(*id)) == std::string_view::npos) __builtin_trap();
    return 0;
  }
  std::size_t messages = 0;
  std::vector<Id> ids;  // every message.message_server_id, in order
  simdjson::dom::object top;
  if (root.get_object().get(top) == simdjson::SUCCESS) {
    for (auto field : top) {
      if (field.key != "message") continue;
      ++messages;
      simdjson::dom::object message;
      if (field.value.get_object().get(message) != simdjson::SUCCESS) continue;
      for (auto inner : message) {
        if (inner.key == "message_server_id") ids.push_back(id_of(inner.value));
      }
    }
  }
  if (id && std::find(ids.begin(), ids.end(), id) == ids.end()) __builtin_trap();
  if (messages == 1 && ids.size() == 1 && ids.front() && id != ids.front()) __builtin_trap();
  return 0;
}
