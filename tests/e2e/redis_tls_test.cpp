// rediss:// end to end (SPEC §7 cache.redis.tls, §11.6): two yxgates share
// their cache and invalidations through a TLS-only redis-server; with a
// wrong CA or a wrong name the gateway refuses Redis (logged, counted down)
// and still answers every request through the upstream.
#include "e2e/gateway_test_env.hpp"
#include "support/redis_server.hpp"
#include "support/test_ca.hpp"

namespace yxgate::testing {
namespace {

std::string message_path(std::uint64_t id) {
  return "/im/v2/conversations/" + std::string(kAliceBob) + "/messages/" + std::to_string(id);
}

class RedisTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_.issue("redis", "DNS:localhost,IP:127.0.0.1");
    redis_ = std::make_unique<RedisServerProcess>(
        RedisServerOptions{.tls = RedisTlsFiles{ca_.cert("redis"), ca_.key("redis"), ca_.ca_file()},
                           .dir = ca_.dir()});
    emulator_ = std::make_unique<EmulatorProcess>();
  }

  std::unique_ptr<GatewayProcess> start_gateway(const std::string& tls_yaml) {
    GatewayOptions options{.upstream_url = emulator_->base_url(),
                           .extra_yaml = "cache:\n  redis:\n    url: " + redis_->url() +
                                         "\n    timeout: 200ms\n    tls: " + tls_yaml + "\n"};
    return std::make_unique<GatewayProcess>(options);
  }

  bool redis_up(GatewayProcess& gateway) {
    return eventually([&] { return metric_value(gateway.admin_port(), "yxgate_redis_up") == 1; },
                      std::chrono::seconds(5));
  }

  // Refused: every request still answered, by the upstream, Redis down.
  void expect_refused(GatewayProcess& gateway, const std::string& why) {
    const auto calls_before = emulator_->calls("get_message");
    for (int i = 0; i < 2; ++i) {
      const auto r = request(gateway.port(), "GET", message_path(3001));
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(json_get_int(r.body, "/code"), 200);
    }
    EXPECT_GE(emulator_->calls("get_message"), calls_before + 1);
    EXPECT_EQ(metric_value(gateway.admin_port(), "yxgate_redis_up"), 0);
    EXPECT_TRUE(eventually([&] { return gateway.log().find(why) != std::string::npos; },
                           std::chrono::seconds(5)))
        << gateway.log();
    EXPECT_NE(gateway.log().find("redis_connect_failed"), std::string::npos);
    EXPECT_EQ(redis_->cli({"DBSIZE"}), "0");  // nothing reached this Redis
  }

  TestCa ca_;
  std::unique_ptr<RedisServerProcess> redis_;
  std::unique_ptr<EmulatorProcess> emulator_;
};

TEST_F(RedisTls, ReplicasShareCacheAndInvalidationsOverTls) {
  const std::string tls = "{ca_file: " + ca_.ca_file().string() + "}";
  auto a = start_gateway(tls);
  auto b = start_gateway(tls);
  ASSERT_TRUE(redis_up(*a));
  ASSERT_TRUE(redis_up(*b));
  const auto path = message_path(1001);
  EXPECT_EQ(request(a->port(), "GET", path).header("X-Yxgate-Cache"), "miss");
  EXPECT_EQ(request(b->port(), "GET", path).header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(emulator_->calls("get_message"), 1);
  const auto modify = request(a->port(), "POST", "/im/v2/messages/actions/modifyMsg",
                              {{"Content-Type", "application/json"}},
                              R"({"message":{"message_server_id":1001,"text":"over tls"}})");
  ASSERT_EQ(json_get_int(modify.body, "/code"), 200);
  EXPECT_EQ(json_get_string(request(b->port(), "GET", path).body, "/data/text"), "over tls");
  // The password-free URL and the TLS file paths are fine in /config; the
  // scheme tells the operator TLS is on.
  EXPECT_NE(request(a->admin_port(), "GET", "/config").body.find("rediss://"), std::string::npos);
}

TEST_F(RedisTls, CertificateFromAnotherCaRefusedAndRequestsStillAnswered) {
  TestCa other(nullptr, "other-ca");
  auto gateway = start_gateway("{ca_file: " + other.ca_file().string() + "}");
  expect_refused(*gateway, "certificate verify failed");
}

TEST_F(RedisTls, WrongServerNameRefusedAndRequestsStillAnswered) {
  auto gateway =
      start_gateway("{ca_file: " + ca_.ca_file().string() + ", server_name: other.example}");
  expect_refused(*gateway, "certificate verify failed");
}

}  // namespace
}  // namespace yxgate::testing
