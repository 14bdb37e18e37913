// cache.redis.mode: cluster against a real 3-master (+3 replica) cluster:
// commands reach the master of their key's slot, a slot reassigned to
// another master is followed through MOVED, a killed master costs fast
// failures (never a wait) until its replica is promoted, and pub/sub
// reaches a subscriber connected to any node; a subscriber pinned to a
// channel's slot follows that slot when it moves to another master.
#include "support/redis_cluster.hpp"

#include <gtest/gtest.h>

#include <string>

#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_subscriber.hpp"
#include "redis/redis_test_util.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisClusterGroup;

double moved_count() { return metrics::yxgate_metrics().redis_moved_total.Value(); }
double failovers() { return metrics::yxgate_metrics().redis_failovers_total.Value(); }

class RedisClusterTest : public ::testing::Test {
 protected:
  RedisOptions options() {
    config::RedisConfig config;
    config.url = "redis://127.0.0.1:1/0";
    config.mode = "cluster";
    config.nodes = {group.addresses()[0], group.addresses()[3]};  // two seeds suffice
    config.timeout = 1000ms;
    auto options = RedisOptions::from_config(config);
    EXPECT_TRUE(options.ok());
    return options.value();
  }

  // Reassigns `key`'s (empty) slot to `to` on every node at once. The new
  // owner first, with the highest config epoch, so the old owner's gossip
  // (a lower epoch) cannot take the slot back before every node knows (it
  // did, now and then, without BUMPEPOCH).
  void give_slot_to(const std::string& key, testing::RedisServerProcess* to) {
    const auto slot = group.cli({"CLUSTER", "KEYSLOT", key});
    const auto to_id = to->cli({"CLUSTER", "MYID"});
    to->cli({"CLUSTER", "SETSLOT", slot, "NODE", to_id});
    to->cli({"CLUSTER", "BUMPEPOCH"});
    for (auto& node : group.nodes()) {
      if (node->running()) node->cli({"CLUSTER", "SETSLOT", slot, "NODE", to_id});
    }
  }

  RedisClusterGroup group;
  asio::io_context io;
};

TEST_F(RedisClusterTest, CommandsReachTheMasterOfTheirSlot) {
  RedisConnection redis(io.get_executor(), options());
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    for (int i = 0; i < 30; ++i) {
      const auto key = "key-" + std::to_string(i);
      auto set = co_await redis.command(cmd("SET", key, std::to_string(i)));
      EXPECT_EQ(describe(set), "OK") << key;
    }
    // A script over two keys with one hash tag runs on that tag's node.
    auto eval = co_await redis.command(
        cmd("EVAL", "redis.call('SET', KEYS[1], 'a'); return redis.call('SET', KEYS[2], 'b')", "2",
            "{app}:one", "{app}:two"));
    EXPECT_EQ(describe(eval), "OK");
  });
  for (int i = 0; i < 30; ++i) {
    const auto key = "key-" + std::to_string(i);
    auto* master = group.master_of(key);
    ASSERT_NE(master, nullptr);
    EXPECT_EQ(master->cli({"GET", key}), std::to_string(i)) << key;
  }
  EXPECT_EQ(group.master_of("{app}:one")->cli({"GET", "{app}:two"}), "b");
}

TEST_F(RedisClusterTest, ReassignedSlotIsFollowedThroughMoved) {
  RedisConnection redis(io.get_executor(), options());
  const std::string key = "moving";
  auto* from = group.master_of(key);
  ASSERT_NE(from, nullptr);
  auto* to = group.another_master(from);
  ASSERT_NE(to, nullptr);
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    EXPECT_TRUE((co_await redis.command(cmd("GET", key))).is_nil());  // map learnt
  });
  give_slot_to(key, to);  // the slot is empty
  const auto moved_before = moved_count();
  run_test(io, [&]() -> asio::awaitable<void> {
    auto set = co_await redis.command(cmd("SET", key, "moved"));
    EXPECT_EQ(describe(set), "OK");
  });
  EXPECT_EQ(to->cli({"GET", key}), "moved");
  EXPECT_EQ(moved_count(), moved_before + 1);  // yxgate_redis_redirects_total{kind="moved"}
}

