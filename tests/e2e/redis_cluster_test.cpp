// cache.redis.mode: cluster end to end (SPEC §11.6): two yxgates share the
// cache, invalidations and a global rate-limit bucket through a 3-master
// (+3 replica) Redis Cluster; a master killed during a bounded load costs
// no client request, and invalidations work after its replica took over.
#include "support/redis_cluster.hpp"

#include <chrono>
#include <functional>

#include "cache/app_identity.hpp"
#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

std::string message_path(std::uint64_t id) {
  return "/im/v2/conversations/" + std::string(kAliceBob) + "/messages/" + std::to_string(id);
}

// In cluster mode the app is the hash tag: all its keys share one slot.
std::string message_key(std::uint64_t id) {
  return "yxgate:{" + cache::app_cache_identity("demo-app-key") + "}:msg:" + std::to_string(id);
}

class RedisCluster : public ::testing::Test {
 protected:
  std::unique_ptr<GatewayProcess> start_gateway(std::string app_yaml = "") {
    auto gateway = std::make_unique<GatewayProcess>(
        GatewayOptions{.upstream_url = emulator_.base_url(),
                       .extra_yaml = cluster_.gateway_cache_yaml("200ms"),
                       .app_yaml = std::move(app_yaml)});
    EXPECT_TRUE(eventually([&] { return redis_up(*gateway); }, std::chrono::seconds(5)));
    return gateway;
  }

  bool redis_up(GatewayProcess& gateway) {
    return metric_value(gateway.admin_port(), "yxgate_redis_up") == 1;
  }

  HttpResponse modify(GatewayProcess& gateway, std::uint64_t id, const std::string& text) {
    return request(gateway.port(), "POST", "/im/v2/messages/actions/modifyMsg",
                   {{"Content-Type", "application/json"}},
                   R"({"message":{"message_server_id":)" + std::to_string(id) + R"(,"text":")" +
                       text + R"("}})");
  }

  RedisClusterGroup cluster_;
  EmulatorProcess emulator_;
};

