#pragma once
// A client shaped like the vendor's server SDKs (issue 17), written here from
// their documented behaviour: what a gateway must survive when the SDKs are
// pointed at it unchanged.
//  - Go-canonical header names: Appkey, Nonce, Curtime, Checksum,
//    X-Custom-Traceid; Accept-Encoding: gzip (gzip answers are decoded, as
//    Go's transport does); Content-Type: application/json;charset=utf-8.
//  - Lookups by id use /im/v2.1/ and send no message_time.
//  - Retry policy: at most once more, with the same X-Custom-Traceid, when
//    the answer is HTTP 502 or when the error text (a transport error, or the
//    body of a non-200 answer) contains "timeout", "connection refused",
//    "connection reset", "no such host" or "network unreachable".
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"

namespace yxgate::testing {

struct SdkOptions {
  // Each attempt goes to the next port (a load balancer over replicas).
  std::vector<std::uint16_t> ports;
  // The SDK's own credentials: the gateway replaces the signature anyway.
  std::string app_key = "sdk-wrong-key";
  std::string app_secret = "sdk-wrong-secret";
  std::chrono::milliseconds timeout{5000};  // per attempt, like the SDKs' client timeout
  int max_retries = 1;
  // QueryMessage's prefix. The SDK uses /im/v2.1/ (the emulator serves
  // single-message lookups on both prefixes).
  std::string query_prefix = "/im/v2.1/";
};

struct SdkResult {
  std::vector<HttpResponse> attempts;  // every try, in order
  std::string trace_id;
  const HttpResponse& last() const { return attempts.back(); }
};

class SdkClient {
 public:
  explicit SdkClient(SdkOptions options);

  // One SDK call: sends, retries per the policy, returns every attempt.
  // An empty `trace_id` gets a fresh one, as the SDKs make per call.
  SdkResult call(std::string_view method, std::string_view path, std::string_view body = {},
                 std::string trace_id = {});

  // ModifyMessage (POST /im/v2/messages/actions/modifyMsg).
  SdkResult modify_message(std::string_view conversation_id, std::uint64_t message_server_id,
                           std::string_view text, std::string trace_id = {});
  // QueryMessage: options.query_prefix, no message_time. `conversation_id` is the raw
  // (unencoded) id, e.g. "alice|1|bob".
  SdkResult query_message(std::string_view conversation_id, std::uint64_t message_server_id,
                          std::string trace_id = {});

  // The retry decision for one attempt's outcome.
  static bool retryable(const HttpResponse& response);
  static std::string new_trace_id();

 private:
  SdkOptions options_;
  std::size_t next_port_ = 0;
};

}  // namespace yxgate::testing
