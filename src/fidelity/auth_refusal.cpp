#include "fidelity/auth_refusal.hpp"

#include <simdjson.h>

#include <cctype>

#include "yunxin/codes.hpp"

namespace yxgate::fidelity {

bool is_auth_refusal_message(std::string_view msg) {
  while (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
  while (!msg.empty() && msg.back() == ' ') msg.remove_suffix(1);
  for (auto known : kAuthRefusalMessages) {
    if (known.size() != msg.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < msg.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(msg[i])) == known[i];
    }
    if (same) return true;
  }
  return false;
}

bool is_auth_refusal_body(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(body.data(), body.size()).get_object().get(root)) return false;
  std::int64_t code = 0;
  std::string_view msg;
  if (root["code"].get_int64().get(code) || code != yunxin::kParameterError) return false;
  if (root["msg"].get_string().get(msg)) return false;
  return is_auth_refusal_message(msg);
}

}  // namespace yxgate::fidelity
