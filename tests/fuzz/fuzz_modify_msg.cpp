// libFuzzer target: the modifyMsg body reader (fidelity::read_modify_body),
// whose id the gateway invalidates and whose canonical body it forwards
// (issues 13, 15). Oracle: simdjson's DOM parser.
//  - an accepted body is valid JSON, its top-level "message" object holds a
//    message_server_id equal to the id read, and the canonical body reads
//    back to the same id and the same canonical bytes (one reading only);
//  - a valid body without escapes or duplicate keys, whose one "message"
//    object holds one positive integer message_server_id, is accepted with
//    that id.
#include <simdjson.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fidelity/json_body.hpp"

namespace {

// True when some object in `e` spells a key twice.
bool has_duplicate_keys(simdjson::dom::element e) {
  simdjson::dom::object object;
  if (e.get_object().get(object) == simdjson::SUCCESS) {
    std::set<std::string_view> seen;
    for (auto field : object) {
      if (!seen.insert(field.key).second || has_duplicate_keys(field.value)) return true;
    }
    return false;
  }
  simdjson::dom::array array;
  if (e.get_array().get(array) == simdjson::SUCCESS) {
    for (auto item : array) {
      if (has_duplicate_keys(item)) return true;
    }
  }
  return false;
}

// message.message_server_id as a positive integer, if the body has it: a
// number, or a string of plain decimal digits (which the vendor's Java
// reader also takes as a Long).
std::uint64_t message_id_of(simdjson::dom::element root, bool allow_string = true) {
  auto value = root["message"]["message_server_id"];
  std::uint64_t id = 0;
  if (value.get_uint64().get(id) == simdjson::SUCCESS) return id;
  std::string_view text;
  if (!allow_string || value.get_string().get(text) != simdjson::SUCCESS || text.empty() ||
      text.size() > 19) {
    return 0;
  }
  for (const char c : text) {
    if (c < '0' || c > '9') return 0;
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static simdjson::dom::parser dom;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto read = yxgate::fidelity::read_modify_body(body);

  simdjson::dom::element root;
  const bool valid = dom.parse(body.data(), body.size()).get(root) == simdjson::SUCCESS;
  if (read) {
    if (!valid || read->message_server_id == 0) __builtin_trap();
    const auto id = read->message_server_id;
    const auto again = yxgate::fidelity::read_modify_body(read->canonical);
    if (!again || again->message_server_id != id || again->canonical != read->canonical) {
      __builtin_trap();
    }
    simdjson::dom::element canonical;
    if (dom.parse(read->canonical).get(canonical) != simdjson::SUCCESS) __builtin_trap();
    if (message_id_of(canonical) != id) __builtin_trap();
    return 0;
  }
  if (!valid || body.find('\\') != std::string_view::npos || has_duplicate_keys(root)) return 0;
  // A plain, unambiguous body naming a valid id (a Java Long) was refused.
  const auto id = message_id_of(root, /*allow_string=*/false);
  if (id != 0 && id <= static_cast<std::uint64_t>(INT64_MAX)) __builtin_trap();
  return 0;
}
