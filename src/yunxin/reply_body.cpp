#include "yunxin/reply_body.hpp"

#include "common/json_escape.hpp"

namespace yxgate::yunxin {

std::string error_body(int code, std::string_view msg) {
  std::string body = "{\"code\":" + std::to_string(code) + ",\"msg\":\"";
  append_json_escaped(body, msg);
  body += "\",\"data\":{}}";
  return body;
}

std::string success_body(std::string_view data_json) {
  std::string body;
  body.reserve(kSuccessPrefix.size() + data_json.size() + 1);
  body.append(kSuccessPrefix).append(data_json).push_back('}');
  return body;
}

}  // namespace yxgate::yunxin
