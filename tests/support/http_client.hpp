#pragma once
// A small synchronous HTTP/1.1 client for tests. Beast stays in the .cpp so
// test files compile fast.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yxgate::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::chrono::milliseconds kDefaultHttpTimeout{5000};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // Empty on success. Otherwise starts with "timeout", "closed" (the server
  // closed the connection without a complete answer) or "connect" / "write"
  // / "read", followed by details.
  std::string error;

  bool ok() const { return error.empty(); }
  bool timed_out() const { return error.starts_with("timeout"); }
  bool closed() const { return error.starts_with("closed"); }
  // Case-insensitive; nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

// One connection per call.
HttpResponse request(std::uint16_t port, std::string_view method, std::string_view target,
                     const Headers& headers = {}, std::string_view body = {},
                     std::chrono::milliseconds timeout = kDefaultHttpTimeout);

// Reuses one connection across calls (reconnects after a failure or a
// Connection: close). Not thread-safe: one per test thread.
class KeepAliveClient {
 public:
  explicit KeepAliveClient(std::uint16_t port);
  ~KeepAliveClient();
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;

  HttpResponse request(std::string_view method, std::string_view target,
                       const Headers& headers = {}, std::string_view body = {},
                       std::chrono::milliseconds timeout = kDefaultHttpTimeout);
  bool connected() const;
  // How many TCP connections this client has opened so far.
  int connections_opened() const;
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes `bytes` as they are and returns everything read until the server
// closes or `timeout` passes (for malformed-HTTP tests). `half_close` shuts
// down the sending side after the bytes: the server then sees end of input.
std::string raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout = kDefaultHttpTimeout,
                         bool half_close = false);

}  // namespace yxgate::testing
