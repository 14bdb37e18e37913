#include "faults.hpp"

#include <simdjson.h>

#include "json_input.hpp"
#include "json_text.hpp"
#include "vendor_text.hpp"

namespace yxgate::emulator {
namespace {

constexpr std::string_view kKindNames[] = {
    "latency",      "code500", "http503",          "close",          "malformed",     "hang",
    "ratelimit416", "chunked", "connection_close", "wrong_shape",    "not_json",      "status",
    "failed_code",  "interim", "switching",        "bloated_chunks", "foreign_fields"};

constexpr std::string_view kNotJsonPage =
    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Fault default_fault(FaultKind kind) {
  Fault fault;
  fault.kind = kind;
  if (kind == FaultKind::kLatency) fault.latency = kDefaultLatency;
  return fault;
}

// 204 and 304 carry no body, 1xx are not final: a test asks for 200..599.
bool valid_status(long long status) { return status >= 200 && status <= 599; }

// One "name=value" parameter, from the header or from a rule.
std::optional<std::string> set_parameter(Fault& fault, std::string_view name,
                                         std::string_view value) {
  if (name == "error_msg") {
    fault.error_msg = std::string(value);
    return std::nullopt;
  }
  const auto number = java_parse_long(value);
  if (name == "latency_ms") {
    if (!number || *number < 0) return "latency_ms must be a non-negative integer";
    fault.latency = std::chrono::milliseconds{*number};
  } else if (name == "status") {
    if (!number || !valid_status(*number)) return "status must be 200 to 599";
    fault.status = static_cast<int>(*number);
  } else if (name == "error_code") {
    if (!number) return "error_code must be an integer";
    fault.error_code = *number;
  } else {
    return "unknown fault parameter " + std::string(name);
  }
  return std::nullopt;
}

}  // namespace

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kKindNames); ++i) {
    if (name == kKindNames[i]) return static_cast<FaultKind>(i);
  }
  return std::nullopt;
}

Result<Fault> parse_fault_header(std::string_view text) {
  auto semi = text.find(';');
  const auto kind = parse_fault_kind(trim(text.substr(0, semi)));
  if (!kind) return make_error("unknown fault kind");
  Fault fault = default_fault(*kind);
  while (semi != std::string_view::npos) {
    text.remove_prefix(semi + 1);
    semi = text.find(';');
    const auto param = trim(text.substr(0, semi));
    const auto eq = param.find('=');
    if (eq == std::string_view::npos) return make_error("fault parameters are name=value");
    if (auto bad = set_parameter(fault, param.substr(0, eq), param.substr(eq + 1))) {
      return make_error(*bad);
    }
  }
  return fault;
}

Result<FaultRule> parse_fault_rule(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get_object().get(object)) {
    return make_error("body must be a JSON object");
  }
  FaultRule rule;
  std::string_view kind_name;
  if (last_field(object, "kind").get_string().get(kind_name)) return make_error("kind missing");
  const auto kind = parse_fault_kind(kind_name);
  if (!kind) return make_error("unknown fault kind");
  rule.fault = default_fault(*kind);
  std::string_view route_name = "any";
  if (last_field(object, "route").get_string().get(route_name) == simdjson::INCORRECT_TYPE) {
    return make_error("route must be a string");
  }
  if (route_name != "any") {
    rule.route = route_from_name(route_name);
    if (!rule.route) return make_error("unknown route");
  }
  for (const auto name : {"latency_ms", "status", "error_code"}) {
    std::int64_t value = 0;
    if (auto e = last_field(object, name).get_int64().get(value); e != simdjson::NO_SUCH_FIELD) {
      if (e) return make_error(std::string(name) + " must be an integer");
      if (auto bad = set_parameter(rule.fault, name, std::to_string(value))) {
        return make_error(*bad);
      }
    }
  }
  std::string_view text;
  if (auto e = last_field(object, "error_msg").get_string().get(text);
      e != simdjson::NO_SUCH_FIELD) {
    if (e) return make_error("error_msg must be a string");
    rule.fault.error_msg = std::string(text);
  }
  if (auto e = last_field(object, "body").get_string().get(text); e != simdjson::NO_SUCH_FIELD) {
    if (e) return make_error("body must be a string");
    rule.fault.body = std::string(text);
  }
  std::int64_t count = 0;
  if (auto e = last_field(object, "count").get_int64().get(count); e != simdjson::NO_SUCH_FIELD) {
    if (e || count < 0) return make_error("count must be a non-negative integer");
    rule.remaining = static_cast<std::uint64_t>(count);
  }
  return rule;
}

