// App-level rate limits (SPEC §4, issue 5): only upstream calls spend tokens,
// local and Redis-global buckets, max_wait queueing, SIGHUP, several apps.
#include <csignal>
#include <fstream>
#include <future>
#include <thread>

#include "e2e/gateway_test_env.hpp"
#include "support/redis_server.hpp"

namespace yxgate::testing {
namespace {

std::string message_path(std::uint64_t id) {
  return "/im/v2/conversations/alice%7C1%7Cbob/messages/" + std::to_string(id);
}

std::string limits_yaml(std::string_view get_message, std::string_view max_wait = "0ms",
                        std::string_view scope = "local", int replicas = 1) {
  return "    rate_limits:\n      scope: " + std::string(scope) +
         "\n      expected_replicas: " + std::to_string(replicas) +
         "\n      max_wait: " + std::string(max_wait) +
         "\n      get_message: " + std::string(get_message) + "\n";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class RateLimit : public GatewayTest {};

void expect_rate_limited(const HttpResponse& res) {
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"code":416,"msg":"rate limit exceeded","data":{}})");
  EXPECT_EQ(res.header("X-Yxgate-Error"), "rate_limited");
  const auto retry = std::stoi(res.header("Retry-After").value_or("0"));
  EXPECT_GE(retry, 1);
}

TEST_F(RateLimit, LocalBucketBoundsUpstreamCallsAndAnswers416) {
  start({.app_yaml = limits_yaml("{ rate: 5, burst: 5 }")});
  const auto started = std::chrono::steady_clock::now();
  int limited = 0;
  for (int i = 0; i < 30; ++i) {
    const auto res = get(message_path(4001 + 2 * i));
    if (json_get_int(res.body, "/code") == 416) {
      expect_rate_limited(res);
      ++limited;
    } else {
      EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
    }
  }
  const auto calls = emulator().calls("get_message");
  EXPECT_LE(calls, 5 + 5 * seconds_since(started) + 1);
  EXPECT_GE(calls, 5);
  EXPECT_EQ(calls + limited, 30);
  const auto metrics = request(gateway().admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("yxgate_ratelimit_decisions_total{app=\"default\",route=\"get_message\","
                         "decision=\"rejected\"} " +
                         std::to_string(limited)),
            std::string::npos)
      << metrics;
}

TEST_F(RateLimit, CacheHitsAndSharedCallsSpendNothing) {
  start({.app_yaml = limits_yaml("{ rate: 1, burst: 1 }")});
  ASSERT_EQ(json_get_int(get(message_path(4001)).body, "/code"), 200);
  for (int i = 0; i < 50; ++i) {
    const auto res = get(message_path(4001));
    ASSERT_EQ(res.header("X-Yxgate-Cache"), "hit") << i;
    ASSERT_EQ(json_get_int(res.body, "/code"), 200);
  }
  EXPECT_EQ(emulator().calls("get_message"), 1);
}

TEST_F(RateLimit, RejectedAnswersAreNotCached) {
  start({.app_yaml = limits_yaml("{ rate: 1, burst: 1 }")});
  get(message_path(4001));
  expect_rate_limited(get(message_path(4003)));
  EXPECT_NE(get(message_path(4003)).header("X-Yxgate-Cache"), "hit");
}

TEST_F(RateLimit, MaxWaitQueuesCallsInsteadOfRejecting) {
  start({.app_yaml = limits_yaml("{ rate: 10, burst: 1 }", "500ms")});
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::future<HttpResponse>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(
        std::async(std::launch::async, [&, i] { return get(message_path(4101 + 2 * i)); }));
  }
  for (auto& call : calls) EXPECT_EQ(json_get_int(call.get().body, "/code"), 200);
  // 1 at once, then one every 100 ms: the last waited about 300 ms.
  EXPECT_GE(seconds_since(started), 0.25);
  EXPECT_LT(seconds_since(started), 2.0);
  const auto metrics = request(gateway().admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("decision=\"delayed\"} 3"), std::string::npos) << metrics;
}

