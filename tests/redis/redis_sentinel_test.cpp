// cache.redis.mode: sentinel against a real master, replica and three
// sentinels: the connection and the subscriber find the master through the
// sentinels and follow it when it dies and the replica is promoted.
#include "support/redis_sentinel.hpp"

#include <gtest/gtest.h>

#include <string>

#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_subscriber.hpp"
#include "redis/redis_test_util.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisSentinelGroup;

class RedisSentinelTest : public ::testing::Test {
 protected:
  RedisOptions options(std::vector<std::string> nodes) {
    config::RedisConfig config;
    config.url = "redis://127.0.0.1:1/0";  // host:port unused in sentinel mode
    config.mode = "sentinel";
    config.nodes = std::move(nodes);
    config.sentinel_master = RedisSentinelGroup::kMaster;
    config.timeout = 1000ms;
    auto options = RedisOptions::from_config(config);
    EXPECT_TRUE(options.ok());
    return options.value();
  }

  asio::io_context io;
};

TEST_F(RedisSentinelTest, FindsTheMasterAndFollowsAFailover) {
  RedisSentinelGroup group;
  // An unreachable sentinel first: the next one is asked.
  auto nodes = group.sentinel_addresses();
  nodes.insert(nodes.begin(), "127.0.0.1:" + std::to_string(testing::free_port()));
  const auto opts = options(nodes);
  RedisConnection redis(io.get_executor(), opts);
  RedisSubscriber subscriber(io.get_executor(), opts);
  Event subscribed(io.get_executor());
  Event received(io.get_executor());
  std::vector<std::string> messages;
  subscriber.subscribe(
      "yxgate:invalidate",
      [&](std::string_view m) {
        messages.emplace_back(m);
        received.notify();
      },
      [&] { subscribed.notify(); });
  const auto old_master_port = group.master().port();
  const auto failovers_before = metrics::yxgate_metrics().redis_failovers_total.Value();
  run_test(
      io,
      [&]() -> asio::awaitable<void> {
        CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
        CO_ASSERT_TRUE((co_await redis.command(cmd("SET", "before", "1"))).ok());
        EXPECT_EQ(group.master().cli({"GET", "before"}), "1");  // the master, not the replica
        CO_ASSERT_TRUE(co_await subscribed.wait(1, 5s));

        group.master().kill();
        // Down at once (the link closed), then up on the promoted replica.
        CO_ASSERT_TRUE(co_await redis.wait_until(false, 2s));
        CO_ASSERT_TRUE(co_await redis.wait_until(true, 15s));
        auto set = co_await redis.command(cmd("SET", "after", "2"));
        CO_ASSERT_TRUE(set.ok());
        EXPECT_EQ(describe(set), "OK") << "a write reached a read-only replica";
        // The subscriber followed too: a message published on the new master arrives.
        CO_ASSERT_TRUE(co_await subscribed.wait(2, 15s));
        co_await redis.command(cmd("PUBLISH", "yxgate:invalidate", "after-failover"));
        CO_ASSERT_TRUE(co_await received.wait(1, 5s));
        EXPECT_EQ(messages.back(), "after-failover");
        // +switch-master reached both sessions' watchers: counted once.
        auto& failovers = metrics::yxgate_metrics().redis_failovers_total;
        for (int i = 0; i < 100 && failovers.Value() < failovers_before + 1; ++i) {
          asio::steady_timer pause(io, 20ms);
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        EXPECT_EQ(failovers.Value(), failovers_before + 1);
      },
      40s);
  EXPECT_NE(group.reported_master_port(), old_master_port);
  EXPECT_EQ(group.replica().cli({"GET", "after"}), "2");
}

TEST_F(RedisSentinelTest, NoSentinelReachableMeansDownNotStuck) {
  RedisConnection redis(io.get_executor(),
                        options({"127.0.0.1:" + std::to_string(testing::free_port())}));
  run_test(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await redis.wait_until(true, 500ms));
    const auto start = Clock::now();
    EXPECT_FALSE((co_await redis.command(cmd("GET", "k"))).ok());
    EXPECT_LT(elapsed_since(start), 100ms);
  });
}

TEST_F(RedisSentinelTest, UnknownMasterNameMeansDown) {
  RedisSentinelGroup group;
  auto opts = options(group.sentinel_addresses());
  opts.sentinel->master = "no-such-master";
  RedisConnection redis(io.get_executor(), opts);
  run_test(io,
           [&]() -> asio::awaitable<void> { EXPECT_FALSE(co_await redis.wait_until(true, 1s)); });
}

}  // namespace
}  // namespace yxgate::redis::test