TEST_F(RedisCluster, ReplicasShareTheCacheAndInvalidations) {
  auto a = start_gateway();
  auto b = start_gateway();
  const auto path = message_path(1001);
  EXPECT_EQ(request(a->port(), "GET", path).header("X-Yxgate-Cache"), "miss");
  EXPECT_EQ(request(b->port(), "GET", path).header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(emulator_.calls("get_message"), 1);
  EXPECT_EQ(json_get_int(cluster_.cli({"GET", message_key(1001)}), "/message_server_id"), 1001);
  ASSERT_EQ(json_get_int(modify(*a, 1001, "clustered").body, "/code"), 200);
  EXPECT_EQ(json_get_string(request(b->port(), "GET", path).body, "/data/text"), "clustered");
  // The read after the modify refilled Redis with the new version (the
  // tombstone's epoch was in its lookup): never the old one.
  EXPECT_EQ(json_get_string(cluster_.cli({"GET", message_key(1001)}), "/text"), "clustered");
}

TEST_F(RedisCluster, GlobalRateLimitIsOneBucketForBothReplicas) {
  const std::string limits =
      "    rate_limits:\n      scope: global\n      expected_replicas: 2\n"
      "      max_wait: 0ms\n      get_message: { rate: 5, burst: 5 }\n";
  auto a = start_gateway(limits);
  auto b = start_gateway(limits);
  const auto started = std::chrono::steady_clock::now();
  int allowed = 0;
  for (int i = 0; i < 30; ++i) {
    auto& gateway = i % 2 ? *a : *b;
    allowed += json_get_int(request(gateway.port(), "GET", message_path(5001 + 2 * i)).body,
                            "/code") == 200;
  }
  const auto elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(emulator_.calls("get_message"), allowed);
  EXPECT_LE(allowed, 5 + 5 * elapsed + 1) << "one bucket, not two (" << elapsed << " s)";
  EXPECT_GE(allowed, 5);
  for (auto* gateway : {a.get(), b.get()}) {
    EXPECT_EQ(metric_value(gateway->admin_port(), "yxgate_redis_errors_total"), 0);
  }
}

// Kills the master serving `key` after 100 requests of a bounded load
// through both gateways (at most 200000 requests or 30 s; it ends 100
// requests after both report Redis up again); then checks a cross-replica
// invalidation.
void kill_during_load(
    RedisClusterGroup& cluster, GatewayProcess& a, GatewayProcess& b, const std::string& key,
    const std::function<bool(GatewayProcess&)>& up,
    const std::function<HttpResponse(GatewayProcess&, std::uint64_t, const std::string&)>& modify) {
  auto* victim = cluster.master_of(key);
  ASSERT_NE(victim, nullptr);
  int failed = 0;
  int sent = 0;
  int after_recovery = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (sent < 200000 && std::chrono::steady_clock::now() < deadline && after_recovery < 100) {
    auto& gateway = sent % 2 == 0 ? a : b;
    const auto r = request(gateway.port(), "GET", message_path(4001 + sent % 20));
    if (r.status != 200 || json_get_int(r.body, "/code") != 200) {
      ++failed;
      ADD_FAILURE() << "request " << sent << ": " << r.status << " " << r.error << " " << r.body;
    }
    ++sent;
    if (sent == 100) victim->kill();
    if (after_recovery >= 0) {
      ++after_recovery;
    } else if (sent > 100 && sent % 10 == 0 && up(a) && up(b)) {
      after_recovery = 0;
    }
  }
  EXPECT_EQ(failed, 0) << "of " << sent;
  ASSERT_GE(after_recovery, 0) << "the gateways did not follow the failover";
  for (auto* gateway : {&a, &b}) {
    EXPECT_GE(metric_value(gateway->admin_port(), "yxgate_redis_failovers_total"), 1);
  }
  auto* promoted = cluster.master_of(key);
  ASSERT_NE(promoted, nullptr);
  EXPECT_NE(promoted, victim);

  for (std::uint64_t id = 4100; id < 4110; ++id) {
    const auto path = message_path(id);
    ASSERT_EQ(json_get_int(request(b.port(), "GET", path).body, "/code"), 200);
    ASSERT_EQ(request(b.port(), "GET", path).header("X-Yxgate-Cache"), "hit");
    const auto text = "after failover " + std::to_string(id);
    ASSERT_EQ(json_get_int(modify(a, id, text).body, "/code"), 200);
    EXPECT_EQ(json_get_string(request(b.port(), "GET", path).body, "/data/text"), text);
    const auto stored = cluster.cli({"GET", message_key(id)});  // empty, or the new version
    if (!stored.empty()) EXPECT_EQ(json_get_string(stored, "/text"), text) << stored;
  }
}

TEST_F(RedisCluster, CacheMasterKilledDuringLoadCostsNoRequestAndInvalidationsFollow) {
  auto a = start_gateway();
  auto b = start_gateway();
  // The master of the app's slot: every cache key of the app is there.
  kill_during_load(
      cluster_, *a, *b, message_key(1), [&](GatewayProcess& g) { return redis_up(g); },
      [&](GatewayProcess& g, std::uint64_t id, const std::string& text) {
        return modify(g, id, text);
      });
}

TEST_F(RedisCluster, ChannelMasterKilledDuringLoadCostsNoRequestAndInvalidationsFollow) {
  auto a = start_gateway();
  auto b = start_gateway();
  // The master every subscriber meets on (the invalidation channel's slot).
  kill_during_load(
      cluster_, *a, *b, "yxgate:invalidate", [&](GatewayProcess& g) { return redis_up(g); },
      [&](GatewayProcess& g, std::uint64_t id, const std::string& text) {
        return modify(g, id, text);
      });
}

}  // namespace
}  // namespace yxgate::testing
