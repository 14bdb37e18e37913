// cache.redis.mode: sentinel end to end (SPEC §11.6): two yxgates find the
// master through three sentinels; the master is killed during a bounded
// load; the gateways follow the failover with 0 failed client requests, and
// invalidations work through the promoted master afterwards. The same with
// sentinels (and servers) that require a password: the URL's credentials
// serve for both, and appear neither in the logs nor in /config.
#include "support/redis_sentinel.hpp"

#include <chrono>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

std::string message_path(std::uint64_t id) {
  return "/im/v2/conversations/" + std::string(kAliceBob) + "/messages/" + std::to_string(id);
}

class RedisSentinelEnv : public ::testing::Test {
 protected:
  explicit RedisSentinelEnv(std::string password = "")
      : password_(std::move(password)), group_(password_) {}

  std::unique_ptr<GatewayProcess> start_gateway() {
    std::string nodes;
    for (const auto& address : group_.sentinel_addresses()) {
      nodes += (nodes.empty() ? "" : ", ") + address;
    }
    const std::string credentials = password_.empty() ? "" : ":" + password_ + "@";
    GatewayOptions options{.upstream_url = emulator_.base_url(),
                           .extra_yaml = "cache:\n  redis:\n    url: redis://" + credentials +
                                         "127.0.0.1:6379/0\n    mode: sentinel\n    nodes: [" +
                                         nodes + "]\n    sentinel_master: " +
                                         RedisSentinelGroup::kMaster + "\n    timeout: 200ms\n"};
    return std::make_unique<GatewayProcess>(options);
  }

  bool redis_up(GatewayProcess& gateway) {
    return metric_value(gateway.admin_port(), "yxgate_redis_up") == 1;
  }

  void fail_over_during_load(GatewayProcess& a, GatewayProcess& b);

  std::string password_;
  RedisSentinelGroup group_;
  EmulatorProcess emulator_;
};

class RedisSentinel : public RedisSentinelEnv {};

class RedisSentinelAuth : public RedisSentinelEnv {
 protected:
  static constexpr const char* kPassword = "s3nt1nel-Pw";
  RedisSentinelAuth() : RedisSentinelEnv(kPassword) {}
};

void RedisSentinelEnv::fail_over_during_load(GatewayProcess& a, GatewayProcess& b) {
  ASSERT_TRUE(eventually([&] { return redis_up(a) && redis_up(b); }, std::chrono::seconds(5)));
  const auto old_master_port = group_.master().port();

  // Bounded load: at most 200000 requests or 30 s (time, not speed, must
  // bound it: a faster build sends thousands before a failover ends); the
  // master dies after 100, and the run ends 100 requests after both
  // gateways report Redis up again.
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
    if (sent == 100) group_.master().kill();
    if (after_recovery >= 0) {
      ++after_recovery;
    } else if (sent > 100 && sent % 10 == 0 && redis_up(a) && redis_up(b)) {
      after_recovery = 0;
    }
  }
  EXPECT_EQ(failed, 0) << "of " << sent;
  ASSERT_GE(after_recovery, 0) << "the gateways did not follow the failover";
  ASSERT_NE(group_.reported_master_port(), old_master_port);
  auto* master = group_.current_master();
  ASSERT_NE(master, nullptr);
  // The cache is filled on the promoted master again.
  EXPECT_NE(master->cli({"DBSIZE"}), "0");

  // Invalidation through the new master: B cached it, A modifies it.
  const auto path = message_path(4100);
  ASSERT_EQ(json_get_int(request(b.port(), "GET", path).body, "/code"), 200);
  ASSERT_EQ(request(b.port(), "GET", path).header("X-Yxgate-Cache"), "hit");
  const auto modify = request(a.port(), "POST", "/im/v2/messages/actions/modifyMsg",
                              {{"Content-Type", "application/json"}},
                              R"({"message":{"message_server_id":4100,"text":"after failover"}})");
  ASSERT_EQ(json_get_int(modify.body, "/code"), 200);
  EXPECT_EQ(json_get_string(request(b.port(), "GET", path).body, "/data/text"), "after failover");
  EXPECT_NE(a.log().find("redis_failover"), std::string::npos) << a.log();
  // Every link of a process saw it; /metrics counts it (once: the unit test).
  // (At least: a loaded CI machine may make the sentinels fail over again.)
  EXPECT_GE(metric_value(a.admin_port(), "yxgate_redis_failovers_total"), 1);
}

TEST_F(RedisSentinel, MasterKilledDuringLoadCostsNoRequestAndInvalidationsFollow) {
  auto a = start_gateway();
  auto b = start_gateway();
  fail_over_during_load(*a, *b);
}

TEST_F(RedisSentinelAuth, SentinelsRequiringAPasswordAreAskedWithTheUrlsCredentials) {
  auto a = start_gateway();
  auto b = start_gateway();
  fail_over_during_load(*a, *b);
  for (auto* gateway : {a.get(), b.get()}) {
    EXPECT_EQ(gateway->log().find(kPassword), std::string::npos) << gateway->log();
    const auto config = request(gateway->admin_port(), "GET", "/config");
    EXPECT_EQ(config.status, 200);
    EXPECT_NE(config.body.find("sentinel"), std::string::npos) << config.body;
    EXPECT_EQ(config.body.find(kPassword), std::string::npos) << config.body;
  }
}

}  // namespace
}  // namespace yxgate::testing
