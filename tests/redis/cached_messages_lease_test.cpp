// CachedMessages over the Redis layer: the local layer only under the
// lease (SPEC §11.2), refused fills reach no layer, a call's fills leave
// together.
#include <gtest/gtest.h>

#include "coalesce/lane.hpp"
#include "message_cache/cached_messages.hpp"
#include "redis/message_store_fixture.hpp"

namespace yxgate::redis::test {
namespace {

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

  // The cache over the store under test; `started`: the store's subscriber
  // and heartbeats run for it (the lease).
  struct CacheUnderTest {
    CacheUnderTest(server::WorkerPool& pool, const config::RedisConfig& config, bool started)
        : redis(pool, config), cache(config::CacheConfig{}, {"default"}, std::chrono::seconds(1)) {
      cache.attach_redis(&redis.store);
      if (started) redis.store.start(cache);
    }
    StoreUnderTest redis;
    message_cache::CachedMessages cache;
  };

  router::ConversationId alice_bob{"alice", router::ConversationType::kP2P, "bob"};
};

// Defect 5: a fill Redis refused (a mutation's tombstone) reaches no layer.
TEST_F(CachedMessagesLeaseTest, AFillRedisRefusedIsNotServedLocally) {
  CacheUnderTest under_test(pool, config, /*started=*/true);
  auto& [links, store, lane] = under_test.redis;
  auto& cache = under_test.cache;
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
  CacheUnderTest under_test(pool, config, /*started=*/true);
  auto& [links, store, lane] = under_test.redis;
  auto& cache = under_test.cache;
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
  CacheUnderTest under_test(pool, config, /*started=*/false);
  auto& [links, store, lane] = under_test.redis;
  auto& cache = under_test.cache;
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
