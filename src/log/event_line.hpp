#pragma once
// The body of one JSON log line, "\"event\":\"...\",\"key\":...": the JSON
// pattern in logging.cpp wraps it in {"ts":..,"level":..,<body>}. Every
// string value goes through append_json_escaped, so a client-supplied value
// (a trace id, a path, an upstream error text) can never add a field or
// break the line (SPEC §10, issue 14). Use this, not a format string with
// "\"{}\"", for anything that is not a constant.
#include <cstdint>
#include <string>
#include <string_view>

namespace yxgate::log {

class EventLine {
 public:
  explicit EventLine(std::string_view event);
  EventLine& str(std::string_view name, std::string_view value);
  EventLine& num(std::string_view name, std::int64_t value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// SPEC §2: a 414 on a request we signed means a wrong secret or clock skew.
std::string upstream_auth_error_line(std::string_view trace_id, std::string_view app,
                                     std::string_view route);
// An upstream call that failed (connect, timeout, malformed reply).
std::string upstream_error_line(std::string_view trace_id, std::string_view reason,
                                std::string_view detail);

}  // namespace yxgate::log