// A pipeline (the cache's lookups) goes to its first key's master; MOVED
// sends it again, whole, to the new one.
TEST_F(RedisClusterTest, APipelineFollowsMovedAsAWhole) {
  RedisConnection redis(io.get_executor(), options());
  const std::string one = "{moving-pipe}:1";
  const std::string two = "{moving-pipe}:2";
  auto* from = group.master_of(one);
  ASSERT_NE(from, nullptr);
  auto* to = group.another_master(from);
  ASSERT_NE(to, nullptr);
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    EXPECT_TRUE((co_await redis.command(cmd("GET", one))).is_nil());  // map learnt
  });
  give_slot_to(one, to);
  to->cli({"SET", two, "there", "PX", "60000"});
  const auto moved_before = moved_count();
  run_test(io, [&]() -> asio::awaitable<void> {
    std::vector<std::vector<std::string>> commands{cmd("MGET", one, two), cmd("PTTL", two)};
    auto replies = co_await redis.pipeline(std::move(commands));
    CO_ASSERT_TRUE(replies.size() == 2u);
    EXPECT_EQ(describe(replies[0]), R"([(nil), "there"])");
    CO_ASSERT_TRUE(replies[1].ok() && replies[1]->is_integer());
    EXPECT_GT(replies[1]->integer, 0);
  });
  EXPECT_EQ(moved_count(), moved_before + 1);
}

TEST_F(RedisClusterTest, SlotBeingMigratedIsFollowedThroughAsk) {
  RedisConnection redis(io.get_executor(), options());
  const std::string key = "migrating";
  auto* from = group.master_of(key);
  ASSERT_NE(from, nullptr);
  auto* to = group.another_master(from);
  ASSERT_NE(to, nullptr);
  run_test(io,
           [&]() -> asio::awaitable<void> { CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s)); });
  // Mid-migration: the source answers ASK for keys it does not hold.
  const auto slot = group.cli({"CLUSTER", "KEYSLOT", key});
  ASSERT_EQ(to->cli({"CLUSTER", "SETSLOT", slot, "IMPORTING", from->cli({"CLUSTER", "MYID"})}),
            "OK");
  ASSERT_EQ(from->cli({"CLUSTER", "SETSLOT", slot, "MIGRATING", to->cli({"CLUSTER", "MYID"})}),
            "OK");
  const auto asks_before = metrics::yxgate_metrics().redis_ask_total.Value();
  run_test(io, [&]() -> asio::awaitable<void> {
    EXPECT_EQ(describe(co_await redis.command(cmd("SET", key, "asked"))), "OK");
    auto get = co_await redis.command(cmd("GET", key));
    EXPECT_EQ(describe(get), "\"asked\"");
  });
  // ASK is one-shot: the map still names the source for the slot.
  EXPECT_EQ(metrics::yxgate_metrics().redis_ask_total.Value(), asks_before + 2);
  for (auto& node : group.nodes()) {
    node->cli({"CLUSTER", "SETSLOT", slot, "NODE", to->cli({"CLUSTER", "MYID"})});
  }
  EXPECT_EQ(to->cli({"GET", key}), "asked");
}

TEST_F(RedisClusterTest, KilledMasterFailsFastThenItsReplicaTakesOver) {
  RedisConnection redis(io.get_executor(), options());
  RedisSubscriber subscriber(io.get_executor(), options());
  Event received(io.get_executor());
  Event subscribed(io.get_executor());
  subscriber.subscribe(
      "yxgate:invalidate", [&](std::string_view) { received.notify(); },
      [&] { subscribed.notify(); });
  const std::string key = "victim";
  auto* master = group.master_of(key);
  ASSERT_NE(master, nullptr);
  const auto failovers_before = failovers();
  run_test(
      io,
      [&]() -> asio::awaitable<void> {
        CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
        CO_ASSERT_TRUE(co_await subscribed.wait(1, 5s));
        EXPECT_EQ(describe(co_await redis.command(cmd("SET", key, "1"))), "OK");
        master->kill();
        // Until the replica is promoted: failures, each fast, never a wait.
        bool recovered = false;
        const auto deadline = Clock::now() + 15s;
        while (!recovered && Clock::now() < deadline) {
          const auto start = Clock::now();
          auto reply = co_await redis.command(cmd("SET", key, "2"));
          if (reply.ok() && !reply.is_error()) {
            recovered = true;
          } else {
            EXPECT_LT(elapsed_since(start), 300ms) << describe(reply);
            asio::steady_timer pause(io, 20ms);
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
          }
        }
        CO_ASSERT_TRUE(recovered);
        CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
        // PUBLISH through any master reaches the subscriber wherever it is.
        CO_ASSERT_TRUE(co_await subscribed.wait(1, 5s));
        co_await redis.command(cmd("PUBLISH", "yxgate:invalidate", "x"));
        CO_ASSERT_TRUE(co_await received.wait(1, 5s));
      },
      40s);
  auto* promoted = group.master_of(key);
  ASSERT_NE(promoted, nullptr);
  EXPECT_NE(promoted, master);
  EXPECT_EQ(promoted->cli({"GET", key}), "2");
  // Once, though the connection and the map refreshes all saw it.
  EXPECT_EQ(failovers(), failovers_before + 1);
}

