// libFuzzer target: the upstream reply's top-level `code` (issue 13).
// Oracle: simdjson's DOM parser, which validates the whole document.
//  - read() never changes the body's bytes;
//  - a code it reports is, in a valid document, the value of a top-level
//    "code" key (an int64); in an invalid one its digits are in the body;
//  - a valid object with exactly one top-level "code" holding an int64
//    must have that code found, if its keys are spelled without escapes
//    (the reader matches keys as spelled: the vendor's Jackson never escapes
//    ASCII in keys, so {"c\u006fde":1} is not a reply it sends).
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "yunxin/body_code.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static yxgate::yunxin::BodyCodeReader reader;  // reused, as per worker
  static simdjson::dom::parser dom;
  const std::string original(reinterpret_cast<const char*>(data), size);
  std::string body = original;
  const auto code = reader.read(body);
  if (body != original) __builtin_trap();

  simdjson::dom::element root;
  if (dom.parse(original).get(root) != simdjson::SUCCESS) {
    if (code && original.find(std::to_string(*code)) == std::string::npos) __builtin_trap();
    return 0;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    if (code) __builtin_trap();  // a code from something that is not an object
    return 0;
  }
  std::vector<std::optional<std::int64_t>> codes;  // every top-level "code"; nullopt: no int64
  for (auto field : object) {
    if (field.key != "code") continue;
    std::int64_t value = 0;
    codes.push_back(field.value.get_int64().get(value) == simdjson::SUCCESS
                        ? std::optional<std::int64_t>(value)
                        : std::nullopt);
  }
  if (code && std::find(codes.begin(), codes.end(), code) == codes.end()) __builtin_trap();
  const bool escaped = original.find('\\') != std::string::npos;
  if (codes.size() == 1 && codes.front() && code != codes.front() && !escaped) __builtin_trap();
  return 0;
}