std::optional<Reply> fault_reply(const Fault& fault, Route route) {
  Reply reply;
  reply.delay = fault.latency;
  reply.compressible = true;
  switch (fault.kind) {
    case FaultKind::kLatency:
    case FaultKind::kChunked:
    case FaultKind::kBloatedChunks:
    case FaultKind::kForeignFields:
    case FaultKind::kConnectionClose:
    case FaultKind::kInterim:
    case FaultKind::kSwitching:
      return std::nullopt;
    case FaultKind::kFailedCode:
      // batch_messages puts every item in failed_list with this code (routes.hpp);
      // elsewhere it is the whole answer.
      if (route == Route::kBatchMessages) return std::nullopt;
      reply.body = error_body(fault.error_code, fault.error_msg);
      break;
    case FaultKind::kCode500:
      reply.body = error_body(500, "internal server error");
      break;
    case FaultKind::kHttp503:
      reply.status = 503;
      reply.body = error_body(503, "service unavailable");
      break;
    case FaultKind::kClose:
      reply.action = Action::kClose;
      break;
    case FaultKind::kMalformed:
      // Cut mid-object: valid HTTP, unparseable JSON.
      reply.body = R"({"code":200,"msg":"success","data":{"message_server_id":)";
      break;
    case FaultKind::kHang:
      reply.action = Action::kHang;
      break;
    case FaultKind::kRateLimit416:
      reply.body = error_body(416, "api freq control");
      break;
    case FaultKind::kWrongShape:
      // Parses, says success, but data is not the object the route promises.
      reply.body = fault.body.value_or(R"({"code":200,"msg":"success","data":[]})");
      break;
    case FaultKind::kNotJson:
      // What a proxy in front of the vendor sends when it fails: HTML, HTTP 200.
      reply.content_type = "text/html;charset=utf-8";
      reply.body = fault.body.value_or(std::string(kNotJsonPage));
      break;
    case FaultKind::kStatus:
      reply.status = fault.status;
      reply.body = fault.body.value_or(
          error_body(fault.status, "http status " + std::to_string(fault.status)));
      if (fault.status == 204 || fault.status == 304) reply.body.clear();
      break;
  }
  return reply;
}

void apply_fault(const Fault& fault, Reply& reply) {
  reply.delay = fault.latency;
  if (fault.kind == FaultKind::kChunked) reply.chunked = true;
  if (fault.kind == FaultKind::kBloatedChunks) reply.chunked = reply.bloated = true;
  if (fault.kind == FaultKind::kForeignFields) reply.foreign_fields = true;
  if (fault.kind == FaultKind::kConnectionClose) reply.close = true;
  // What a CDN or server in front of the vendor may send before an answer:
  // hints, a 100 Continue nobody asked for; or, broken, a 101.
  if (fault.kind == FaultKind::kInterim) {
    reply.prelude =
        "HTTP/1.1 103 Early Hints\r\nLink: </im/v2/>; rel=preconnect\r\n\r\n"
        "HTTP/1.1 100 Continue\r\n\r\n";
  }
  if (fault.kind == FaultKind::kSwitching) {
    reply.prelude =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
  }
}

void FaultTable::add(FaultRule rule) {
  std::lock_guard lock(mutex_);
  rules_.push_back(std::move(rule));
}

std::optional<Fault> FaultTable::take(Route route) {
  std::lock_guard lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->route && *it->route != route) continue;
    const Fault fault = it->fault;
    // A counted rule is used up after `count` requests; 0 means until reset.
    if (it->remaining > 0 && --it->remaining == 0) rules_.erase(it);
    return fault;
  }
  return std::nullopt;
}

void FaultTable::clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

}  // namespace yxgate::emulator
