#pragma once
// A running yxgate-emulator for a test (see emulator/README.md), plus signed
// headers to call it directly.
#include <chrono>
#include <cstdint>
#include <memory>
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
  void add_message(std::string_view message_json) const;

  // Shorthands over stats().
  std::int64_t calls(std::string_view route) const;  // also "auth_error"
  std::int64_t total_requests() const;
  std::vector<std::int64_t> asked_ids(std::string_view route) const;

 private:
  std::string control(std::string_view method, std::string_view what,
                      std::string_view body = {}) const;

  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

}  // namespace yxgate::testing
