// RedisConnection::pipeline against a real redis-server: several commands
// in one write, a reply per command in order, and every failure (down,
// silent, torn down, budget) given to every command that got no reply.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_test_util.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisServerProcess;

// Named, not braced in the co_await: GCC 12 rejects an initializer list
// there ("array used as initializer").
using Commands = std::vector<std::vector<std::string>>;

class RedisPipelineTest : public ::testing::Test {
 protected:
  // Read events Redis has processed (INFO stats, this INFO's own included).
  long reads_processed() const {
    const auto stats = server.cli({"INFO", "stats"});
    const auto at = stats.find("total_reads_processed:");
    return at == std::string::npos ? -1 : std::stol(stats.substr(at + 22));
  }
  static std::vector<std::string> failures(const std::vector<RedisReply>& replies) {
    std::vector<std::string> out;
    for (const auto& reply : replies) {
      out.emplace_back(reply.ok() ? "ok" : to_string(reply.failure()));
    }
    return out;
  }

  RedisServerProcess server;
  asio::io_context io;
};

TEST_F(RedisPipelineTest, RepliesComeInOrderOnePerCommandFromOneWrite) {
  server.cli({"SET", "a", "1"});
  server.cli({"SET", "b", "2", "PX", "60000"});
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    // What asking costs by itself (redis-cli's own reads), then the pipeline.
    const auto first = reads_processed();
    const auto before = reads_processed();
    Commands commands{cmd("MGET", "a", "missing", "b"), cmd("PTTL", "b"), cmd("PTTL", "a"),
                      cmd("NOSUCHCMD")};
    auto replies = co_await redis.pipeline(std::move(commands));
    EXPECT_EQ(reads_processed() - before, (before - first) + 1)
        << "the four commands came in one read";
    CO_ASSERT_TRUE(replies.size() == 4u);
    EXPECT_EQ(describe(replies[0]), R"(["1", (nil), "2"])");
    CO_ASSERT_TRUE(replies[1].ok() && replies[1]->is_integer());
    EXPECT_GT(replies[1]->integer, 0);
    EXPECT_LE(replies[1]->integer, 60000);
    EXPECT_EQ(describe(replies[2]), "(integer) -1") << "no expiry";
    EXPECT_TRUE(replies[3].is_error()) << "an error reply is a reply, not a failure";
    // The connection is in step afterwards: the next reply is its own.
    const auto next = co_await redis.command(cmd("GET", "a"));
    EXPECT_EQ(describe(next), "\"1\"");
  });
}

TEST_F(RedisPipelineTest, DownRedisFailsEveryCommandAtOnce) {
  RedisConnection redis(io.get_executor(), options_for(server, 1000ms));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    server.stop();
    CO_ASSERT_TRUE(co_await redis.wait_until(false, 2s));
    const auto start = Clock::now();
    Commands commands1{cmd("GET", "a"), cmd("PTTL", "a")};
    auto replies = co_await redis.pipeline(std::move(commands1));
    EXPECT_LT(elapsed_since(start), 20ms) << "far below the 1 s timeout";
    EXPECT_EQ(failures(replies), (std::vector<std::string>{"not_connected", "not_connected"}));
  });
}

TEST_F(RedisPipelineTest, SilentRedisTimesOutEveryCommandOnceAndIsSuspected) {
  constexpr auto kTimeout = 100ms;
  RedisConnection redis(io.get_executor(), options_for(server, kTimeout));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    server.pause();
    const auto start = Clock::now();
    Commands commands2{cmd("GET", "a"), cmd("GET", "b"), cmd("GET", "c")};
    auto replies = co_await redis.pipeline(std::move(commands2));
    const auto took = elapsed_since(start);
    EXPECT_GE(took, kTimeout);
    EXPECT_LT(took, kTimeout + 150ms);
    EXPECT_EQ(failures(replies), (std::vector<std::string>{"timeout", "timeout", "timeout"}));
    EXPECT_FALSE(redis.up()) << "one silent pipeline is a timeout like any command's";
    server.resume();
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    // The late replies found no waiter and were not taken as these.
    server.cli({"SET", "a", "fresh"});
    Commands commands3{cmd("GET", "a"), cmd("GET", "none")};
    auto after = co_await redis.pipeline(std::move(commands3));
    EXPECT_EQ(describe(after[0]), "\"fresh\"");
    EXPECT_TRUE(after[1].is_nil());
  });
}

TEST_F(RedisPipelineTest, ABudgetShorterThanTheTimeoutEndsInOutOfTimeAndSuspectsNothing) {
  RedisConnection redis(io.get_executor(), options_for(server, 1000ms));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    server.pause();
    Commands commands4{cmd("GET", "a"), cmd("GET", "b")};
    auto replies = co_await redis.pipeline(std::move(commands4), Clock::now() + 50ms);
    EXPECT_EQ(failures(replies), (std::vector<std::string>{"out_of_time", "out_of_time"}));
    EXPECT_TRUE(redis.up()) << "the caller's budget ran out, not Redis' time";
    Commands commands5{cmd("GET", "a")};
    auto spent = co_await redis.pipeline(std::move(commands5), Clock::now() - 1ms);
    EXPECT_EQ(failures(spent), (std::vector<std::string>{"out_of_time"})) << "nothing sent";
    server.resume();
  });
}

TEST_F(RedisPipelineTest, TornDownConnectionCompletesEveryWaitingCommandWithDisconnected) {
  auto redis = std::make_unique<RedisConnection>(io.get_executor(), options_for(server, 5000ms));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis->wait_until(true, 5s));
    server.pause();
    Event done(io.get_executor());
    std::vector<RedisReply> replies;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          Commands commands6{cmd("PING"), cmd("PING"), cmd("PING")};
          replies = co_await redis->pipeline(std::move(commands6));
          done.notify();
        },
        asio::detached);
    co_await asio::post(io, asio::use_awaitable);  // the pipeline goes out
    redis.reset();
    CO_ASSERT_TRUE(co_await done.wait(1, 1s));
    EXPECT_EQ(failures(replies),
              (std::vector<std::string>{"disconnected", "disconnected", "disconnected"}));
    server.resume();
  });
}

}  // namespace
}  // namespace yxgate::redis::test
