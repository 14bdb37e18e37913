// RedisMessageStore::get: lookups started in one event-loop turn share one
// script call, and each gets its own key's answer.
#include "message_cache/redis_message_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <regex>

#include "coalesce/lane.hpp"
#include "message_cache/cached_messages.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_links.hpp"
#include "redis/redis_test_util.hpp"
#include "server/worker_pool.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {
namespace {

using message_cache::RedisLookup;
using testing::RedisServerProcess;

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

TEST_F(RedisMessageStoreTest, ConcurrentLookupsShareOneRoundTripAndGetTheirOwnAnswers) {
  for (int id = 1; id <= 10; id += 2) {
    server.cli({"SET", "yxgate:default:msg:" + std::to_string(id), "value " + std::to_string(id),
                "PX", "60000"});
  }
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
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
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
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
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
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
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
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
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
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
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    server.stop();
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(false, 5s));
    const auto results = co_await lookup_together(store, lane, 1, 5);
    for (const auto& r : results) EXPECT_EQ(r.status, RedisLookup::Status::kError);
  });
}

// Defect 5 (issue 16): a refusal and an error are different answers.
TEST_F(RedisMessageStoreTest, PutTellsStoredRefusedAndErrorApart) {
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    const auto put = [&](std::uint64_t id) {
      return store.put(lane, 0, id, "value", "1|alice|bob", 60s, Clock::now() + 10s);
    };
    EXPECT_EQ(co_await put(7), message_cache::RedisPut::kStored);
    server.cli({"SET", "yxgate:default:tomb:8", "1", "PX", "60000"});
    EXPECT_EQ(co_await put(8), message_cache::RedisPut::kRefused);
    EXPECT_EQ(server.cli({"EXISTS", "yxgate:default:msg:8"}), "0");
    server.stop();
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(false, 5s));
    EXPECT_EQ(co_await put(9), message_cache::RedisPut::kError);
  });
}

// A fill passes only the tombstones its lookup had already seen: the epoch
// the lookup's MGET read (kPutScript). A tombstone written after the
// lookup, one of an older release ('1'), or a fill without an epoch: refused.
TEST_F(RedisMessageStoreTest, AFillPassesOnlyTombstonesItsLookupFollowed) {
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(60));
  message_cache::RedisLane lane(links.connection(0));
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    const auto put = [&](std::uint64_t id, std::optional<std::int64_t> seen) {
      return store.put(lane, 0, id, "value", "1|alice|bob", 60s, Clock::now() + 10s, seen);
    };
    const auto invalidate = [&](std::uint64_t id) -> asio::awaitable<void> {
      request::RedisBudget budget;
      co_await store.invalidate_message(lane, 0, id, budget, false);
    };
    co_await invalidate(11);
    // Read after the invalidation: its epoch is the tombstone's.
    const auto after = co_await store.get(lane, 0, 11);
    CO_ASSERT_TRUE(after.epoch.has_value());
    EXPECT_GT(*after.epoch, 1'000'000'000'000'000);  // a new counter starts at TIME in us
    EXPECT_EQ(co_await put(11, after.epoch), message_cache::RedisPut::kStored);
    // Read before the next invalidation: refused.
    const auto before = co_await store.get(lane, 0, 13);
    co_await invalidate(13);
    EXPECT_EQ(co_await put(13, before.epoch), message_cache::RedisPut::kRefused);
    EXPECT_EQ(co_await put(13, std::nullopt), message_cache::RedisPut::kRefused);
    // An older release's tombstone stands against every fill.
    server.cli({"SET", "yxgate:default:tomb:15", "1", "PX", "60000"});
    EXPECT_EQ(co_await put(15, (co_await store.get(lane, 0, 15)).epoch),
              message_cache::RedisPut::kRefused);
  });
}

// A client's batch_messages: every id in one round trip (issue 18).
TEST_F(RedisMessageStoreTest, GetManyAsksEveryIdInOneRoundTrip) {
  for (int id = 1; id <= 50; id += 2) {
    server.cli({"SET", "yxgate:default:msg:" + std::to_string(id), "v" + std::to_string(id), "PX",
                "60000"});
  }
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
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
TEST_F(RedisMessageStoreTest, APutGetsOnlyWhatIsLeftOfTheBudgetAndSuspectsNothing) {
  redis::RedisLinks links(pool, config);  // timeout 1 s
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    server.pause();
    request::RedisBudget budget;
    budget.spent = 900ms;
    const auto started = Clock::now();
    const auto put =
        co_await store.put(lane, 0, 5, "value", "", 60s, budget.deadline(started, store.timeout()));
    const auto took = Clock::now() - started;
    EXPECT_EQ(put, message_cache::RedisPut::kError);
    EXPECT_GE(took, 90ms);
    EXPECT_LT(took, 600ms);  // a whole timeout would be 1 s
    EXPECT_TRUE(links.connection(0).up());
    budget.spent = 1s;  // all spent: not even sent
    EXPECT_EQ(co_await store.put(lane, 0, 6, "value", "", 60s,
                                 budget.deadline(Clock::now(), store.timeout())),
              message_cache::RedisPut::kError);
    server.resume();
  });
  EXPECT_EQ(server.cli({"EXISTS", "yxgate:default:msg:6"}), "0");
}

