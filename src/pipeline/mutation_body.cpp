#include "pipeline/mutation_body.hpp"

#include <simdjson.h>

#include "router/conversation_id.hpp"

namespace yxgate::pipeline {

std::optional<std::uint64_t> modified_message_id(std::string_view body) {
  simdjson::padded_string padded(body);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return std::nullopt;
  std::uint64_t id = 0;
  if (doc.at_pointer("/message/message_server_id").get_uint64().get(id) == simdjson::SUCCESS) {
    return id;
  }
  // Some vendor pages show ids as strings.
  if (parser.iterate(padded).get(doc)) return std::nullopt;
  std::string_view text;
  if (doc.at_pointer("/message/message_server_id").get_string().get(text)) return std::nullopt;
  if (auto parsed = router::parse_message_server_id(text)) return *parsed;
  return std::nullopt;
}

}  // namespace yxgate::pipeline
