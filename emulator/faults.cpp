#include "faults.hpp"

#include <simdjson.h>

#include <charconv>

#include "json_text.hpp"

namespace yxgate::emulator {
namespace {

constexpr std::string_view kKindNames[] = {"latency",   "code500", "http503",     "close",
                                           "malformed", "hang",    "ratelimit416"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kKindNames); ++i) {
    if (name == kKindNames[i]) return static_cast<FaultKind>(i);
  }
  return std::nullopt;
}

Result<Fault> parse_fault_header(std::string_view text) {
  const auto semi = text.find(';');
  const auto kind = parse_fault_kind(trim(text.substr(0, semi)));
  if (!kind) return make_error("unknown fault kind");
  Fault fault{*kind, *kind == FaultKind::kLatency ? kDefaultLatency : std::chrono::milliseconds{0}};
  if (semi != std::string_view::npos) {
    auto param = trim(text.substr(semi + 1));
    constexpr std::string_view kKey = "latency_ms=";
    if (!param.starts_with(kKey)) return make_error("unknown fault parameter");
    param.remove_prefix(kKey.size());
    long long ms = 0;
    const auto [ptr, ec] = std::from_chars(param.data(), param.data() + param.size(), ms);
    if (ec != std::errc() || ptr != param.data() + param.size() || ms < 0) {
      return make_error("latency_ms must be a non-negative integer");
    }
    fault.latency = std::chrono::milliseconds{ms};
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
  if (object["kind"].get_string().get(kind_name)) return make_error("kind missing");
  const auto kind = parse_fault_kind(kind_name);
  if (!kind) return make_error("unknown fault kind");
  rule.fault.kind = *kind;
  if (*kind == FaultKind::kLatency) rule.fault.latency = kDefaultLatency;
  std::string_view route_name = "any";
  if (object["route"].get_string().get(route_name) == simdjson::INCORRECT_TYPE) {
    return make_error("route must be a string");
  }
  if (route_name != "any") {
    rule.route = route_from_name(route_name);
    if (!rule.route) return make_error("unknown route");
  }
  std::int64_t value = 0;
  if (auto e = object["latency_ms"].get_int64().get(value); e != simdjson::NO_SUCH_FIELD) {
    if (e || value < 0) return make_error("latency_ms must be a non-negative integer");
    rule.fault.latency = std::chrono::milliseconds{value};
  }
  if (auto e = object["count"].get_int64().get(value); e != simdjson::NO_SUCH_FIELD) {
    if (e || value < 0) return make_error("count must be a non-negative integer");
    rule.remaining = static_cast<std::uint64_t>(value);
  }
  return rule;
}

std::optional<Reply> fault_reply(const Fault& fault) {
  Reply reply;
  reply.delay = fault.latency;
  switch (fault.kind) {
    case FaultKind::kLatency:
      return std::nullopt;
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
  }
  return reply;
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
