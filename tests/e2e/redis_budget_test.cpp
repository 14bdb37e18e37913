// SPEC §11.3 and issue 18: what one client request costs on Redis. A
// lookup and its cache fill share one cache.redis.timeout, and a client's
// batch_messages whose items are all in Redis costs one round trip. Real
// redis-server, real emulator, real yxgates.
#include <chrono>
#include <cstdio>
#include <future>
#include <thread>

#include "e2e/gateway_test_env.hpp"
#include "support/redis_server.hpp"

namespace yxgate::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class RedisBudget : public ::testing::Test {
 protected:
  std::unique_ptr<GatewayProcess> start_gateway(std::string_view redis_timeout) {
    return start_redis_replica(emulator_.base_url(), redis_.url(), redis_timeout);
  }
  // A lookup pipeline is one MGET (then a PTTL per key, in the same write).
  int lookup_round_trips() const { return redis_.command_calls({"mget"}); }
  int per_key_round_trips() const { return redis_.command_calls({"get"}); }

  RedisServerProcess redis_;
  EmulatorProcess emulator_;
};

std::string batch_of(std::uint64_t first, int count) {
  std::string body = "{\"messages\":[";
  for (int i = 0; i < count; ++i) {
    const auto id = first + static_cast<std::uint64_t>(i);
    if (i) body += ',';
    body += "{\"message_server_id\":" + std::to_string(id) +
            ",\"create_time\":" + std::to_string(seeded_create_time(id)) + "}";
  }
  return body + "]}";
}

// Issue 18: "All-cached 50-item client batch: 1 Redis round trip".
TEST_F(RedisBudget, AnAllCachedFiftyItemClientBatchIsOneRedisRoundTrip) {
  auto a = start_gateway("1s");
  auto b = start_gateway("1s");
  const std::string target = "/im/v2/conversations/" + std::string(kAliceBob) + "/batch_messages";
  const Headers json{{"Content-Type", "application/json"}};
  const auto filled = request(a->port(), "POST", target, json, batch_of(2001, 50));
  ASSERT_EQ(json_get_int(filled.body, "/code"), 200) << filled.body;
  ASSERT_EQ(redis_.cli({"DBSIZE"}).empty(), false);
  const auto upstream_calls = emulator_.total_requests();
  const int before = lookup_round_trips();
  const int per_key_before = per_key_round_trips();
  const auto res = request(b->port(), "POST", target, json, batch_of(2001, 50));
  EXPECT_EQ(lookup_round_trips() - before, 1);
  EXPECT_EQ(per_key_round_trips() - per_key_before, 0);
  EXPECT_EQ(res.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(res.body, filled.body);
  EXPECT_EQ(emulator_.total_requests(), upstream_calls);
}

// SPEC §11.3: "No client request waits on Redis longer than
// cache.redis.timeout in total". Redis answers this request's lookup late
// (paused for most of the timeout), then falls silent again while its fill
// is written: the fill gets only what the lookup left, not a timeout of its
// own. (The pauses are the fault's shape, not synchronisation: every step
// the test depends on is awaited through the emulator's hold.)
TEST_F(RedisBudget, ALookupAndItsFillShareOneRedisTimeout) {
  constexpr auto kTimeout = milliseconds(2000);
  constexpr auto kLookupPause = milliseconds(1400);
  auto gateway = start_gateway("2s");
  emulator_.hold("get_message");
  redis_.pause();
  auto answered = std::async(std::launch::async, [&] {
    auto res = request(gateway->port(), "GET",
                       "/im/v2/conversations/" + std::string(kAliceBob) + "/messages/2201");
    return std::pair{res, Clock::now()};
  });
  std::this_thread::sleep_for(kLookupPause);
  redis_.resume();  // the lookup is answered, ~1.4 s into its budget
  ASSERT_EQ(emulator_.wait_held(1, milliseconds(10000)).size(), 1u);
  redis_.pause();
  const auto released = Clock::now();
  emulator_.release_all();
  const auto [res, at] = answered.get();
  redis_.resume();
  EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  const auto fill_took = std::chrono::duration_cast<milliseconds>(at - released);
  std::printf("fill after a %lld ms lookup: %lld ms (timeout %lld ms)\n",
              static_cast<long long>(kLookupPause.count()),
              static_cast<long long>(fill_took.count()), static_cast<long long>(kTimeout.count()));
  // What is left is ~600 ms; a timeout of its own would be 2 s.
  EXPECT_LT(fill_took, kTimeout - milliseconds(500));
}

}  // namespace
}  // namespace yxgate::testing
