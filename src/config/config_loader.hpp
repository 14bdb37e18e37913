#pragma once
// YAML → Config (SPEC §7). Every error is one line naming the key path and
// what is wrong, e.g. "apps[0].rate_limits.get_message.rate: must be > 0 (got 0)".
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "config/config.hpp"

namespace yxgate::config {

// Parses and validates (validate_config). Empty text = all defaults.
Result<Config> parse_config(std::string_view yaml_text);

// parse_config on a file's contents; an unreadable file is an error naming the path.
Result<Config> load_config_file(const std::string& path);

}  // namespace yxgate::config
