#pragma once
// Shared setup of gateway end-to-end tests: an emulator upstream and a
// yxgate in front of it, both real processes on loopback.
#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "e2e/gateway_process.hpp"
#include "support/emulator_process.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"

namespace yxgate::testing {

// Seeded data (emulator/README.md): ids 1..99999 are alice|1|bob, odd ids
// sent by alice; create_time = 1700000000000 + id * 1000.
inline constexpr std::string_view kAliceBob = "alice%7C1%7Cbob";
inline std::uint64_t seeded_create_time(std::uint64_t id) { return 1700000000000ull + id * 1000; }

// Polls until `predicate` holds or `timeout` passes: for events in another
// process that a test cannot await (a reconnect, a metric moving).
template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

// The value of one unlabelled (or fully labelled) series on /metrics; -1
// when it is absent.
inline double metric_value(std::uint16_t admin_port, const std::string& series) {
  const auto text = request(admin_port, "GET", "/metrics").body;
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

// A replica sharing the Redis at `redis_url` (cache.redis.timeout
// `redis_timeout`), returned once its Redis links are up. `extra_yaml`
// follows the Redis keys (indented: more `cache:` keys; or top-level
// sections); `upstream_yaml` goes under `upstream:`.
inline std::unique_ptr<GatewayProcess> start_redis_replica(const std::string& upstream_url,
                                                           const std::string& redis_url,
                                                           std::string_view redis_timeout,
                                                           const std::string& extra_yaml = "",
                                                           const std::string& upstream_yaml = "") {
  GatewayOptions options{.upstream_url = upstream_url,
                         .extra_yaml = "cache:\n  redis:\n    url: " + redis_url +
                                       "\n    timeout: " + std::string(redis_timeout) + "\n" +
                                       extra_yaml,
                         .upstream_yaml = upstream_yaml};
  auto gateway = std::make_unique<GatewayProcess>(options);
  EXPECT_TRUE(
      eventually([&] { return metric_value(gateway->admin_port(), "yxgate_redis_up") == 1; },
                 std::chrono::seconds(5)));
  return gateway;
}

// One request of a burst (fire_calls_together).
struct Call {
  std::string method;
  std::string target;
  std::string body = {};
  Headers headers = {};
};

// Fires every call at once, each from its own pre-connected keep-alive
// client, so they reach the gateway within a few milliseconds of each other.
inline std::vector<HttpResponse> fire_calls_together(std::uint16_t port,
                                                     const std::vector<Call>& calls) {
  std::vector<std::unique_ptr<KeepAliveClient>> clients;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    clients.push_back(std::make_unique<KeepAliveClient>(port));
    clients.back()->request("GET", "/healthz-warmup");  // opens the connection (404)
  }
  std::vector<HttpResponse> responses(calls.size());
  std::latch start(static_cast<std::ptrdiff_t>(calls.size()));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      const auto& call = calls[i];
      responses[i] = clients[i]->request(call.method, call.target, call.headers, call.body);
    });
  }
  for (auto& t : threads) t.join();
  return responses;
}

// GETs of every target at once.
inline std::vector<HttpResponse> fire_together(std::uint16_t port,
                                               const std::vector<std::string>& targets,
                                               const Headers& headers = {}) {
  std::vector<Call> calls;
  for (const auto& target : targets) calls.push_back(Call{"GET", target, {}, headers});
  return fire_calls_together(port, calls);
}

class GatewayTest : public ::testing::Test {
 protected:
  void start(GatewayOptions options = {}) {
    if (!emulator_) emulator_ = std::make_unique<EmulatorProcess>();
    if (options.upstream_url.empty()) options.upstream_url = emulator_->base_url();
    gateway_ = std::make_unique<GatewayProcess>(std::move(options));
  }
  EmulatorProcess& emulator() { return *emulator_; }
  GatewayProcess& gateway() { return *gateway_; }

  HttpResponse get(std::string_view target, const Headers& headers = {}) {
    return request(gateway_->port(), "GET", target, headers);
  }
  // The n-th most recent request the emulator received (0 = last).
  std::string last_upstream_request(std::size_t back = 0) {
    const auto log = emulator_->requests();
    const auto size = json_array_size(log, "");
    if (!size || *size <= back) return {};
    return json_get_raw(log, "/" + std::to_string(*size - 1 - back)).value_or("");
  }

  std::unique_ptr<EmulatorProcess> emulator_;
  std::unique_ptr<GatewayProcess> gateway_;
};

}  // namespace yxgate::testing
