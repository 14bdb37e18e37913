// Slot migrations during load (SPEC §11.2, §11.6; issue 19): while the
// coherence workload (coherence_workload.hpp) runs reads and mutations
// through two replicas sharing a 3-master Redis Cluster, the slot of the
// app's cache keys, or the slot of the invalidation channel, moves to another
// master (IMPORTING/MIGRATING, MIGRATE of its keys, SETSLOT NODE). No client
// request may fail and no read may answer a version upstream did not hold
// during it; a moved channel slot takes every replica's subscriber along.
// While a replica's subscriber has not moved yet (here: its process is
// stopped), an invalidation waits for it although the PUBLISH on the new
// master did not count it.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cache/app_identity.hpp"
#include "e2e/coherence_workload.hpp"
#include "support/redis_cluster.hpp"

namespace yxgate::testing {
namespace {

// Bounds of the load: it ends `kOpsAfter` operations after the migration
// (and, for the channel, after the subscribers moved), at the latest after
// kMaxOpsPerThread operations per client thread.
constexpr int kThreads = 4;
constexpr std::uint64_t kOpsBefore = 300;
constexpr std::uint64_t kOpsAfter = 400;
constexpr std::uint64_t kMaxOpsPerThread = 5000;

class RedisClusterReshard : public ::testing::Test {
 protected:
  std::unique_ptr<GatewayProcess> start_gateway() {
    auto gateway = std::make_unique<GatewayProcess>(GatewayOptions{
        .upstream_url = emulator_.base_url(),
        .extra_yaml = cluster_.gateway_cache_yaml("100ms"),
        // Upstream rate limits are not what this checks: out of the way.
        .app_yaml = "    rate_limits:\n      default: { rate: 100000, burst: 100000 }\n"
                    "      get_message: { rate: 100000, burst: 100000 }\n"
                    "      batch_messages: { rate: 100000, burst: 100000 }\n"});
    EXPECT_TRUE(
        eventually([&] { return metric_value(gateway->admin_port(), "yxgate_redis_up") == 1; },
                   std::chrono::seconds(5)));
    return gateway;
  }

  // Subscribers of the invalidation channel on `node` (classic pub/sub).
  static int subscribers(RedisServerProcess& node) {
    // PUBSUB NUMSUB answers "channel\ncount".
    const auto out = node.cli({"PUBSUB", "NUMSUB", "yxgate:invalidate"});
    return std::stoi(out.substr(out.find('\n') + 1));
  }

