#pragma once
// The name the shared cache knows an app by (SPEC §11.1): a digest of its
// upstream AppKey, never the local app name, so gateways of different apps
// sharing one Redis (both calling their app "default") never serve each
// other's messages, and gateways of one app share entries whatever they
// call it. A digest, not the key itself, so Redis never holds the AppKey.
#include <string>
#include <string_view>

namespace yxgate::cache {

// "k" + the first 32 hex digits (128 bits) of SHA-256(app_key).
std::string app_cache_identity(std::string_view app_key);

}  // namespace yxgate::cache
