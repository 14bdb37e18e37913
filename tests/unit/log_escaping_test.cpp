// SPEC §10 / issue 14 defect 9: every JSON log line stays one valid JSON
// object whatever a client puts in the values it controls.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "common/json_escape.hpp"
#include "log/access_log.hpp"
#include "log/event_line.hpp"

namespace yxgate::log {
namespace {

struct Nasty {
  std::string raw;
  std::string expected;  // what a JSON reader must get back
};

std::vector<Nasty> nasty_values() {
  return {
      {R"(x","event":"forged)", R"(x","event":"forged)"},
      {"trailing\\", "trailing\\"},
      {"\"", "\""},
      {std::string("nul\0byte", 8), std::string("nul\0byte", 8)},
      {"ctl\x01\x1f\x7f\b\f\n\r\t", "ctl\x01\x1f\x7f\b\f\n\r\t"},
      {"utf8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
       "utf8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"bad \xff end", "bad \xef\xbf\xbd end"},
      {"cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd"},
      {"overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd"},
      {"surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"too big \xf4\x90\x80\x80", "too big \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"}{\"a\":1}", "}{\"a\":1}"},
  };
}

// Parses {<body>} as spdlog's JSON pattern writes it; checks `key` round-trips
// and that no extra "event" field appeared.
void expect_line_holds(const std::string& body, std::string_view key, const Nasty& value,
                       std::string_view event) {
  const std::string line = "{\"ts\":\"t\",\"level\":\"info\"," + body + "}";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
  std::string_view got;
  ASSERT_EQ(doc[key].get_string().get(got), simdjson::SUCCESS) << line;
  EXPECT_EQ(std::string(got), value.expected) << line;
  std::string_view got_event;
  ASSERT_EQ(doc["event"].get_string().get(got_event), simdjson::SUCCESS);
  EXPECT_EQ(got_event, event) << line;
  std::size_t events = 0;
  for (auto field : doc.get_object()) events += field.key == "event";
  EXPECT_EQ(events, 1u) << line;
}

TEST(LogEscaping, EscapedTextIsValidJsonForEveryNastyValue) {
  for (const auto& v : nasty_values()) {
    std::string doc = "[";
    append_json_string(doc, v.raw);
    doc += ']';
    simdjson::dom::parser parser;
    simdjson::dom::element parsed;
    ASSERT_EQ(parser.parse(doc).get(parsed), simdjson::SUCCESS) << doc;
    EXPECT_EQ(std::string(parsed.at(0).get_string().value()), v.expected);
  }
}

TEST(LogEscaping, UpstreamAuthErrorLineKeepsClientValuesInside) {
  for (const auto& v : nasty_values()) {
    expect_line_holds(upstream_auth_error_line(v.raw, "app", "get_message"), "trace_id", v,
                      "upstream_auth_error");
    expect_line_holds(upstream_auth_error_line("t", v.raw, "get_message"), "app", v,
                      "upstream_auth_error");
  }
}

TEST(LogEscaping, UpstreamErrorLineKeepsClientValuesInside) {
  for (const auto& v : nasty_values()) {
    expect_line_holds(upstream_error_line(v.raw, "timeout", "d"), "trace_id", v, "upstream_error");
    expect_line_holds(upstream_error_line("t", "timeout", v.raw), "detail", v, "upstream_error");
  }
}

TEST(LogEscaping, AccessLogLineKeepsClientValuesInside) {
  for (const auto& v : nasty_values()) {
    log::AccessRecord ctx;
    ctx.trace_id = v.raw;
    ctx.path = v.raw;
    ctx.method = v.raw;
    ctx.app = v.raw;
    ctx.client_name = v.raw;
    ctx.error = v.raw;
    const auto body = format_access_log(ctx, 1.5);
    for (auto key : {"trace_id", "path", "method", "app", "client_name", "error"}) {
      expect_line_holds(body, key, v, "access");
    }
  }
}

TEST(LogEscaping, EventLineEscapesNamesAndValues) {
  for (const auto& v : nasty_values()) {
    expect_line_holds(EventLine("reload_rejected").str("error", v.raw).num("n", -3).text(), "error",
                      v, "reload_rejected");
  }
}

}  // namespace
}  // namespace yxgate::log