  // Runs the workload, moves `key`'s slot once kOpsBefore operations are
  // done, and checks the history. `then` runs after the migration, while the
  // load goes on (what must follow the move); the load ends kOpsAfter
  // operations after it.
  void migrate_during_load(
      const std::string& key,
      const std::function<void(RedisServerProcess& from, RedisServerProcess& to)>& then) {
    auto a = start_gateway();
    auto b = start_gateway();
    auto* from = cluster_.master_of(key);
    ASSERT_NE(from, nullptr);
    auto* to = cluster_.another_master(from);
    ASSERT_NE(to, nullptr);
    const auto seed =
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    std::printf("reshard of %s during load: seed %llu\n", key.c_str(),
                static_cast<unsigned long long>(seed));
    CoherenceWorkload workload(seed, true, {a->port(), b->port()});
    std::atomic<bool> stop{false};
    std::thread load([&] { workload.run(kThreads, kMaxOpsPerThread, &stop); });
    const auto total = kThreads * kMaxOpsPerThread;
    const auto reached = [&](std::uint64_t n) {
      return eventually([&] { return workload.completed() >= std::min(n, total); },
                        std::chrono::seconds(60));
    };
    int moved = -1;
    try {
      if (reached(kOpsBefore)) {
        moved = cluster_.migrate_slot(key, *to);
        std::printf("moved %d keys after %llu operations\n", moved,
                    static_cast<unsigned long long>(workload.completed()));
        then(*from, *to);
        reached(workload.completed() + kOpsAfter);
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "migration: " << e.what();
    }
    stop = true;
    load.join();
    ASSERT_GE(moved, 0) << "the load ended before the migration";
    EXPECT_EQ(cluster_.master_of(key), to);
    EXPECT_LT(workload.completed(), total) << "the load ran out before the migration was done";
    const auto result = workload.check();
    std::printf("%llu operations\n", static_cast<unsigned long long>(workload.completed()));
    EXPECT_EQ(result.violations, 0u) << "seed " << seed << "; first violation:\n" << result.first;
  }

  RedisClusterGroup cluster_;
  EmulatorProcess emulator_;
};

TEST_F(RedisClusterReshard, CacheSlotMovedDuringLoadCostsNoRequestAndNoStaleRead) {
  // In cluster mode the app is the hash tag: every cache key of the app
  // lives in this slot.
  const auto key = "yxgate:{" + cache::app_cache_identity("demo-app-key") + "}:msg:1";
  migrate_during_load(key, [](RedisServerProcess&, RedisServerProcess& to) {
    EXPECT_NE(to.cli({"DBSIZE"}), "0") << "the app's keys moved to the new owner";
  });
}

TEST_F(RedisClusterReshard, ChannelSlotMovedDuringLoadTakesTheSubscribersAlong) {
  // Every replica's subscriber meets on the master of the channel's slot;
  // when it moves, they move too (sharded pub/sub notifies them), without
  // stale reads while they do.
  migrate_during_load("yxgate:invalidate", [&](RedisServerProcess& from, RedisServerProcess& to) {
    EXPECT_TRUE(eventually([&] { return subscribers(to) == 2; }, std::chrono::seconds(10)))
        << subscribers(to) << " subscribers on the new owner";
    EXPECT_EQ(subscribers(from), 0);
  });
}

TEST_F(RedisClusterReshard, InvalidationWaitsForAReplicaNotYetOnTheChannelsNewMaster) {
  auto a = start_gateway();
  auto b = start_gateway();
  const std::string channel = "yxgate:invalidate";
  auto* from = cluster_.master_of(channel);
  ASSERT_NE(from, nullptr);
  auto* to = cluster_.another_master(from);
  ASSERT_NE(to, nullptr);
  ASSERT_TRUE(eventually([&] { return subscribers(*from) == 2; }, std::chrono::seconds(5)));
  const auto path =
      "/im/v2/conversations/" + std::string(kAliceBob) + "/messages/" + std::to_string(7001);
  ASSERT_EQ(json_get_int(request(b->port(), "GET", path).body, "/code"), 200);
  ASSERT_EQ(request(b->port(), "GET", path).header("X-Yxgate-Cache"), "hit");
  // B stops reading anything: its subscriber stays on the old master while
  // A's follows the slot. A PUBLISH on the new master then counts A alone.
  const auto stopped = std::chrono::steady_clock::now();
  b->process().signal(SIGSTOP);
  cluster_.migrate_slot(channel, *to);
  const bool a_moved = eventually([&] { return subscribers(*to) == 1; }, std::chrono::seconds(5));
  const int b_left_behind = subscribers(*from);
  const auto modify_started = std::chrono::steady_clock::now();
  const auto modified =
      request(a->port(), "POST", "/im/v2/messages/actions/modifyMsg",
              {{"Content-Type", "application/json"}},
              R"({"message":{"message_server_id":7001,"text":"while B was stopped"}})");
  const auto took = std::chrono::steady_clock::now() - modify_started;
  b->process().signal(SIGCONT);
  ASSERT_TRUE(a_moved);
  EXPECT_EQ(b_left_behind, 1);
  ASSERT_EQ(json_get_int(modified.body, "/code"), 200) << modified.body;
  // B's heartbeats came within the last second: it may hold a lease, so A
  // waits for its confirmation (here: until its 100 ms timeout), not only
  // for the one the PUBLISH counted. Only checkable while B's beats are
  // that recent (a slow machine may take longer to move the slot).
  if (modify_started - stopped < std::chrono::milliseconds(800)) {
    EXPECT_GE(took, std::chrono::milliseconds(90))
        << "answered after " << std::chrono::duration<double, std::milli>(took).count() << " ms";
  } else {
    std::printf("the slot took too long to move to check the wait\n");
  }
  // B, back, does not serve the old version, and follows the slot.
  EXPECT_EQ(json_get_string(request(b->port(), "GET", path).body, "/data/text"),
            "while B was stopped");
  EXPECT_TRUE(eventually([&] { return subscribers(*to) == 2; }, std::chrono::seconds(5)));
}

}  // namespace
}  // namespace yxgate::testing
