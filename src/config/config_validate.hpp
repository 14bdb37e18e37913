#pragma once
// Value and cross-field rules of SPEC §4, §6, §7, checked on the parsed
// structs in one place; errors name the YAML key path.
#include <variant>

#include "common/result.hpp"
#include "config/config.hpp"

namespace yxgate::config {

Result<std::monostate> validate_config(const Config& cfg);

}  // namespace yxgate::config
