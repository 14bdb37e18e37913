#pragma once
// Shared setup of the tests that talk to yxgate-emulator directly over HTTP
// (emulator/README.md is the contract they check).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "support/emulator_process.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"

namespace yxgate::testing {

// Seeded message 5 of alice|1|bob, as the README's data rule spells it out.
inline constexpr std::string_view kSeededMessage5 =
    R"({"message_server_id":5,"sender_id":"alice","conversation_type":1,"receiver_id":"bob",)"
    R"("message_type":0,"create_time":1700000005000,"text":"message 5","message_client_id":"seed1-5"})";
inline constexpr std::string_view kMessage5Path = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
inline constexpr std::string_view kAliceBobBatchPath =
    "/im/v2/conversations/alice%7C1%7Cbob/batch_messages";

inline std::string success_body_of(std::string_view data) {
  return R"({"code":200,"msg":"success","data":)" + std::string(data) + "}";
}

inline std::int64_t body_code(const HttpResponse& response) {
  return json_get_int(response.body, "/code").value_or(-1);
}

class EmulatorDirectTest : public ::testing::Test {
 protected:
  explicit EmulatorDirectTest(EmulatorOptions options = {}) : emu_(std::move(options)) {}

  HttpResponse call(std::string_view method, std::string_view target, std::string_view body = {},
                    const Headers& extra = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto headers = signed_headers();
    headers.insert(headers.end(), extra.begin(), extra.end());
    return request(emu_.port(), method, target, headers, body, timeout);
  }
  HttpResponse get(std::string_view target, const Headers& extra = {}) {
    return call("GET", target, {}, extra);
  }
  HttpResponse post(std::string_view target, std::string_view body, const Headers& extra = {}) {
    return call("POST", target, body, extra);
  }
  // Raw bytes of a signed request (for framing checks with raw_exchange).
  std::string raw_request(std::string_view method, std::string_view target,
                          const Headers& extra = {}, std::string_view body = {}) {
    std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n";
    auto headers = signed_headers();
    headers.insert(headers.end(), extra.begin(), extra.end());
    for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    return out + std::string(body);
  }

  EmulatorProcess emu_;
};

}  // namespace yxgate::testing
