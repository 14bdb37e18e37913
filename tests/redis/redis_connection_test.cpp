// RedisConnection against a real redis-server: round trips, reply types,
// AUTH/SELECT from the URL, pipelining, timeouts, outages, reconnects.
#include "redis/redis_connection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_command.hpp"
#include "redis/redis_test_util.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisServerProcess;

class RedisConnectionTest : public ::testing::Test {
 protected:
  RedisServerProcess server;
  asio::io_context io;
};

TEST_F(RedisConnectionTest, SetGetDel_RoundTripsBinaryValues) {
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    const std::string binary(
        "a\0b\r\n\xff\0"
        "end",
        10);
    const std::string key("k\0ey \r\n", 7);
    auto set = co_await redis.command(cmd("SET", key, binary));
    CO_ASSERT_TRUE(set.ok());
    EXPECT_TRUE(set->is_status());
    EXPECT_EQ(set->str, "OK");

    auto get = co_await redis.command(cmd("GET", key));
    CO_ASSERT_TRUE(get.ok());
    EXPECT_TRUE(get->is_string());
    EXPECT_EQ(get->str, binary);

    const std::string big(200 * 1024, 'x');  // several socket reads
    EXPECT_TRUE((co_await redis.command(cmd("SET", "big", big))).ok());
    auto big_get = co_await redis.command(cmd("GET", "big"));
    CO_ASSERT_TRUE(big_get.ok());
    EXPECT_EQ(big_get->str, big);

    auto del = co_await redis.command(cmd("DEL", key, "big"));
    CO_ASSERT_TRUE(del.ok());
    EXPECT_TRUE(del->is_integer());
    EXPECT_EQ(del->integer, 2);
    EXPECT_TRUE((co_await redis.command(cmd("GET", key))).is_nil());
  });
}

TEST_F(RedisConnectionTest, Get_MissingKeyIsNil) {
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    auto reply = co_await redis.command(cmd("GET", "no-such-key"));
    CO_ASSERT_TRUE(reply.ok());
    EXPECT_TRUE(reply.is_nil()) << describe(reply);
  });
}

TEST_F(RedisConnectionTest, ErrorReply_SurfacedAsErrorNotAsFailure) {
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    CO_ASSERT_TRUE((co_await redis.command(cmd("SET", "text", "abc"))).ok());
    auto reply = co_await redis.command(cmd("INCR", "text"));
    CO_ASSERT_TRUE(reply.ok());
    EXPECT_TRUE(reply.is_error());
    EXPECT_EQ(reply->str, "ERR value is not an integer or out of range");
    auto unknown = co_await redis.command(cmd("NOSUCHCOMMAND"));
    EXPECT_TRUE(unknown.is_error()) << describe(unknown);
    // The connection is fine afterwards.
    EXPECT_TRUE(redis.up());
    EXPECT_EQ((co_await redis.command(cmd("GET", "text")))->str, "abc");
  });
}

TEST_F(RedisConnectionTest, Replies_IntegerStatusAndNestedArrays) {
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    auto reply = co_await redis.command(
        cmd("EVAL", "return {1, {'a', {}, -7}, 'x', redis.status_reply('FINE')}", "0"));
    CO_ASSERT_TRUE(reply.ok());
    EXPECT_EQ(describe(reply), R"([(integer) 1, ["a", [], (integer) -7], "x", FINE])");
    CO_ASSERT_TRUE(reply->is_array() && reply->elements.size() == 4);
    EXPECT_TRUE(reply->elements[1].elements[1].is_array());
    EXPECT_TRUE(reply->elements[3].is_status());
  });
}

TEST_F(RedisConnectionTest, Select_DatabaseFromUrl) {
  auto options = options_for(server);
  options.db = 3;
  RedisConnection redis(io.get_executor(), options);
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    EXPECT_TRUE((co_await redis.command(cmd("SET", "where", "db3"))).ok());
  });
  EXPECT_EQ(server.cli({"-n", "3", "GET", "where"}), "db3");
  EXPECT_EQ(server.cli({"-n", "0", "EXISTS", "where"}), "0");
}

