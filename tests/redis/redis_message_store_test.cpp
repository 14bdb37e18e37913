// RedisMessageStore lookups: those started together share one pipelined
// MGET, each gets its own key's answer, a client batch is one round trip,
// and lookups started while calls are out wait and leave together.
#include <gtest/gtest.h>

#include "redis/message_store_fixture.hpp"

namespace yxgate::redis::test {
namespace {

TEST_F(RedisMessageStoreTest, ConcurrentLookupsShareOneRoundTripAndGetTheirOwnAnswers) {
  for (int id = 1; id <= 10; id += 2) {
    server.cli({"SET", "yxgate:default:msg:" + std::to_string(id), "value " + std::to_string(id),
                "PX", "60000"});
  }
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    co_await store.get(lane, 0, 999);  // connected and answering
    const int before = lookup_round_trips();
    const int per_key_before = per_key_commands();
    const auto results = co_await lookup_together(store, lane, 1, 10);
    EXPECT_EQ(lookup_round_trips() - before, 1);
    EXPECT_EQ(per_key_commands() - per_key_before, 0);
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

// With the local layer off nothing is refilled: no PTTL is asked, and a

// found value carries no time left (so it can refill nothing).

TEST_F(RedisMessageStoreTest, LookupsWithoutTtlAskOnlyMget) {
  server.cli({"SET", "yxgate:default:msg:7", "seven", "PX", "60000"});
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    const int pttl_before = server.command_calls({"pttl"});
    const auto one = co_await store.get(lane, 0, 7, /*with_ttl=*/false);
    const std::vector<std::uint64_t> ids{7, 8};
    const auto many = co_await store.get_many(lane, 0, ids, Clock::now() + 5s, /*with_ttl=*/false);
    EXPECT_EQ(server.command_calls({"pttl"}), pttl_before);
    EXPECT_EQ(one.status, RedisLookup::Status::kFound);
    EXPECT_EQ(one.cached.value, "seven");
    EXPECT_EQ(one.cached.ttl_left.count(), 0);
    CO_ASSERT_TRUE(many.size() == 2u);
    EXPECT_EQ(many[0].cached.value, "seven");
    EXPECT_EQ(many[0].cached.ttl_left.count(), 0);
    EXPECT_EQ(many[1].status, RedisLookup::Status::kMissing);
    const auto with_ttl = co_await store.get(lane, 0, 7);
    EXPECT_GT(with_ttl.cached.ttl_left.count(), 0);
    EXPECT_EQ(server.command_calls({"pttl"}), pttl_before + 1);
  });
}

TEST_F(RedisMessageStoreTest, ARoundTripAsksAtMostSixtyFourKeys) {
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    co_await store.get(lane, 0, 999);
    const int before = lookup_round_trips();
    const auto results = co_await lookup_together(store, lane, 1, 100);
    EXPECT_EQ(lookup_round_trips() - before, 2);
    for (const auto& r : results) EXPECT_EQ(r.status, RedisLookup::Status::kMissing);
  });
}

// Issue 18: lookups started while two calls are out wait for one of them

// and then leave together, whatever loop turn they started in: under load

// one MGET carries many lookups. Redis is stopped so that the first calls

// are certainly out.

TEST_F(RedisMessageStoreTest, LookupsStartedWhileACallIsOutLeaveTogetherAfterIt) {
  server.cli({"SET", "yxgate:default:msg:3", "three", "PX", "60000"});
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    co_await store.get(lane, 0, 999);  // connected and answering
    const int before = lookup_round_trips();
    const auto executor = co_await asio::this_coro::executor;
    std::vector<RedisLookup> results(5);
    Event answered(executor);
    const auto start = [&](int i) {
      spawn_lookup(store, lane, static_cast<std::uint64_t>(i + 1), results[i], answered);
    };
    server.pause();
    start(0);
    for (int i = 1; i < 5; ++i) {
      // A later loop turn each: the first call has been written by then.
      co_await asio::post(executor, asio::use_awaitable);
      co_await asio::post(executor, asio::use_awaitable);
      start(i);
    }
    co_await asio::post(executor, asio::use_awaitable);
    server.resume();
    CO_ASSERT_TRUE(co_await answered.wait(5, 5s));
    EXPECT_EQ(lookup_round_trips() - before, 3);  // two alone, three together
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(results[i].status,
                i == 2 ? RedisLookup::Status::kFound : RedisLookup::Status::kMissing)
          << i;
    }
    EXPECT_EQ(results[2].cached.value, "three");
  });
}

