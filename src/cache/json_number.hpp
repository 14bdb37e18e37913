#pragma once
// Reading the vendor's ids with simdjson on-demand: Java Longs, sent as JSON
// numbers, though a few vendor pages show them as quoted decimals
// (thread_root.message_server_id), so both are accepted.
#include <simdjson.h>

#include <cstdint>

namespace yxgate::cache {

inline bool read_u64(simdjson::ondemand::value value, std::uint64_t& out) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type)) return false;
  if (type == simdjson::ondemand::json_type::string) {
    return !value.get_uint64_in_string().get(out);
  }
  return !value.get_uint64().get(out);
}

}  // namespace yxgate::cache
