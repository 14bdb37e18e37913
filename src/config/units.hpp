#pragma once
// Duration and size literals of the YAML config (SPEC §7): "50ms", "15s", "64MiB".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace yxgate::config {

// "250ms", "15s", "1.5m", "1h", or a bare "0". Fractions are allowed as long as
// the result is a whole number of milliseconds. nullopt if malformed.
std::optional<Duration> parse_duration(std::string_view text);

// Plain bytes ("1048576") or "KiB", "MiB", "GiB" (integer or fraction giving
// whole bytes). nullopt if malformed or out of range.
std::optional<std::uint64_t> parse_size(std::string_view text);

// Largest exact unit: 50ms, 15s, 2m, 1h, 1500ms, "0s" for zero.
std::string format_duration(Duration d);

}  // namespace yxgate::config
