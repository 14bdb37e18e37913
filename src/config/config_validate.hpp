#pragma once
// Value and cross-field rules of SPEC §4, §6, §7, checked on the parsed
// structs in one place; errors name the YAML key path.
#include <string>
#include <variant>
#include <vector>

#include "common/result.hpp"
#include "config/config.hpp"

namespace yxgate::config {

Result<std::monostate> validate_config(const Config& cfg);

// Valid but probably not meant (a setting that can never take effect, a
// bound that cuts requests short): one line each, naming the key paths.
// Printed by --check-config as notes and logged at startup.
std::vector<std::string> config_warnings(const Config& cfg);

}  // namespace yxgate::config
