// yxgate_redis_up ("every live link connected") and yxgate_redis_errors_total
// (every failed command and connection error), as redis_health.hpp documents.
#include <gtest/gtest.h>

#include <memory>

#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_test_util.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisServerProcess;

double up_gauge() { return metrics::yxgate_metrics().redis_up.Value(); }
double errors() { return metrics::yxgate_metrics().redis_errors_total.Value(); }

class RedisMetricsTest : public ::testing::Test {
 protected:
  RedisServerProcess server;
  asio::io_context io;
};

TEST_F(RedisMetricsTest, UpGauge_FollowsConnectionAndErrorsCountFailures) {
  EXPECT_EQ(up_gauge(), 0) << "no connection yet";
  RedisConnection redis(io.get_executor(), options_for(server));
  EXPECT_EQ(up_gauge(), 0) << "connecting";
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    EXPECT_EQ(up_gauge(), 1);
    const double before = errors();
    // An error reply is an answer, not a failure.
    EXPECT_TRUE((co_await redis.command(cmd("NOSUCHCOMMAND"))).is_error());
    EXPECT_EQ(errors(), before);

    server.stop();
    CO_ASSERT_TRUE(co_await redis.wait_until(false, 2s));
    EXPECT_EQ(up_gauge(), 0);
    const double after_disconnect = errors();
    EXPECT_GE(after_disconnect, before + 1) << "the lost connection";
    EXPECT_FALSE((co_await redis.command(cmd("PING"))).ok());
    // The reconnect loop may add connection errors meanwhile: at least one more.
    EXPECT_GE(errors(), after_disconnect + 1);

    server.restart();
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    EXPECT_EQ(up_gauge(), 1);
  });
}

TEST_F(RedisMetricsTest, UpGauge_ZeroWhileAnyConnectionIsDown) {
  RedisConnection good(io.get_executor(), options_for(server));
  auto dead_options = options_for(server);
  dead_options.port = testing::free_port();  // nothing listens there
  auto dead = std::make_unique<RedisConnection>(io.get_executor(), dead_options);
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await good.wait_until(true, 5s));
    EXPECT_FALSE(dead->up());
    EXPECT_EQ(up_gauge(), 0);
    dead.reset();  // a closed connection no longer votes
    EXPECT_EQ(up_gauge(), 1);
  });
}

}  // namespace
}  // namespace yxgate::redis::test
