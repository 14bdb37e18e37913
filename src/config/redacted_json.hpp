#pragma once
// The effective config as JSON for the admin GET /config (SPEC §1): every value,
// with durations as "50ms"/"15s" and sizes in bytes, but no secret — never the
// resolved app key or secret, no password inside a URL, no client token hash.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace yxgate::config {

inline constexpr const char* kRedacted = "<redacted>";

std::string to_redacted_json(const Config& cfg);

// The top-level sections ("server", "upstream", "apps", ...) whose rendering
// above differs between `a` and `b`, in file order (SIGHUP names those it
// could not apply).
std::vector<std::string> changed_sections(const Config& a, const Config& b);

}  // namespace yxgate::config
