// RedisSubscriber: messages reach the channel's handler, also after Redis
// restarts (resubscribed on reconnect).
#include "redis/redis_subscriber.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_test_util.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisServerProcess;

class RedisSubscriberTest : public ::testing::Test {
 protected:
  RedisServerProcess server;
  asio::io_context io;
};

TEST_F(RedisSubscriberTest, ReceivesPublishedMessagesPerChannel) {
  RedisSubscriber subscriber(io.get_executor(), options_for(server));
  RedisConnection publisher(io.get_executor(), options_for(server));
  Event subscribed(io.get_executor());
  Event received(io.get_executor());
  std::vector<std::string> invalidations;
  std::vector<std::string> other;
  subscriber.subscribe(
      "yxgate:invalidate",
      [&](std::string_view message) {
        invalidations.emplace_back(message);
        received.notify();
      },
      [&] { subscribed.notify(); });
  subscriber.subscribe(
      "yxgate:other",
      [&](std::string_view message) {
        other.emplace_back(message);
        received.notify();
      },
      [&] { subscribed.notify(); });
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await subscribed.wait(2, 5s));
    CO_ASSERT_TRUE(co_await publisher.wait_until(true, 5s));
    const std::string binary("app\0id\xff", 7);
    auto count = co_await publisher.command(cmd("PUBLISH", "yxgate:invalidate", binary));
    EXPECT_EQ(describe(count), "(integer) 1");
    co_await publisher.command(cmd("PUBLISH", "yxgate:other", "two"));
    co_await publisher.command(cmd("PUBLISH", "yxgate:nobody", "lost"));
    CO_ASSERT_TRUE(co_await received.wait(2, 5s));
    EXPECT_EQ(invalidations, std::vector<std::string>{binary});
    EXPECT_EQ(other, std::vector<std::string>{"two"});
  });
}

TEST_F(RedisSubscriberTest, SubscribeWhileConnected_TakesEffect) {
  RedisSubscriber subscriber(io.get_executor(), options_for(server));
  RedisConnection publisher(io.get_executor(), options_for(server));
  Event subscribed(io.get_executor());
  Event received(io.get_executor());
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await subscriber.wait_until(true, 5s));
    subscriber.subscribe(
        "late", [&](std::string_view) { received.notify(); }, [&] { subscribed.notify(); });
    CO_ASSERT_TRUE(co_await subscribed.wait(1, 5s));
    CO_ASSERT_TRUE(co_await publisher.wait_until(true, 5s));
    co_await publisher.command(cmd("PUBLISH", "late", "x"));
    EXPECT_TRUE(co_await received.wait(1, 5s));
  });
}

TEST_F(RedisSubscriberTest, ResubscribesAfterRedisRestart) {
  RedisSubscriber subscriber(io.get_executor(), options_for(server));
  RedisConnection publisher(io.get_executor(), options_for(server));
  Event subscribed(io.get_executor());
  Event received(io.get_executor());
  std::vector<std::string> messages;
  subscriber.subscribe(
      "yxgate:invalidate",
      [&](std::string_view message) {
        messages.emplace_back(message);
        received.notify();
      },
      [&] { subscribed.notify(); });
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await subscribed.wait(1, 5s));
    CO_ASSERT_TRUE(co_await publisher.wait_until(true, 5s));
    co_await publisher.command(cmd("PUBLISH", "yxgate:invalidate", "before"));
    CO_ASSERT_TRUE(co_await received.wait(1, 5s));

    server.restart();
    // Confirmed again on the new connection: nothing published from now on
    // is missed.
    CO_ASSERT_TRUE(co_await subscribed.wait(2, 10s));
    CO_ASSERT_TRUE(co_await publisher.wait_until(true, 10s));
    auto count = co_await publisher.command(cmd("PUBLISH", "yxgate:invalidate", "after"));
    EXPECT_EQ(describe(count), "(integer) 1");
    CO_ASSERT_TRUE(co_await received.wait(2, 5s));
    EXPECT_EQ(messages, (std::vector<std::string>{"before", "after"}));
  });
}

}  // namespace
}  // namespace yxgate::redis::test
