// Cluster building blocks: key_slot() agrees with a real cluster-enabled
// redis-server's CLUSTER KEYSLOT (hash tags included), CLUSTER SLOTS parses
// into a slot map, MOVED/ASK errors parse into redirects.
#include "redis/cluster_slots.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_test_util.hpp"
#include "support/redis_server.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisServerOptions;
using testing::RedisServerProcess;

TEST(ClusterSlots, KeySlotFollowsTheSpecificationsExamples) {
  EXPECT_EQ(key_slot("123456789"), 12739);  // CRC16/XMODEM check value 0x31C3
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("{user1000}.followers"));
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(key_slot("foo{}{bar}"), key_slot("foo{}{bar}"));  // empty tag: whole key
  EXPECT_NE(key_slot("foo{}{bar}"), key_slot("bar"));
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));
  EXPECT_EQ(key_slot("foo{bar}{zap}"), key_slot("bar"));
}

TEST(ClusterSlots, RedirectsParse) {
  auto moved = parse_redirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, Redirect::Kind::kMoved);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->node, (ClusterNode{"127.0.0.1", 6381}));
  auto ask = parse_redirect("ASK 1 redis-2.svc:7000");
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->kind, Redirect::Kind::kAsk);
  EXPECT_EQ(ask->node, (ClusterNode{"redis-2.svc", 7000}));
  for (const char* bad : {"ERR x", "MOVED", "MOVED 16384 h:1", "MOVED 1 h:0", "MOVED x h:1",
                          "ASK 1 h", "MOVED 1 h:1x"}) {
    EXPECT_FALSE(parse_redirect(bad)) << bad;
  }
}

TEST(ClusterSlots, SlotMapFromAReplyShapedLikeClusterSlots) {
  auto node = [](std::string host, std::int64_t port) {
    return RedisValue::array({RedisValue::string(std::move(host)), RedisValue::integer_value(port),
                              RedisValue::string("id")});
  };
  auto range = [&](std::int64_t a, std::int64_t b, RedisValue master, RedisValue replica) {
    return RedisValue::array({RedisValue::integer_value(a), RedisValue::integer_value(b),
                              std::move(master), std::move(replica)});
  };
  const auto reply =
      RedisValue::array({range(0, 5460, node("10.0.0.1", 7000), node("10.0.0.4", 7003)),
                         range(5461, 10922, node("", 7001), node("10.0.0.5", 7004)),
                         range(10923, 16383, node("10.0.0.3", 7002), node("x", 1))});
  auto map = SlotMap::from_cluster_slots(reply, "seed.svc");
  ASSERT_TRUE(map);
  EXPECT_TRUE(map->complete());
  EXPECT_EQ(*map->master_for(0), (ClusterNode{"10.0.0.1", 7000}));
  EXPECT_EQ(*map->master_for(5461), (ClusterNode{"seed.svc", 7001}));  // "" = the node asked
  EXPECT_EQ(*map->master_for(16383), (ClusterNode{"10.0.0.3", 7002}));
  EXPECT_EQ(map->masters().size(), 3u);
  map->move(0, {"10.0.0.3", 7002});
  EXPECT_EQ(*map->master_for(0), (ClusterNode{"10.0.0.3", 7002}));
  EXPECT_EQ(*map->master_for(1), (ClusterNode{"10.0.0.1", 7000}));

  const auto partial = RedisValue::array({range(0, 100, node("h", 1), RedisValue::nil())});
  auto half = SlotMap::from_cluster_slots(partial, "h");
  ASSERT_TRUE(half);
  EXPECT_FALSE(half->complete());
  EXPECT_EQ(half->master_for(101), nullptr);
  EXPECT_FALSE(SlotMap::from_cluster_slots(RedisValue::string("x"), "h"));
  EXPECT_FALSE(SlotMap::from_cluster_slots(
      RedisValue::array({range(5, 1, node("h", 1), RedisValue::nil())}), "h"));
}

// The real thing: one cluster-enabled node owning every slot.
TEST(ClusterSlots, AgreesWithARealClusterNode) {
  // --cluster-port: the default (port + 10000) overflows for high free ports.
  RedisServerProcess server(
      RedisServerOptions{.extra_args = {"--cluster-enabled", "yes", "--cluster-port",
                                        std::to_string(testing::free_port())}});
  ASSERT_EQ(server.cli({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"}), "OK");
  asio::io_context io;
  RedisConnection redis(io.get_executor(), options_for(server));
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    std::vector<std::string> keys{"",
                                  "a",
                                  "yxgate:app:msg:1",
                                  "{yxgate:abc}:msg:42",
                                  "x{}y",
                                  "{{a}}",
                                  "}{a}",
                                  std::string("\0\xff{\x01}", 5)};
    for (int i = 0; i < 200; ++i) keys.push_back("k" + std::to_string(i * 7919));
    for (const auto& key : keys) {
      auto reply = co_await redis.command(cmd("CLUSTER", "KEYSLOT", key));
      CO_ASSERT_TRUE(reply.ok() && reply->is_integer());
      EXPECT_EQ(reply->integer, key_slot(key)) << key;
    }
    auto slots = co_await redis.command(cmd("CLUSTER", "SLOTS"));
    CO_ASSERT_TRUE(slots.ok());
    auto map = SlotMap::from_cluster_slots(slots.value(), "127.0.0.1");
    CO_ASSERT_TRUE(map.has_value());
    EXPECT_TRUE(map->complete());
    EXPECT_EQ(*map->master_for(key_slot("any")), (ClusterNode{"127.0.0.1", server.port()}));
  });
}

}  // namespace
}  // namespace yxgate::redis::test
