#pragma once
// Process logger setup (SPEC §10): spdlog to stderr, JSON lines or text.
#include <string>
#include <string_view>

#include "common/json_escape.hpp"

namespace yxgate::log {

// Configures the default spdlog logger; `format` is "json" or "text".
void configure(std::string_view format, std::string_view level);

// Changes the level at runtime (SIGHUP).
void set_level(std::string_view level);

using yxgate::append_json_escaped;

}  // namespace yxgate::log
