#pragma once
// A running yxgate-emulator for a test (see emulator/README.md), plus signed
// headers to call it directly.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace yxgate::testing {

inline constexpr std::string_view kDemoAppKey = "demo-app-key";
inline constexpr std::string_view kDemoAppSecret = "demo-app-secret";

// AppKey, Nonce, CurTime (now + clock_offset_seconds), CheckSum (SPEC §2).
Headers signed_headers(std::string_view app_key = kDemoAppKey,
                       std::string_view app_secret = kDemoAppSecret,
                       std::int64_t clock_offset_seconds = 0);

struct EmulatorOptions {
  std::vector<std::string> apps{};  // "KEY:SECRET"; empty: the emulator's demo app
  int threads = 1;
  std::uint64_t seed = 1;
  std::vector<std::string> extra_args{};
  std::shared_ptr<TestDir> dir{};  // null: its own
};

// A fault rule with every parameter (emulator/README.md, "Faults").
struct FaultSpec {
  std::string route = "any";
  std::string kind;    // latency|code500|http503|close|malformed|hang|ratelimit416|chunked|
                       // connection_close|wrong_shape|not_json|status|failed_code
  int latency_ms = 0;  // 0: omitted (latency then defaults to 1000)
  int count = 0;       // 0: until reset
  int status = 0;      // kind status: the HTTP status (200..599)
  std::optional<std::int64_t> error_code{};  // kind failed_code
  std::optional<std::string> error_msg{};    // kind failed_code
  std::optional<std::string> body{};         // status, wrong_shape, not_json: the body sent
};

// A request the emulator holds (GET /_emulator/held).
struct HeldRequest {
  std::int64_t id = 0;
  std::string route;
  std::string target;
  std::string body;
};

class EmulatorProcess {
 public:
  // Starts YXGATE_EMULATOR_BIN on 127.0.0.1:0 and waits for its
  // "listening" line. Throws std::runtime_error if it does not come up.
  explicit EmulatorProcess(EmulatorOptions options = {});

  std::uint16_t port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:PORT
  ChildProcess& process() { return *process_; }

  // Control API; each throws std::runtime_error unless answered HTTP 200.
  std::string stats() const;     // raw JSON of GET /_emulator/stats
  std::string requests() const;  // raw JSON of GET /_emulator/requests
  void reset() const;
  // kind: latency|code500|http503|close|malformed|hang|ratelimit416;
  // route: a route name or "any"; count 0 = until reset.
  void add_fault(std::string_view route, std::string_view kind, int latency_ms = 0,
                 int count = 0) const;
  void add_fault(const FaultSpec& fault) const;
  // POST /_emulator/options: Content-Encoding gzip (when the request accepts
  // it), chunked answers, the keep-alive idle timeout (0: the default 60 s).
  void set_gzip(bool on) const;
  // gzip even when the request asked for identity (an upstream that ignores
  // Accept-Encoding).
  void set_gzip_always(bool on) const;
  void set_chunked(bool on) const;
  void set_idle_timeout_ms(std::int64_t ms) const;

  // Holds (emulator/README.md, "Holds"): the next `count` matching calls
  // (0: all until reset) are held; phase "before": before the route reads
  // the state, "after": the answer is computed on arrival and held.
  void hold(std::string_view route, int count = 1, std::string_view phase = "before") const;
  // Long-polls until at least `n` requests are held (or `timeout`): the held list.
  std::vector<HeldRequest> wait_held(
      std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  void release(std::int64_t id) const;
  void release_all() const;
  void add_message(std::string_view message_json) const;

  // Shorthands over stats().
  std::int64_t calls(std::string_view route) const;  // also "auth_error"
  std::int64_t total_requests() const;
  std::vector<std::int64_t> asked_ids(std::string_view route) const;

 private:
  std::string control(std::string_view method, std::string_view what, std::string_view body = {},
                      std::chrono::milliseconds timeout = kDefaultHttpTimeout) const;

  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

}  // namespace yxgate::testing