TEST_F(RedisConnectionTest, ConcurrentCommands_PipelinedAndOrderedPerKey) {
  RedisConnection redis(io.get_executor(), options_for(server, 5000ms));
  constexpr int kCommands = 1000;
  constexpr int kKeys = 10;
  std::vector<std::int64_t> counts(kCommands, -1);
  int in_flight = 0;
  int max_in_flight = 0;
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    Event finished(io.get_executor());
    for (int i = 0; i < kCommands; ++i) {
      asio::co_spawn(
          io,
          [&, i]() -> asio::awaitable<void> {
            ++in_flight;
            max_in_flight = std::max(max_in_flight, in_flight);
            auto reply =
                co_await redis.command(cmd("INCR", "counter:" + std::to_string(i % kKeys)));
            --in_flight;
            if (reply.ok() && reply->is_integer()) counts[i] = reply->integer;
            finished.notify();
          },
          asio::detached);
    }
    EXPECT_TRUE(co_await finished.wait(kCommands, 10s));
  });
  // All were issued before the first reply came back: one connection,
  // no per-command serialisation.
  EXPECT_EQ(max_in_flight, kCommands);
  // Replies come back in issue order per key: INCR counts 1, 2, 3, ...
  for (int i = 0; i < kCommands; ++i) {
    EXPECT_EQ(counts[i], i / kKeys + 1) << "command " << i;
  }
  // One connection did it all (the other client is redis-cli itself).
  const auto clients = server.cli({"CLIENT", "LIST"});
  EXPECT_EQ(std::count(clients.begin(), clients.end(), '\n'), 1) << clients;
}

TEST_F(RedisConnectionTest, Auth_PasswordFromUrl) {
  RedisServerProcess secured({.password = "s3cret:with@chars"});
  RedisConnection redis(io.get_executor(), options_for(secured));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    auto reply = co_await redis.command(cmd("SET", "authed", "yes"));
    EXPECT_TRUE(reply.ok() && reply->is_status()) << describe(reply);
  });
  EXPECT_EQ(secured.cli({"GET", "authed"}), "yes");
}

TEST_F(RedisConnectionTest, Auth_WrongPasswordNeverUpAndFailsFast) {
  RedisServerProcess secured({.password = "right"});
  auto options = options_for(secured);
  options.password = "wrong";
  RedisConnection redis(io.get_executor(), options);
  run_test(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await redis.wait_until(true, 500ms));
    const auto start = Clock::now();
    auto reply = co_await redis.command(cmd("PING"));
    EXPECT_LT(elapsed_since(start), 50ms);
    CO_ASSERT_TRUE(!reply.ok());
    EXPECT_EQ(reply.failure(), RedisFailure::kNotConnected);
  });
}

TEST_F(RedisConnectionTest, PausedRedis_OneTimeoutThenFailsFastUntilAProbeIsAnswered) {
  constexpr auto kTimeout = 100ms;
  RedisConnection redis(io.get_executor(), options_for(server, kTimeout));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    server.pause();
    auto start = Clock::now();
    auto reply = co_await redis.command(cmd("SET", "late", "value"));
    auto took = elapsed_since(start);
    CO_ASSERT_TRUE(!reply.ok());
    EXPECT_EQ(reply.failure(), RedisFailure::kTimeout);
    EXPECT_GE(took, kTimeout);
    EXPECT_LT(took, kTimeout + 150ms);
    // SPEC §11.3: the first timeout is the only one a silent Redis costs.
    EXPECT_FALSE(redis.up());
    start = Clock::now();
    auto fast = co_await redis.command(cmd("PING"));
    EXPECT_LT(elapsed_since(start), 20ms);
    EXPECT_EQ(fast.ok() ? "ok" : to_string(fast.failure()), "not_connected");

    server.resume();
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    // The SET ran once Redis read the connection again; its late "OK" found
    // no waiter and was not taken as the GET's reply.
    auto get = co_await redis.command(cmd("GET", "late"));
    CO_ASSERT_TRUE(get.ok());
    EXPECT_NE(describe(get), "OK");
  });
}

TEST_F(RedisConnectionTest, PausedRedis_ATimeoutOnOneLinkMakesTheOthersFailFast) {
  constexpr auto kTimeout = 100ms;
  auto options = options_for(server, kTimeout);
  options.liveness = std::make_shared<RedisLiveness>();
  RedisConnection first(io.get_executor(), options);
  RedisConnection second(io.get_executor(), options);
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await first.wait_until(true, 5s));
    CO_ASSERT_TRUE(co_await second.wait_until(true, 5s));
    server.pause();
    auto reply = co_await first.command(cmd("PING"));
    EXPECT_EQ(reply.ok() ? "ok" : to_string(reply.failure()), "timeout");
    // The second link never timed out itself, yet does not wait either.
    const auto start = Clock::now();
    auto fast = co_await second.command(cmd("PING"));
    EXPECT_LT(elapsed_since(start), 20ms);
    EXPECT_EQ(fast.ok() ? "ok" : to_string(fast.failure()), "not_connected");

    server.resume();
    // The first link's reconnect handshake is the probe; then both answer.
    CO_ASSERT_TRUE(co_await first.wait_until(true, 5s));
    EXPECT_EQ(describe(co_await second.command(cmd("PING"))), "PONG");
    EXPECT_EQ(describe(co_await first.command(cmd("PING"))), "PONG");
  });
}

