#pragma once
// Request paths the gateway refuses before routing (issue 7): anything that
// could make a route check and upstream disagree about the path. The vendor's
// paths never need these, so refusing is safe and keeps allowlists honest.
#include <string_view>

#include "common/result.hpp"

namespace yxgate::router {

// Fails on: not starting with '/', empty segments ("//", a trailing '/'), "." or ".."
// segments, ';' (a servlet path parameter), encoded '/', '\\', '.', ';', '%'
// or NUL (%2F %5C %2E %3B %25 %00), backslashes, control characters, and
// anything not a URL character.
Result<bool> check_path(std::string_view path);

}  // namespace yxgate::router
