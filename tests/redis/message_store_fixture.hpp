#pragma once
// The fixture of the Redis layer's tests (RedisMessageStore, CachedMessages
// on top of it): a real redis-server of its own, a one-worker pool, and the
// store with its lane on worker 0.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "message_cache/redis_message_store.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_links.hpp"
#include "redis/redis_test_util.hpp"
#include "server/worker_pool.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {

using message_cache::RedisLookup;
using testing::RedisServerProcess;

// The store under test: its links, the store, and worker 0's side of it.
// Tests take the three by `auto& [links, store, lane] = under_test;`.
struct StoreUnderTest {
  StoreUnderTest(server::WorkerPool& pool, const config::RedisConfig& config,
                 std::chrono::seconds race_horizon = std::chrono::seconds(1))
      : links(pool, config),
        store(links, pool, {"default"}, race_horizon),
        lane(links.connection(0)) {}
  redis::RedisLinks links;
  message_cache::RedisMessageStore store;
  message_cache::RedisLane lane;
};

class RedisMessageStoreTest : public ::testing::Test {
 protected:
  RedisMessageStoreTest() {
    config.url = server.url();
    config.timeout = std::chrono::milliseconds(1000);
  }

  // Lookups go as one pipeline (MGET, then PTTL per key): one MGET is one
  // round trip.
  int lookup_round_trips() const { return server.command_calls({"mget"}); }
  int per_key_commands() const { return server.command_calls({"get", "evalsha", "eval"}); }
  // Read events Redis has processed (INFO stats): a pipelined burst is one.
  long reads_processed() const {
    const auto stats = server.cli({"INFO", "stats"});
    const auto at = stats.find("total_reads_processed:");
    return at == std::string::npos ? -1 : std::stol(stats.substr(at + 22));
  }

  // Starts `count` lookups of ids first..first+count-1 in the same loop turn
  // and waits for all of them.
  asio::awaitable<std::vector<RedisLookup>> lookup_together(message_cache::RedisMessageStore& store,
                                                            message_cache::RedisLane& lane,
                                                            std::uint64_t first, int count) {
    std::vector<RedisLookup> results(count);
    Event answered(co_await asio::this_coro::executor);
    for (int i = 0; i < count; ++i) {
      asio::co_spawn(
          co_await asio::this_coro::executor,
          [&, i]() -> asio::awaitable<void> {
            results[i] = co_await store.get(lane, 0, first + i);
            answered.notify();
          },
          asio::detached);
    }
    EXPECT_TRUE(co_await answered.wait(count, 5s));
    co_return results;
  }

  // Starts a lookup of `id` on this loop turn: its answer goes to `result`
  // (and the time to `ended`), then `answered` is notified.
  static void spawn_lookup(message_cache::RedisMessageStore& store, message_cache::RedisLane& lane,
                           std::uint64_t id, RedisLookup& result, Event& answered,
                           Clock::time_point* ended = nullptr) {
    asio::co_spawn(
        answered.executor(),
        [&store, &lane, id, &result, &answered, ended]() -> asio::awaitable<void> {
          result = co_await store.get(lane, 0, id);
          if (ended) *ended = Clock::now();
          answered.notify();
        },
        asio::detached);
  }

  RedisServerProcess server;
  config::RedisConfig config;
  server::WorkerPool pool{1};
};

}  // namespace yxgate::redis::test
