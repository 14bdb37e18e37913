#include "json_text.hpp"

#include <cstdio>

#include "common/json_escape.hpp"

namespace yxgate::emulator {

void append_json_string(std::string& out, std::string_view text) {
  yxgate::append_json_string(out, text);
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
