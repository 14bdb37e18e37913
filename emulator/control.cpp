// The control endpoints under /_emulator/ (README.md, "Control endpoints").
// No signature; bad input is HTTP 400 with a 414 body.
#include <simdjson.h>

#include "emulator.hpp"
#include "json_input.hpp"
#include "json_text.hpp"
#include "routes.hpp"
#include "vendor_text.hpp"

namespace yxgate::emulator {
namespace {

Reply control_error(std::string_view what) {
  return Reply{400, error_body(414, "parameter error: " + std::string(what))};
}

Reply done() { return Reply{200, success_body("{}")}; }

std::string switches_json(const Switches& s) {
  return std::string("{\"gzip\":") + (s.gzip ? "true" : "false") +
         ",\"gzip_always\":" + (s.gzip_always ? "true" : "false") +
         ",\"chunked\":" + (s.chunked ? "true" : "false") +
         ",\"idle_timeout_ms\":" + std::to_string(s.idle_timeout_ms.load()) + "}";
}

}  // namespace

Reply Emulator::handle_control(const Request& request, const Target& target) {
  // Not a ?: with "" (that makes a temporary std::string the view outlives).
  std::string_view what;
  if (target.segments.size() == 2) what = target.segments[1];
  const std::string_view method = request.method;
  if (method == "GET" && what == "stats") return Reply{200, stats_.stats_json()};
  if (method == "GET" && what == "requests") return Reply{200, stats_.requests_json()};
  if (method == "POST" && what == "reset") {
    stats_.reset();
    faults_.clear();
    holds_.reset();
    store_.reset();
    switches_.set(options_);
    return done();
  }
  if (method == "POST" && what == "faults") {
    auto rule = parse_fault_rule(request.body);
    if (!rule) return control_error(rule.error().message);
    faults_.add(std::move(rule.value()));
    return done();
  }
  if (method == "DELETE" && what == "faults") {
    faults_.clear();
    return done();
  }
  if (method == "POST" && what == "messages") {
    auto message = message_from_json(request.body);
    if (!message) return control_error(message.error().message);
    auto json = message->to_json();
    store_.put(std::move(message.value()));
    return Reply{200, success_body(json)};
  }
  if (method == "POST" && what == "options") return set_switches(request.body);
  if (method == "GET" && what == "options")
    return Reply{200, success_body(switches_json(switches_))};
  if (method == "POST" && what == "holds") {
    auto rule = parse_hold_rule(request.body);
    if (!rule) return control_error(rule.error().message);
    holds_.add(rule.value());
    return done();
  }
  if (method == "DELETE" && what == "holds") {
    holds_.reset();
    return done();
  }
  if (method == "GET" && what == "held") {
    Reply reply;
    reply.action = Action::kWaitHeld;
    for (const auto name : {"wait_for", "timeout_ms"}) {
      const auto text = target.param(name);
      const auto value = text ? java_parse_long(*text) : std::optional<std::int64_t>(0);
      if (!value || *value < 0 || *value > 600000) {
        return control_error(std::string(name) + " must be 0 to 600000");
      }
      if (std::string_view(name) == "wait_for") reply.wait_for = static_cast<std::size_t>(*value);
      if (std::string_view(name) == "timeout_ms")
        reply.wait_timeout = std::chrono::milliseconds{*value};
    }
    return reply;  // the server waits, then answers holds().held_json()
  }
  if (method == "POST" && what == "release") return release(request.body);
  return Reply{404, error_body(404, "not found")};
}

Reply Emulator::set_switches(std::string_view json) {
  simdjson::dom::object object;
  if (parse_object(json, object)) return control_error("body must be a JSON object");
  for (const auto field : object) {
    bool flag = false;
    std::int64_t number = 0;
    if (field.key == "gzip" || field.key == "chunked" || field.key == "gzip_always") {
      if (field.value.get_bool().get(flag))
        return control_error(std::string(field.key) + " must be a boolean");
      (field.key == "gzip"      ? switches_.gzip
       : field.key == "chunked" ? switches_.chunked
                                : switches_.gzip_always) = flag;
    } else if (field.key == "idle_timeout_ms") {
      if (field.value.get_int64().get(number) || number < 0) {
        return control_error("idle_timeout_ms must be a non-negative integer");
      }
      switches_.idle_timeout_ms = number;
    } else {
      return control_error("unknown option " + std::string(field.key));
    }
  }
  return Reply{200, success_body(switches_json(switches_))};
}

Reply Emulator::release(std::string_view json) {
  simdjson::dom::object object;
  if (parse_object(json, object)) return control_error("body must be a JSON object");
  bool all = false;
  std::int64_t id = 0;
  std::size_t released = 0;
  if (!last_field(object, "all").get_bool().get(all) && all) {
    released = holds_.release_all();
  } else if (!last_field(object, "id").get_int64().get(id) && id > 0) {
    if (!holds_.release(static_cast<std::uint64_t>(id)))
      return control_error("no held request with that id");
    released = 1;
  } else {
    return control_error("give {\"id\":K} or {\"all\":true}");
  }
  return Reply{200, success_body("{\"released\":" + std::to_string(released) + "}")};
}

}  // namespace yxgate::emulator
