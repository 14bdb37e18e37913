#include "log/event_line.hpp"

#include "common/json_escape.hpp"

namespace yxgate::log {

EventLine::EventLine(std::string_view event) {
  text_ = "\"event\":";
  append_json_string(text_, event);
}

EventLine& EventLine::str(std::string_view name, std::string_view value) {
  text_ += ',';
  append_json_string(text_, name);
  text_ += ':';
  append_json_string(text_, value);
  return *this;
}

EventLine& EventLine::num(std::string_view name, std::int64_t value) {
  text_ += ',';
  append_json_string(text_, name);
  text_ += ':';
  text_ += std::to_string(value);
  return *this;
}

std::string upstream_auth_error_line(std::string_view trace_id, std::string_view app,
                                     std::string_view route) {
  return EventLine("upstream_auth_error")
      .str("trace_id", trace_id)
      .str("app", app)
      .str("route", route)
      .str("hint",
           "upstream rejected our signature or parameters (code 414): check the app secret and "
           "the clock")
      .text();
}

std::string upstream_error_line(std::string_view trace_id, std::string_view reason,
                                std::string_view detail) {
  return EventLine("upstream_error")
      .str("trace_id", trace_id)
      .str("reason", reason)
      .str("detail", detail)
      .text();
}

}  // namespace yxgate::log
