#pragma once
// How the vendor's Java stack reads request text (emulator/README.md,
// "Reading requests"): percent-decoding as a servlet container does, and
// Java Long parsing of ids and times. Written from the vendor pages and
// SPEC §3.1.1 / §11.1, not from the gateway's router.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"

namespace yxgate::emulator {

// RFC 3986 %XX decoding. `plus_is_space`: the form decoding of query
// strings ('+' is a space); path segments keep '+'. nullopt on a '%' not
// followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Java Long.parseLong on ASCII: optional sign, decimal digits (leading zeros
// allowed), no spaces, within [-2^63, 2^63-1].
std::optional<std::int64_t> java_parse_long(std::string_view text);

// A path or query id that must be a positive Long (message_server_id).
Result<std::uint64_t> positive_long(std::string_view text, std::string_view name);
// message_time, create_time: a Long >= 0.
Result<std::uint64_t> non_negative_long(std::string_view text, std::string_view name);

}  // namespace yxgate::emulator
