#include "emulator.hpp"

#include <cctype>
#include <chrono>

#include "json_text.hpp"
#include "routes.hpp"

namespace yxgate::emulator {
namespace {

std::int64_t unix_seconds_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// The per-request fault header, if any (a bad one was refused on arrival).
std::optional<Fault> header_fault(const Request& request) {
  const auto header = request.header("X-Emulator-Fault");
  if (header.empty()) return std::nullopt;
  auto parsed = parse_fault_header(header);
  if (!parsed) return std::nullopt;
  return parsed.value();
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
  Reply reply;
  stats_.record_request(request);
  const auto route = classify(request.method, target);
  if (target.bad_path) {
    // Tomcat refuses a bad %-escape or an encoded '/' in the path with a 400.
    reply = Reply{400, error_body(400, "bad request")};
  } else if (!route) {
    reply = Reply{404, error_body(404, "not found")};
  } else if (auto reason = check_signature(request, apps_, unix_seconds_now())) {
    stats_.record_auth_error();
    reply = Reply{200, error_body(414, *reason)};
  } else {
    const RouteContext ctx{request, target, store_};
    stats_.record_call(*route, asked_ids(*route, ctx));
    if (const auto header = request.header("X-Emulator-Fault"); !header.empty()) {
      if (auto parsed = parse_fault_header(header); !parsed) {
        return Reply{
            400, error_body(414, "parameter error: X-Emulator-Fault: " + parsed.error().message)};
      }
    }
    auto held = holds_.take(*route, request);
    if (held && held->phase() == HoldPhase::kBefore) {
      reply.action = Action::kHoldThenRun;  // the route reads the state once released
    } else {
      reply = respond(request, target, *route);
    }
    reply.hold = std::move(held);
  }
  reply.compressible = true;
  if (switches_.chunked) reply.chunked = true;
  return reply;
}

Reply Emulator::run_released(const Request& request) {
  const auto target = Target::parse(request.target);
  Reply reply = respond(request, target, classify(request.method, target).value_or(Route::kOther));
  reply.compressible = true;
  if (switches_.chunked) reply.chunked = true;
  return reply;
}

Reply Emulator::respond(const Request& request, const Target& target, Route route) {
  // A per-request fault header wins over (and does not consume) installed ones.
  auto fault = header_fault(request);
  if (!fault) fault = faults_.take(route);
  // A failing fault answers before the route runs, so a failed mutation changes nothing.
  if (fault) {
    if (auto reply = fault_reply(*fault, route)) return *reply;
  }
  // The answer is computed now, the delay applied after: a delayed read
  // returns the state at arrival, like a read racing a write upstream.
  const RouteContext ctx{request, target, store_, fault ? &*fault : nullptr};
  Reply reply = handle_route(route, ctx);
  if (fault) apply_fault(*fault, reply);
  return reply;
}

}  // namespace yxgate::emulator
