#include "json_text.hpp"

#include <cstdio>

namespace yxgate::emulator {

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
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
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
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
