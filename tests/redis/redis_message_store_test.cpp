// RedisMessageStore::get: lookups started in one event-loop turn share one
// script call, and each gets its own key's answer.
#include "pipeline/redis_message_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <regex>

#include "pipeline/redis_links.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_test_util.hpp"
#include "server/worker_pool.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {
namespace {

using pipeline::RedisLookup;
using testing::RedisServerProcess;

class RedisMessageStoreTest : public ::testing::Test {
 protected:
  RedisMessageStoreTest() {
    config.url = server.url();
    config.timeout = std::chrono::milliseconds(1000);
  }

  // How many script calls Redis has served.
  int script_calls() const {
    const auto stats = server.cli({"INFO", "commandstats"});
    int calls = 0;
    for (const char* command : {"evalsha", "eval"}) {
      std::smatch m;
      if (std::regex_search(stats, m,
                            std::regex(std::string("cmdstat_") + command + ":calls=(\\d+)"))) {
        calls += std::stoi(m[1]);
      }
    }
    return calls;
  }

  // Starts `count` lookups of ids first..first+count-1 in the same loop turn
  // and waits for all of them.
  asio::awaitable<std::vector<RedisLookup>> lookup_together(pipeline::RedisMessageStore& store,
                                                            std::uint64_t first, int count) {
    std::vector<RedisLookup> results(count);
    Event answered(co_await asio::this_coro::executor);
    for (int i = 0; i < count; ++i) {
      asio::co_spawn(
          co_await asio::this_coro::executor,
          [&, i]() -> asio::awaitable<void> {
            results[i] = co_await store.get(0, 0, first + i);
            answered.notify();
          },
          asio::detached);
    }
    EXPECT_TRUE(co_await answered.wait(count, 5s));
    co_return results;
  }

  RedisServerProcess server;
  config::RedisConfig config;
  server::WorkerPool pool{1};
};

TEST_F(RedisMessageStoreTest, ConcurrentLookupsShareOneScriptCallAndGetTheirOwnAnswers) {
  for (int id = 1; id <= 10; id += 2) {
    server.cli({"SET", "yxgate:default:msg:" + std::to_string(id), "value " + std::to_string(id),
                "PX", "60000"});
  }
  pipeline::RedisLinks links(pool, config);
  pipeline::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    co_await store.get(0, 0, 999);  // loads the script
    const int before = script_calls();
    const auto results = co_await lookup_together(store, 1, 10);
    EXPECT_EQ(script_calls() - before, 1);
    for (int i = 0; i < 10; ++i) {
      const int id = i + 1;
      if (id % 2 == 1) {
        EXPECT_EQ(results[i].status, RedisLookup::Status::kFound) << id;
        EXPECT_EQ(results[i].cached.value, "value " + std::to_string(id));
        EXPECT_GT(results[i].cached.ttl_left.count(), 0);
        EXPECT_LE(results[i].cached.ttl_left.count(), 60000);
      } else {
        EXPECT_EQ(results[i].status, RedisLookup::Status::kMissing) << id;
      }
    }
  });
}

TEST_F(RedisMessageStoreTest, AScriptCallAsksAtMostSixtyFourKeys) {
  pipeline::RedisLinks links(pool, config);
  pipeline::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    co_await store.get(0, 0, 999);
    const int before = script_calls();
    const auto results = co_await lookup_together(store, 1, 100);
    EXPECT_EQ(script_calls() - before, 2);
    for (const auto& r : results) EXPECT_EQ(r.status, RedisLookup::Status::kMissing);
  });
}

TEST_F(RedisMessageStoreTest, EveryLookupOfAFailedCallIsAnError) {
  pipeline::RedisLinks links(pool, config);
  pipeline::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    server.stop();
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(false, 5s));
    const auto results = co_await lookup_together(store, 1, 5);
    for (const auto& r : results) EXPECT_EQ(r.status, RedisLookup::Status::kError);
  });
}

}  // namespace
}  // namespace yxgate::redis::test
