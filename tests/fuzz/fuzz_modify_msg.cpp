// libFuzzer target: message.message_server_id of a modifyMsg body, the id
// the gateway invalidates (issue 13). Oracle: simdjson's DOM parser.
//  - in a valid document, a returned id is the value of a message_server_id
//    inside a top-level "message" object (a uint64, or a string holding a
//    canonical id); in an invalid one it is spelled in the body;
//  - a valid document with exactly one "message" holding exactly one
//    message_server_id that is a uint64 (or an id string) must give that id.
// Known gap, exempted below: keys are matched as spelled, so
// {"m\u0065ssage":{"message_server_id":77}} (which the vendor's Java reads
// as message 77) invalidates nothing. The request-fidelity branch replaces
// this parser (fidelity::read_mutation): re-point the harness there and drop
// kKeysMatchedAsSpelled.
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

constexpr bool kKeysMatchedAsSpelled = true;

// What the gateway may take from one message_server_id value (ids are
// positive; the DOM reads -0 as 0 where the gateway's reader refuses it).
Id id_of(simdjson::dom::element value) {
  std::uint64_t number = 0;
  if (value.get_uint64().get(number) == simdjson::SUCCESS) return number ? Id(number) : Id();
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  if (auto parsed = yxgate::router::parse_message_server_id(text)) return *parsed;
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static simdjson::dom::parser dom;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  Id id = yxgate::pipeline::modified_message_id(body);
  if (id == 0u) id.reset();  // names no message: invalidating it is a no-op

  simdjson::dom::element root;
  if (dom.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    // Upstream refuses such a body, so an id read from it only costs a
    // spare invalidation; but it must be spelled there (digits, or a
    // string with \u escapes).
    if (id && body.find(std::to_string(*id)) == std::string_view::npos &&
        body.find('\\') == std::string_view::npos) {
      __builtin_trap();
    }
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
  const bool escaped_keys = kKeysMatchedAsSpelled && body.find('\\') != std::string_view::npos;
  if (messages == 1 && ids.size() == 1 && ids.front() && id != ids.front() && !escaped_keys) {
    __builtin_trap();
  }
  return 0;
}