TEST_F(RateLimit, UpstreamRateLimitAnswersArePassedBackAndCounted) {
  start();
  emulator().add_fault("get_message", "ratelimit416", 0, 1);
  const auto res = get(message_path(4001));
  EXPECT_EQ(json_get_int(res.body, "/code"), 416);
  EXPECT_FALSE(res.header("X-Yxgate-Error").has_value()) << "upstream's own answer, unchanged";
  const auto metrics = request(gateway().admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("outcome=\"rate_limited\"} 1"), std::string::npos);
  EXPECT_EQ(json_get_int(get(message_path(4001)).body, "/code"), 200) << "never cached";
}

TEST_F(RateLimit, SighupRaisesALimitLiveWithoutDroppingConnections) {
  start({.app_yaml = limits_yaml("{ rate: 1, burst: 1 }")});
  KeepAliveClient client(gateway().port());
  EXPECT_EQ(json_get_int(client.request("GET", message_path(4001)).body, "/code"), 200);
  expect_rate_limited(client.request("GET", message_path(4003)));

  // An invalid file is refused and the running limits stay.
  std::string config;
  {
    std::ifstream in(gateway().config_path());
    config.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(gateway().config_path()) << config << "bogus_key: 1\n";
  gateway().process().signal(SIGHUP);
  ASSERT_TRUE(gateway().process().wait_for_line("reload_rejected", std::chrono::seconds(5)));
  expect_rate_limited(client.request("GET", message_path(4005)));

  const std::string slow = "{ rate: 1, burst: 1 }";
  config.replace(config.find(slow), slow.size(), "{ rate: 1000, burst: 1000 }");
  std::ofstream(gateway().config_path()) << config;
  const auto before = request(gateway().admin_port(), "GET", "/config").body;
  gateway().process().signal(SIGHUP);
  ASSERT_TRUE(gateway().process().wait_for_line("\"event\":\"reloaded\"", std::chrono::seconds(5)));
  EXPECT_NE(gateway().log().find("\"restart_required\":[]"), std::string::npos);
  // /config shows the limits now in force, not the ones it started with.
  const auto after = request(gateway().admin_port(), "GET", "/config").body;
  EXPECT_EQ(json_get_raw(before, "/apps/0/rate_limits/get_message/rate"), "1") << before;
  EXPECT_EQ(json_get_raw(after, "/apps/0/rate_limits/get_message/rate"), "1000") << after;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(json_get_int(client.request("GET", message_path(4101 + 2 * i)).body, "/code"), 200);
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(RateLimit, EachAppIsSignedWithItsOwnSecretAndLimitedSeparately) {
  emulator_ = std::make_unique<EmulatorProcess>(
      EmulatorOptions{.apps = {"key-a:secret-a", "key-b:secret-b"}});
  auto dir = std::make_shared<TestDir>();
  const auto secret_file = (dir->path() / "secret-b").string();
  std::ofstream(secret_file) << "secret-b\n";
  start({.apps_yaml = "apps:\n"
                      "  - name: a\n    app_key: key-a\n    app_secret_env: SECRET_A\n" +
                      limits_yaml("{ rate: 1, burst: 2 }") +
                      "  - name: b\n    app_key: key-b\n    app_secret_file: " + secret_file +
                      "\n" + limits_yaml("{ rate: 1, burst: 2 }"),
         .env = {{"SECRET_A", "secret-a"}},
         .dir = dir});
  // The first app is the default; X-Yxgate-App picks another.
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(json_get_int(get(message_path(4001 + 2 * i)).body, "/code"), 200);
  expect_rate_limited(get(message_path(4005)));
  EXPECT_EQ(json_get_string(last_upstream_request(), "/headers/appkey"), "key-a");
  for (int i = 0; i < 2; ++i) {
    const auto res = get(message_path(4101 + 2 * i), {{"X-Yxgate-App", "b"}});
    EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  }
  EXPECT_EQ(json_get_string(last_upstream_request(), "/headers/appkey"), "key-b");
  expect_rate_limited(get(message_path(4105), {{"X-Yxgate-App", "b"}}));
  EXPECT_EQ(emulator().calls("auth_error"), 0) << "each app signed with its own secret";

  const auto unknown = get(message_path(4001), {{"X-Yxgate-App", "nope"}});
  EXPECT_EQ(json_get_int(unknown.body, "/code"), 414);
  EXPECT_EQ(unknown.header("X-Yxgate-Error"), "unknown_app");
}

TEST_F(RateLimit, OneBatchCallSpendsOneBatchToken) {
  // The batch leaves once it holds all eight ids (the window only bounds
  // it), however slowly a loaded machine delivers the lookups.
  start({.extra_yaml = "coalesce:\n  window: 3s\n  max_batch: 8\n",
         .app_yaml = "    rate_limits:\n      max_wait: 0ms\n"
                     "      batch_messages: { rate: 1, burst: 1 }\n"});
  std::vector<std::future<HttpResponse>> calls;
  for (int i = 0; i < 8; ++i) {
    const std::uint64_t id = 4201 + 2 * i;
    calls.push_back(std::async(std::launch::async, [&, id] {
      return get(message_path(id) + "?message_time=" + std::to_string(seeded_create_time(id)));
    }));
  }
  int ok = 0;
  for (auto& call : calls) ok += json_get_int(call.get().body, "/code") == 200;
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  EXPECT_EQ(ok, 8) << "eight lookups rode on one token";
}

TEST_F(RateLimit, LookupsOfARefusedBatchAreMissesNotCoalesced) {
  start({.extra_yaml = "coalesce:\n  window: 30ms\n",
         .app_yaml = "    rate_limits:\n      max_wait: 0ms\n"
                     "      batch_messages: { rate: 0.01, burst: 1 }\n"});
  const auto spend =
      get(message_path(4301) + "?message_time=" + std::to_string(seeded_create_time(4301)));
  ASSERT_EQ(json_get_int(spend.body, "/code"), 200) << "the only token";
  std::vector<std::future<HttpResponse>> calls;
  for (int i = 0; i < 6; ++i) {
    const std::uint64_t id = 4303 + 2 * i;
    calls.push_back(std::async(std::launch::async, [&, id] {
      return get(message_path(id) + "?message_time=" + std::to_string(seeded_create_time(id)));
    }));
  }
  for (auto& call : calls) {
    const auto response = call.get();
    EXPECT_EQ(json_get_int(response.body, "/code"), 416) << response.body;
    EXPECT_EQ(response.header("X-Yxgate-Cache"), "miss");
  }
  const auto metrics = request(gateway().admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("yxgate_coalesced_requests_total 0\n"), std::string::npos);
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
}

TEST_F(RateLimit, SighupChangesTheLogLevel) {
  start();
  get(message_path(4001));
  std::string config;
  {
    std::ifstream in(gateway().config_path());
    config.assign(std::istreambuf_iterator<char>(in), {});
  }
  config.replace(config.find("level: info"), 11, "level: warn");
  std::ofstream(gateway().config_path()) << config;
  // A change SIGHUP cannot apply is named, not silently kept.
  config.replace(config.find("format: json"), 12, "format: text");
  std::ofstream(gateway().config_path()) << config;
  gateway().process().signal(SIGHUP);
  ASSERT_TRUE(gateway().process().wait_for_line("\"event\":\"reloaded\"", std::chrono::seconds(5)));
  EXPECT_NE(gateway().log().find("\"restart_required\":[\"log\"]"), std::string::npos)
      << gateway().log();
  get(message_path(4003), {{"X-custom-traceid", "after-reload"}});
  get(message_path(4003));  // a second request: the first one's log line would be out by now
  EXPECT_EQ(gateway().log().find("after-reload"), std::string::npos) << "info lines are off";
}

// Global scope: two replicas share one bucket through Redis.
class GlobalRateLimit : public ::testing::Test {
 protected:
  // expected_replicas: 1 makes the two outcomes far apart: one shared
  // bucket of 5 (+5/s), or, had both fallen back, two local ones of 5 each.
  // A generous Redis timeout: a sanitizer build on a loaded machine must not
  // time a command out and fall back, which is not what this test is about.
  void SetUp() override { start_replicas(1, "2s"); }
  void start_replicas(int expected_replicas, const std::string& redis_timeout) {
    redis_ = std::make_unique<RedisServerProcess>();
    emulator_ = std::make_unique<EmulatorProcess>();
    for (auto* gateway : {&a_, &b_}) {
      *gateway = std::make_unique<GatewayProcess>(GatewayOptions{
          .upstream_url = emulator_->base_url(),
          .extra_yaml = "cache:\n  redis:\n    url: " + redis_->url() +
                        "\n    timeout: " + redis_timeout + "\n",
          .app_yaml = limits_yaml("{ rate: 5, burst: 5 }", "0ms", "global", expected_replicas)});
    }
    for (auto* gateway : {a_.get(), b_.get()}) {
      EXPECT_TRUE(eventually(
          [&] {
            return request(gateway->admin_port(), "GET", "/metrics")
                       .body.find("yxgate_redis_up 1") != std::string::npos;
          },
          std::chrono::seconds(5)));
    }
  }
  std::unique_ptr<RedisServerProcess> redis_;
  std::unique_ptr<EmulatorProcess> emulator_;
  std::unique_ptr<GatewayProcess> a_;
  std::unique_ptr<GatewayProcess> b_;
};

TEST_F(GlobalRateLimit, TwoReplicasShareOneBucket) {
  const auto started = std::chrono::steady_clock::now();
  int allowed = 0;
  for (int i = 0; i < 30; ++i) {
    auto& gateway = i % 2 ? *a_ : *b_;
    const auto res = request(gateway.port(), "GET", message_path(5001 + 2 * i));
    allowed += json_get_int(res.body, "/code") == 200;
    if (i == 0) {
      // The bucket lives in Redis (checked at once: its key expires ~1 s
      // after the bucket refills).
      EXPECT_EQ(redis_->cli({"EXISTS", "yxgate:rl:default:get_message"}), "1");
    }
  }
  const auto elapsed = seconds_since(started);
  const auto calls = emulator_->calls("get_message");
  EXPECT_EQ(calls, allowed);
  // One bucket: 5 + 5/s. Two fallback buckets would have let 10 through at once.
  EXPECT_LE(calls, 5 + 5 * elapsed + 1) << "one bucket, not two (" << elapsed << " s)";
  EXPECT_GE(calls, 5);
  // Neither replica ever fell back to its own bucket (a fallback follows a
  // failed Redis command, and every failure is counted).
  for (auto* gateway : {a_.get(), b_.get()}) {
    EXPECT_EQ(metric_value(gateway->admin_port(), "yxgate_redis_errors_total"), 0);
    EXPECT_EQ(metric_value(gateway->admin_port(), "yxgate_redis_up"), 1);
  }
}

class GlobalRateLimitOfTwo : public GlobalRateLimit {
 protected:
  void SetUp() override { start_replicas(2, "100ms"); }
};

TEST_F(GlobalRateLimitOfTwo, RedisDownFallsBackToTheLocalShareQuickly) {
  redis_->stop();
  const auto started = std::chrono::steady_clock::now();
  int ok = 0;
  for (int i = 0; i < 20; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto res = request(a_->port(), "GET", message_path(6001 + 2 * i));
    EXPECT_LT(seconds_since(t0), 0.5) << "no request waits on a dead Redis";
    ok += json_get_int(res.body, "/code") == 200;
  }
  // rate 5 / 2 replicas = 2.5/s, burst 5 / 2 = 2.5.
  EXPECT_GE(ok, 2);
  EXPECT_LE(ok, 2.5 + 2.5 * seconds_since(started) + 1);
}

}  // namespace
}  // namespace yxgate::testing
