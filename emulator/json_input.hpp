#pragma once
// Parsing request bodies with simdjson's DOM API.
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

}  // namespace yxgate::emulator
