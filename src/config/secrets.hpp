#pragma once
// Reads each app's key and secret from where the config points (SPEC §2):
// the environment or a file, never the YAML.
#include <variant>

#include "common/result.hpp"
#include "config/config.hpp"

namespace yxgate::config {

// Fills AppConfig::resolved_app_key / resolved_app_secret for every app.
// A missing or empty env var, or an unreadable or empty file, is an error
// naming the key path and the variable or path, never a value. One trailing
// newline of a secret file is stripped. On error `cfg` is left unchanged.
Result<std::monostate> resolve_secrets(Config& cfg);

}  // namespace yxgate::config
