// RedisScript: EVALSHA with the locally computed SHA1, EVAL on NOSCRIPT.
#include "redis/redis_script.hpp"

#include <gtest/gtest.h>

#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_test_util.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisServerProcess;

// A conditional SET: write ARGV[1] unless the key holds ARGV[2] already.
const RedisScript kSetUnless(R"lua(
local current = redis.call('GET', KEYS[1])
if current == ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
)lua");

class RedisScriptTest : public ::testing::Test {
 protected:
  RedisServerProcess server;
  asio::io_context io;
};

TEST_F(RedisScriptTest, Sha1_MatchesRedis) {
  EXPECT_EQ(kSetUnless.sha1(), server.cli({"SCRIPT", "LOAD", kSetUnless.source()}));
}

TEST_F(RedisScriptTest, Run_WithKeysAndArgs) {
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    auto first = co_await kSetUnless.run(redis, cmd("msg:1"), cmd("v1", "tombstone"));
    EXPECT_EQ(describe(first), "(integer) 1");
    EXPECT_EQ(describe(co_await redis.command(cmd("GET", "msg:1"))), "\"v1\"");
    co_await redis.command(cmd("SET", "msg:1", "tombstone"));
    auto second = co_await kSetUnless.run(redis, cmd("msg:1"), cmd("v2", "tombstone"));
    EXPECT_EQ(describe(second), "(integer) 0");
  });
  // The first run loaded the script (EVAL on NOSCRIPT); now EVALSHA hits.
  EXPECT_EQ(server.cli({"SCRIPT", "EXISTS", kSetUnless.sha1()}), "1");
}

TEST_F(RedisScriptTest, Run_SurvivesScriptFlush) {
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    EXPECT_EQ(describe(co_await kSetUnless.run(redis, cmd("k"), cmd("a", "x"))), "(integer) 1");
    EXPECT_EQ(describe(co_await redis.command(cmd("SCRIPT", "FLUSH"))), "OK");
    EXPECT_EQ(describe(co_await redis.command(cmd("SCRIPT", "EXISTS", kSetUnless.sha1()))),
              "[(integer) 0]");
    EXPECT_EQ(describe(co_await kSetUnless.run(redis, cmd("k"), cmd("b", "x"))), "(integer) 1");
    EXPECT_EQ(describe(co_await redis.command(cmd("GET", "k"))), "\"b\"");
  });
}

TEST_F(RedisScriptTest, Run_ScriptErrorIsAnErrorReply) {
  const RedisScript broken("return redis.call('INCR', KEYS[1])");
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    co_await redis.command(cmd("SET", "text", "abc"));
    auto reply = co_await broken.run(redis, cmd("text"), cmd());
    EXPECT_TRUE(reply.is_error()) << describe(reply);
  });
}

TEST_F(RedisScriptTest, Run_RedisDown_FailsFast) {
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    server.stop();
    CO_ASSERT_TRUE(co_await redis.wait_until(false, 2s));
    auto reply = co_await kSetUnless.run(redis, cmd("k"), cmd("a", "x"));
    CO_ASSERT_TRUE(!reply.ok());
    EXPECT_EQ(reply.failure(), RedisFailure::kNotConnected);
  });
}

}  // namespace
}  // namespace yxgate::redis::test
