// RedisMessageStore fills: stored, refused by a tombstone (unless the
// lookup followed it) or failed, within what is left of the budget.
#include <gtest/gtest.h>

#include "redis/message_store_fixture.hpp"
#include "request/redis_budget.hpp"

namespace yxgate::redis::test {
namespace {

TEST_F(RedisMessageStoreTest, PutTellsStoredRefusedAndErrorApart) {
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
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

TEST_F(RedisMessageStoreTest, AFillPassesOnlyTombstonesItsLookupFollowed) {
  StoreUnderTest under_test(pool, config, std::chrono::seconds(60));
  auto& [links, store, lane] = under_test;
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

TEST_F(RedisMessageStoreTest, APutGetsOnlyWhatIsLeftOfTheBudgetAndSuspectsNothing) {
  StoreUnderTest under_test(pool, config);
  auto& [links, store, lane] = under_test;
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

}  // namespace
}  // namespace yxgate::redis::test
