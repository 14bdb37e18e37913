#pragma once
// Content-Encoding: gzip for answers (the switch --gzip / POST /_emulator/options).
#include <string>
#include <string_view>

namespace yxgate::emulator {

// Whether an Accept-Encoding value allows gzip (RFC 9110 §12.5.3): "gzip"
// or "x-gzip" with q > 0, or "*" with q > 0 when gzip is not named. An
// absent or empty header allows nothing but identity here.
bool accepts_gzip(std::string_view accept_encoding);

// A gzip member (RFC 1952) holding `data`, made with zlib.
std::string gzip_compress(std::string_view data);

}  // namespace yxgate::emulator
