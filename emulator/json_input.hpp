#pragma once
// Reading request bodies the way the vendor's Java JSON library does
// (emulator/README.md, "Reading requests"): simdjson's DOM gives keys
// already unescaped ("message\u005fserver_id" is "message_server_id"), but
// its obj["k"] returns the FIRST duplicate, where a Java library keeps the
// LAST one. Every lookup goes through last_field.
#include <simdjson.h>

#include <string_view>

namespace yxgate::emulator {

// One parser per io thread: simdjson parsers reuse their buffers, and
// elements stay valid only until the next parse on the same parser, so a
// handler must finish with one body before parsing another.
inline simdjson::dom::parser& thread_json_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

inline simdjson::error_code parse_object(std::string_view json, simdjson::dom::object& out) {
  return thread_json_parser().parse(json.data(), json.size()).get_object().get(out);
}

// The last field named `key` (compared after unescaping), or NO_SUCH_FIELD.
inline simdjson::simdjson_result<simdjson::dom::element> last_field(
    const simdjson::dom::object& object, std::string_view key) {
  simdjson::simdjson_result<simdjson::dom::element> found(simdjson::NO_SUCH_FIELD);
  for (const auto field : object) {
    if (field.key == key) {
      simdjson::dom::element value = field.value;
      found = simdjson::simdjson_result<simdjson::dom::element>(std::move(value));
    }
  }
  return found;
}

}  // namespace yxgate::emulator