// Subscribers of `channel` on `node` (classic pub/sub): "channel\ncount".
int subscribers(testing::RedisServerProcess& node, const std::string& channel) {
  const auto out = node.cli({"PUBSUB", "NUMSUB", channel});
  return std::stoi(out.substr(out.find('\n') + 1));
}

TEST_F(RedisClusterTest, PinnedSubscriberMovesWithItsSlotWithoutAnError) {
  const std::string channel = "yxgate:invalidate";
  auto pinned = options();
  pinned.pubsub_pin = channel;
  RedisSubscriber subscriber(io.get_executor(), pinned);
  Event received(io.get_executor());
  Event subscribed(io.get_executor());
  subscriber.subscribe(
      channel, [&](std::string_view) { received.notify(); }, [&] { subscribed.notify(); });
  auto* from = group.master_of(channel);
  ASSERT_NE(from, nullptr);
  auto* to = group.another_master(from);
  ASSERT_NE(to, nullptr);
  run_test(io, [&]() -> asio::awaitable<void> { CO_ASSERT_TRUE(co_await subscribed.wait(1, 5s)); });
  EXPECT_EQ(subscribers(*from, channel), 1);
  const auto errors_before = metrics::yxgate_metrics().redis_errors_total.Value();
  group.migrate_slot(channel, *to);
  // The old master pushes sunsubscribe for the pin (sharded pub/sub): the
  // subscriber reconnects to the new one and subscribes again there.
  run_test(io, [&]() -> asio::awaitable<void> { CO_ASSERT_TRUE(co_await subscribed.wait(2, 5s)); });
  EXPECT_EQ(subscribers(*to, channel), 1);
  EXPECT_EQ(subscribers(*from, channel), 0);
  // Counted where a PUBLISH routed by the channel goes.
  EXPECT_EQ(to->cli({"PUBLISH", channel, "x"}), "1");
  run_test(io, [&]() -> asio::awaitable<void> { CO_ASSERT_TRUE(co_await received.wait(1, 5s)); });
  EXPECT_EQ(metrics::yxgate_metrics().redis_errors_total.Value(), errors_before);
}

TEST_F(RedisClusterTest, SubscriberWithoutShardedPubSubStillGetsInvalidations) {
  // An ACL user that may not SSUBSCRIBE (as Redis before 7 has none): the
  // tripwire is given up, once, and the plain subscription stays.
  for (auto& node : group.nodes()) {
    ASSERT_EQ(node->cli({"ACL", "SETUSER", "plain", "on", ">plain-pw", "~*", "&*", "+@all",
                         "-ssubscribe"}),
              "OK");
  }
  const std::string channel = "yxgate:invalidate";
  auto pinned = options();
  pinned.pubsub_pin = channel;
  pinned.username = "plain";
  pinned.password = "plain-pw";
  RedisSubscriber subscriber(io.get_executor(), pinned);
  Event received(io.get_executor());
  Event subscribed(io.get_executor());
  subscriber.subscribe(
      channel, [&](std::string_view) { received.notify(); }, [&] { subscribed.notify(); });
  run_test(io, [&]() -> asio::awaitable<void> { CO_ASSERT_TRUE(co_await subscribed.wait(1, 5s)); });
  auto* master = group.master_of(channel);
  ASSERT_NE(master, nullptr);
  EXPECT_EQ(master->cli({"PUBLISH", channel, "x"}), "1");
  run_test(io, [&]() -> asio::awaitable<void> { CO_ASSERT_TRUE(co_await received.wait(1, 5s)); });
  EXPECT_EQ(subscribed.count(), 1) << "the refused SSUBSCRIBE must not drop the connection";
}

}  // namespace
}  // namespace yxgate::redis::test