class CachedMessagesLeaseTest : public RedisMessageStoreTest {
 protected:
  CachedMessagesLeaseTest() { config.timeout = std::chrono::milliseconds(100); }

  static std::string message(std::uint64_t id, std::string_view text) {
    return R"({"text":")" + std::string(text) + R"(","message_server_id":)" + std::to_string(id) +
           R"(,"sender_id":"alice","conversation_type":1,"receiver_id":"bob",)"
           R"("create_time":1698752272248,"message_type":0})";
  }
  // Polls `condition` every 5 ms until it holds or `limit` passes.
  template <class F>
  static asio::awaitable<bool> until(F condition, std::chrono::milliseconds limit) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = Clock::now() + limit;
    while (!condition()) {
      if (Clock::now() >= deadline) co_return false;
      timer.expires_after(5ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return true;
  }

  router::ConversationId alice_bob{"alice", router::ConversationType::kP2P, "bob"};
};

// Defect 5: a fill Redis refused (a mutation's tombstone) reaches no layer.
TEST_F(CachedMessagesLeaseTest, AFillRedisRefusedIsNotServedLocally) {
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
  message_cache::CachedMessages cache(config::CacheConfig{}, {"default"}, std::chrono::seconds(1));
  cache.attach_redis(&store);
  store.start(cache);
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await until([&] { return cache.leased(Clock::now()); }, 5s));
    request::RedisBudget budget;
    server.cli({"SET", "yxgate:default:tomb:11", "1", "PX", "60000"});
    co_await cache.fill_message(&lane, cache.ticket(0, 11), message(11, "old"), budget);
    co_await cache.fill_message(&lane, cache.ticket(0, 12), message(12, "fine"), budget);
    EXPECT_FALSE(cache.lookup_local(0, 11, alice_bob, std::nullopt).entry);
    EXPECT_TRUE(cache.lookup_local(0, 12, alice_bob, std::nullopt).entry);
  });
}

// SPEC §11.2: the local layer is served only while this replica can show it
// missed no invalidation; after a silent Redis it starts empty.
TEST_F(CachedMessagesLeaseTest, ASilentRedisEndsTheLeaseAndItsReturnDropsTheLocalLayer) {
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
  message_cache::CachedMessages cache(config::CacheConfig{}, {"default"}, std::chrono::seconds(1));
  cache.attach_redis(&store);
  store.start(cache);
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await until([&] { return cache.leased(Clock::now()); }, 5s));
    request::RedisBudget budget;
    co_await cache.fill_message(&lane, cache.ticket(0, 21), message(21, "v1"), budget);
    EXPECT_TRUE(cache.lookup_local(0, 21, alice_bob, std::nullopt).entry);
    server.pause();
    const auto paused = Clock::now();
    // Bound: the lease lasts cache.redis.timeout past the last heartbeat.
    CO_ASSERT_TRUE(co_await until([&] { return !cache.leased(Clock::now()); }, 1s));
    EXPECT_LE(Clock::now() - paused, 150ms);
    EXPECT_FALSE(cache.lookup_local(0, 21, alice_bob, std::nullopt).entry);
    server.resume();
    CO_ASSERT_TRUE(co_await until([&] { return cache.leased(Clock::now()); }, 5s));
    // Held through the silence: may be an old version, so it is gone.
    EXPECT_FALSE(cache.lookup_local(0, 21, alice_bob, std::nullopt).entry);
    co_await cache.fill_message(&lane, cache.ticket(0, 22), message(22, "v1"), budget);
    EXPECT_TRUE(cache.lookup_local(0, 22, alice_bob, std::nullopt).entry);
  });
}

// Issue 18: a batch call's fills are written in one pipelined round trip
// (Redis reads them in one go), not one round trip per message.
TEST_F(CachedMessagesLeaseTest, ACallsFillsLeaveTogether) {
  redis::RedisLinks links(pool, config);
  message_cache::RedisMessageStore store(links, pool, {"default"}, std::chrono::seconds(1));
  message_cache::RedisLane lane(links.connection(0));  // worker 0's side of the Redis layer
  message_cache::CachedMessages cache(config::CacheConfig{}, {"default"}, std::chrono::seconds(1));
  cache.attach_redis(&store);
  run_test(pool.context(0), [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await links.connection(0).wait_until(true, 5s));
    co_await store.get(lane, 0, 999);  // connected; the put script is loaded below
    request::RedisBudget budget;
    co_await cache.fill_message(&lane, cache.ticket(0, 100), message(100, "warm"), budget);
    std::vector<std::string> bodies;
    std::vector<coalesce::FillTicket> tickets;
    for (std::uint64_t id = 101; id <= 150; ++id) {
      bodies.push_back(message(id, "v"));
      tickets.push_back(cache.ticket(0, id));
    }
    std::vector<coalesce::Fill> fills;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      fills.push_back({coalesce::Fill::Kind::kMessage, &tickets[i], bodies[i], 0});
    }
    const auto before = reads_processed();
    co_await cache.fill_call(&lane, alice_bob, std::move(fills));
    // One read per message before; now a burst Redis reads in a few chunks
    // (fewer on an idle machine: 1).
    EXPECT_LT(reads_processed() - before, 10);
  });
  EXPECT_EQ(server.cli({"EXISTS", "yxgate:default:msg:101", "yxgate:default:msg:150"}), "2");
}

}  // namespace
}  // namespace yxgate::redis::test