// SPEC §11.3: a lookup held behind calls to a silent Redis is not given a

// timeout of its own when the first of them times out: it ends with it.

TEST_F(RedisMessageStoreTest, ALookupHeldBehindACallToASilentRedisEndsWithIt) {
  config.timeout = std::chrono::milliseconds(300);
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    co_await store.get(lane, 0, 999);  // connected and answering
    const auto executor = co_await asio::this_coro::executor;
    std::vector<Clock::time_point> ended(3);
    std::vector<RedisLookup> results(3);
    Event answered(executor);
    const auto start = [&](int i) {
      spawn_lookup(store, lane, 1, results[i], answered, &ended[i]);
    };
    server.pause();
    start(0);
    co_await asio::post(executor, asio::use_awaitable);
    co_await asio::post(executor, asio::use_awaitable);
    start(1);
    // The third lookup starts half a timeout into the first ones' wait.
    asio::steady_timer later(executor, 150ms);
    co_await later.async_wait(asio::use_awaitable);
    start(2);
    CO_ASSERT_TRUE(co_await answered.wait(3, 5s));
    for (const auto& result : results) EXPECT_EQ(result.status, RedisLookup::Status::kError);
    EXPECT_LT(ended[2] - ended[0], 100ms);
  });
}

TEST_F(RedisMessageStoreTest, EveryLookupOfAFailedCallIsAnError) {
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    server.stop();
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(false, 5s));
    const auto results = co_await lookup_together(store, lane, 1, 5);
    for (const auto& r : results) EXPECT_EQ(r.status, RedisLookup::Status::kError);
  });
}

// Defect 5 (issue 16): a refusal and an error are different answers.

// A fill passes only the tombstones its lookup had already seen: the epoch

// the lookup's MGET read (kPutScript). A tombstone written after the

// lookup, one of an older release ('1'), or a fill without an epoch: refused.

// A client's batch_messages: every id in one round trip (issue 18).

TEST_F(RedisMessageStoreTest, GetManyAsksEveryIdInOneRoundTrip) {
  for (int id = 1; id <= 50; id += 2) {
    server.cli({"SET", "yxgate:default:msg:" + std::to_string(id), "v" + std::to_string(id), "PX",
                "60000"});
  }
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    co_await store.get(lane, 0, 999);  // connected and answering
    std::vector<std::uint64_t> ids;
    for (std::uint64_t id = 1; id <= 50; ++id) ids.push_back(id);
    const int before = lookup_round_trips();
    const int per_key_before = per_key_commands();
    const auto results = co_await store.get_many(lane, 0, ids, Clock::now() + 5s);
    EXPECT_EQ(lookup_round_trips() - before, 1);
    EXPECT_EQ(per_key_commands() - per_key_before, 0);
    CO_ASSERT_TRUE(results.size() == 50u);
    for (std::uint64_t id = 1; id <= 50; ++id) {
      const auto& r = results[id - 1];
      if (id % 2 == 1) {
        EXPECT_EQ(r.status, RedisLookup::Status::kFound) << id;
        EXPECT_EQ(r.cached.value, "v" + std::to_string(id));
      } else {
        EXPECT_EQ(r.status, RedisLookup::Status::kMissing) << id;
      }
    }
  });
}

// SPEC §11.3: a request whose lookup spent most of cache.redis.timeout gets

// only the rest for its fill; running out of it is not Redis' fault, so

// nothing is marked suspect.

}  // namespace
}  // namespace yxgate::redis::test
