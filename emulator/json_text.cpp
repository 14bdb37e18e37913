#include "json_text.hpp"

namespace yxgate::emulator {

void append_json_string(std::string& out, std::string_view text) {
  // RFC 8259 §7: '"', '\\' and the controls U+0000..U+001F must be
  // escaped; everything else (UTF-8 bytes included) is written as is.
  constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string error_body(long long code, std::string_view msg) {
  std::string out = "{\"code\":" + std::to_string(code) + ",\"msg\":";
  append_json_string(out, msg);
  out += ",\"data\":{}}";
  return out;
}

std::string success_body(std::string_view data_json) {
  std::string out = R"({"code":200,"msg":"success","data":)";
  out += data_json;
  out += '}';
  return out;
}

}  // namespace yxgate::emulator