TEST_F(RedisConnectionTest, PausedRedis_ManyConcurrentCommandsAllFailWithinTimeout) {
  constexpr auto kTimeout = 100ms;
  constexpr int kCommands = 200;
  RedisConnection redis(io.get_executor(), options_for(server, kTimeout));
  std::map<std::string, int> outcomes;
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    server.pause();
    Event finished(io.get_executor());
    const auto start = Clock::now();
    for (int i = 0; i < kCommands; ++i) {
      asio::co_spawn(
          io,
          [&, i]() -> asio::awaitable<void> {
            auto reply = co_await redis.command(cmd("SET", "k" + std::to_string(i), "v"));
            ++outcomes[reply.ok() ? "ok" : std::string(to_string(reply.failure()))];
            finished.notify();
          },
          asio::detached);
    }
    CO_ASSERT_TRUE(co_await finished.wait(kCommands, 5s));
    EXPECT_LT(elapsed_since(start), kTimeout + 150ms);
    // Each waits out at most its own timeout; their late replies must find
    // nothing.
    EXPECT_EQ(outcomes["ok"], 0);
    EXPECT_EQ(outcomes["timeout"] + outcomes["disconnected"], kCommands);
    server.resume();
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    EXPECT_EQ(describe(co_await redis.command(cmd("PING"))), "PONG");
  });
}

TEST_F(RedisConnectionTest, StoppedRedis_CommandsFailFastWithNotConnected) {
  RedisConnection redis(io.get_executor(), options_for(server, 1000ms));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    server.stop();
    CO_ASSERT_TRUE(co_await redis.wait_until(false, 2s));
    EXPECT_FALSE(redis.up());
    for (int i = 0; i < 5; ++i) {
      const auto start = Clock::now();
      auto reply = co_await redis.command(cmd("GET", "x"));
      EXPECT_LT(elapsed_since(start), 20ms) << "far below the 1 s timeout";
      CO_ASSERT_TRUE(!reply.ok());
      EXPECT_EQ(reply.failure(), RedisFailure::kNotConnected);
    }
  });
}

TEST_F(RedisConnectionTest, RestartedRedis_ReconnectsOnItsOwn) {
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    CO_ASSERT_TRUE((co_await redis.command(cmd("SET", "before", "1"))).ok());
    server.stop();
    CO_ASSERT_TRUE(co_await redis.wait_until(false, 2s));
    server.restart();
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    auto set = co_await redis.command(cmd("SET", "after", "2"));
    EXPECT_TRUE(set.ok()) << describe(set);
    auto get = co_await redis.command(cmd("GET", "after"));
    EXPECT_EQ(describe(get), "\"2\"");
    // Nothing persisted: a fresh server.
    EXPECT_TRUE((co_await redis.command(cmd("GET", "before"))).is_nil());
  });
}

TEST_F(RedisConnectionTest, RedisNeverStarted_StaysDownAndFailsFast) {
  auto options = options_for(server);
  server.stop();  // nothing listens on the port now
  RedisConnection redis(io.get_executor(), options);
  run_test(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await redis.wait_until(true, 300ms));
    auto reply = co_await redis.command(cmd("PING"));
    CO_ASSERT_TRUE(!reply.ok());
    EXPECT_EQ(reply.failure(), RedisFailure::kNotConnected);
  });
}

TEST_F(RedisConnectionTest, Destroyed_WaitingCommandsCompleteWithDisconnected) {
  auto redis = std::make_unique<RedisConnection>(io.get_executor(), options_for(server, 5000ms));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis->wait_until(true, 5s));
    server.pause();
    Event done(io.get_executor());
    std::optional<RedisReply> reply;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          reply = co_await redis->command(cmd("PING"));
          done.notify();
        },
        asio::detached);
    // Let the command go out, then tear the connection down under it.
    co_await asio::post(io, asio::use_awaitable);
    redis.reset();
    CO_ASSERT_TRUE(co_await done.wait(1, 1s));
    CO_ASSERT_TRUE(reply && !reply->ok());
    EXPECT_EQ(reply->failure(), RedisFailure::kDisconnected);
    server.resume();
  });
}

}  // namespace
}  // namespace yxgate::redis::test
