#include "support/emulator_process.hpp"

#include <chrono>
#include <regex>
#include <stdexcept>

#include "signing/signer.hpp"
#include "support/json.hpp"

namespace yxgate::testing {

Headers signed_headers(std::string_view app_key, std::string_view app_secret,
                       std::int64_t clock_offset_seconds) {
  using namespace std::chrono;
  const auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  const auto s = signing::sign(app_key, app_secret, now + clock_offset_seconds);
  return {{"AppKey", s.app_key},
          {"Nonce", s.nonce},
          {"CurTime", s.cur_time},
          {"CheckSum", s.check_sum}};
}

EmulatorProcess::EmulatorProcess(EmulatorOptions options) {
  ChildOptions child;
  child.binary = YXGATE_EMULATOR_BIN;
  child.name = "emulator";
  child.dir = std::move(options.dir);
  // Port 0 and read the bound port back: no race with other tests for a port.
  child.args = {"--listen",  "127.0.0.1:0",
                "--threads", std::to_string(options.threads),
                "--seed",    std::to_string(options.seed)};
  for (const auto& app : options.apps) {
    child.args.push_back("--app");
    child.args.push_back(app);
  }
  child.args.insert(child.args.end(), options.extra_args.begin(), options.extra_args.end());
  process_ = std::make_unique<ChildProcess>(std::move(child));
  const std::regex listening(R"(^listening 127\.0\.0\.1:(\d+)$)");
  const auto line = process_->wait_for_line(listening, std::chrono::seconds(10));
  std::smatch match;
  if (!line || !std::regex_match(*line, match, listening)) {
    throw std::runtime_error("yxgate-emulator did not start: " + process_->read_stderr());
  }
  port_ = static_cast<std::uint16_t>(std::stoi(match[1].str()));
}

std::string EmulatorProcess::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string EmulatorProcess::control(std::string_view method, std::string_view what,
                                     std::string_view body,
                                     std::chrono::milliseconds timeout) const {
  const auto target = "/_emulator/" + std::string(what);
  const auto response = request(port_, method, target, {}, body, timeout);
  if (!response.ok() || response.status != 200) {
    throw std::runtime_error("emulator " + std::string(method) + " " + target +
                             " failed: " + response.error + " " + response.body);
  }
  return response.body;
}

std::string EmulatorProcess::stats() const { return control("GET", "stats"); }
std::string EmulatorProcess::requests() const { return control("GET", "requests"); }
void EmulatorProcess::reset() const { control("POST", "reset"); }

void EmulatorProcess::add_fault(std::string_view route, std::string_view kind, int latency_ms,
                                int count) const {
  std::string body = "{\"route\":\"" + std::string(route) + "\",\"kind\":\"" + std::string(kind) +
                     "\",\"count\":" + std::to_string(count);
  // Omitted when 0 so a "latency" fault gets the emulator's default delay.
  if (latency_ms > 0) body += ",\"latency_ms\":" + std::to_string(latency_ms);
  body += "}";
  control("POST", "faults", body);
}

namespace {

std::string json_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void EmulatorProcess::add_fault(const FaultSpec& f) const {
  std::string body = "{\"route\":" + json_quoted(f.route) + ",\"kind\":" + json_quoted(f.kind) +
                     ",\"count\":" + std::to_string(f.count);
  if (f.latency_ms > 0) body += ",\"latency_ms\":" + std::to_string(f.latency_ms);
  if (f.status > 0) body += ",\"status\":" + std::to_string(f.status);
  if (f.error_code) body += ",\"error_code\":" + std::to_string(*f.error_code);
  if (f.error_msg) body += ",\"error_msg\":" + json_quoted(*f.error_msg);
  if (f.body) body += ",\"body\":" + json_quoted(*f.body);
  control("POST", "faults", body + "}");
}

void EmulatorProcess::set_gzip(bool on) const {
  control("POST", "options", std::string("{\"gzip\":") + (on ? "true}" : "false}"));
}

void EmulatorProcess::set_gzip_always(bool on) const {
  control("POST", "options", std::string("{\"gzip_always\":") + (on ? "true}" : "false}"));
}

void EmulatorProcess::set_chunked(bool on) const {
  control("POST", "options", std::string("{\"chunked\":") + (on ? "true}" : "false}"));
}

void EmulatorProcess::set_idle_timeout_ms(std::int64_t ms) const {
  control("POST", "options", "{\"idle_timeout_ms\":" + std::to_string(ms) + "}");
}

void EmulatorProcess::hold(std::string_view route, int count, std::string_view phase) const {
  control("POST", "holds",
          "{\"route\":" + json_quoted(route) + ",\"count\":" + std::to_string(count) +
              ",\"phase\":" + json_quoted(phase) + "}");
}

std::vector<HeldRequest> EmulatorProcess::wait_held(std::size_t n,
                                                    std::chrono::milliseconds timeout) const {
  const auto body = control(
      "GET",
      "held?wait_for=" + std::to_string(n) + "&timeout_ms=" + std::to_string(timeout.count()), {},
      timeout + kDefaultHttpTimeout);
  std::vector<HeldRequest> held;
  const auto size = json_array_size(body, "/data").value_or(0);
  for (std::size_t i = 0; i < size; ++i) {
    const auto at = "/data/" + std::to_string(i);
    held.push_back({json_get_int(body, at + "/id").value_or(0),
                    json_get_string(body, at + "/route").value_or(""),
                    json_get_string(body, at + "/target").value_or(""),
                    json_get_string(body, at + "/body").value_or("")});
  }
  return held;
}

void EmulatorProcess::release(std::int64_t id) const {
  control("POST", "release", "{\"id\":" + std::to_string(id) + "}");
}

void EmulatorProcess::release_all() const { control("POST", "release", R"({"all":true})"); }

void EmulatorProcess::add_message(std::string_view message_json) const {
  control("POST", "messages", message_json);
}

std::int64_t EmulatorProcess::calls(std::string_view route) const {
  const auto value = json_get_int(stats(), "/calls/" + std::string(route));
  if (!value) throw std::runtime_error("no such route in stats: " + std::string(route));
  return *value;
}

std::int64_t EmulatorProcess::total_requests() const {
  return json_get_int(stats(), "/total").value_or(-1);
}

std::vector<std::int64_t> EmulatorProcess::asked_ids(std::string_view route) const {
  auto ids = json_get_int_array(stats(), "/ids/" + std::string(route));
  if (!ids) throw std::runtime_error("no such route in stats: " + std::string(route));
  return *ids;
}

}  // namespace yxgate::testing
