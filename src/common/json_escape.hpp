#pragma once
// JSON string escaping shared by everything that writes JSON by hand (access
// log, /config, error bodies, the emulator): one implementation.
#include <string>
#include <string_view>

namespace yxgate {

// Appends `text` escaped for the inside of a JSON string literal (no quotes):
// quotes, backslashes and control bytes escaped, and every byte that is not
// part of well-formed UTF-8 replaced by \ufffd, so a client-supplied value
// can never end the string or make the line invalid JSON (SPEC §10).
void append_json_escaped(std::string& out, std::string_view text);

// Appends `text` as a quoted JSON string literal.
inline void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  append_json_escaped(out, text);
  out += '"';
}

}  // namespace yxgate
