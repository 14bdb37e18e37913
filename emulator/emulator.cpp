#include "emulator.hpp"

#include <cctype>
#include <chrono>

#include "json_text.hpp"
#include "routes.hpp"

namespace yxgate::emulator {
namespace {

Reply control_error(std::string_view what) {
  return Reply{400, error_body(414, "parameter error: " + std::string(what))};
}

std::int64_t unix_seconds_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  const auto equal = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) !=
          std::tolower(static_cast<unsigned char>(b[i]))) {
        return false;
      }
    }
    return true;
  };
  for (const auto& [key, value] : headers) {
    if (equal(key, name)) return value;
  }
  return {};
}

Reply Emulator::handle(const Request& request) {
  const auto target = Target::parse(request.target);
  if (!target.segments.empty() && target.segments[0] == "_emulator") {
    return handle_control(request, target);
  }
  stats_.record_request(request);
  const auto route = classify(request.method, target);
  if (!route) return Reply{404, error_body(404, "not found")};
  if (auto reason = check_signature(request, apps_, unix_seconds_now())) {
    stats_.record_auth_error();
    return Reply{200, error_body(414, *reason)};
  }
  const RouteContext ctx{request, target, store_};
  stats_.record_call(*route, asked_ids(*route, ctx));

  // A per-request fault header wins over (and does not consume) installed ones.
  std::optional<Fault> fault;
  if (const auto header = request.header("X-Emulator-Fault"); !header.empty()) {
    auto parsed = parse_fault_header(header);
    if (!parsed) return control_error("X-Emulator-Fault: " + parsed.error().message);
    fault = parsed.value();
  } else {
    fault = faults_.take(*route);
  }
  // A failing fault answers before the route runs, so a failed mutation changes nothing.
  if (fault) {
    if (auto reply = fault_reply(*fault)) return *reply;
  }
  // The answer is computed now, the delay applied after: a delayed read
  // returns the state at arrival, like a read racing a write upstream.
  Reply reply = handle_route(*route, ctx);
  if (fault) reply.delay = fault->latency;
  return reply;
}

Reply Emulator::handle_control(const Request& request, const Target& target) {
  const std::string_view what = target.segments.size() == 2 ? target.segments[1] : "";
  const std::string_view method = request.method;
  if (method == "GET" && what == "stats") return Reply{200, stats_.stats_json()};
  if (method == "GET" && what == "requests") return Reply{200, stats_.requests_json()};
  if (method == "POST" && what == "reset") {
    stats_.reset();
    faults_.clear();
    store_.reset();
    return Reply{200, success_body("{}")};
  }
  if (method == "POST" && what == "faults") {
    auto rule = parse_fault_rule(request.body);
    if (!rule) return control_error(rule.error().message);
    faults_.add(std::move(rule.value()));
    return Reply{200, success_body("{}")};
  }
  if (method == "DELETE" && what == "faults") {
    faults_.clear();
    return Reply{200, success_body("{}")};
  }
  if (method == "POST" && what == "messages") {
    auto message = message_from_json(request.body);
    if (!message) return control_error(message.error().message);
    auto json = message->to_json();
    store_.put(std::move(message.value()));
    return Reply{200, success_body(json)};
  }
  return Reply{404, error_body(404, "not found")};
}

}  // namespace yxgate::emulator
