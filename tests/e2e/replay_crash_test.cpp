// SPEC §11.4 with Redis when the replica that claimed a write dies while the
// upstream call is in flight: a retry through another replica gets a SPEC §5
// answer within its request budget (504, a body the SDKs do not retry), and
// the dead replica's pending claim ends max_wait + 2 x upstream.timeout +
// 2 x cache.redis.timeout + 1 s after it was made, not at the end of
// idempotency.window: later retries then go upstream again.
#include <csignal>
#include <future>

#include "e2e/gateway_test_env.hpp"
#include "support/redis_server.hpp"
#include "support/sdk_client.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kUpstreamTimeout = 500ms;
constexpr auto kRedisTimeout = 100ms;
constexpr auto kMaxWait = 50ms;  // apps[].rate_limits.max_wait, SPEC §7 default
constexpr auto kPendingTtl = kMaxWait + 2 * kUpstreamTimeout + 2 * kRedisTimeout + 1s;
constexpr std::string_view kModify = "/im/v2/messages/actions/modifyMsg";
constexpr std::string_view kBody = R"({"message":{"message_server_id":1031,"text":"v2"}})";

class ReplayCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = std::make_unique<RedisServerProcess>();
    emulator_ = std::make_unique<EmulatorProcess>();
    a_ = start_gateway();
    b_ = start_gateway();
  }
  std::unique_ptr<GatewayProcess> start_gateway() {
    return start_redis_replica(emulator_->base_url(), redis_->url(),
                               std::to_string(kRedisTimeout.count()) + "ms", "",
                               "  timeout: " + std::to_string(kUpstreamTimeout.count()) + "ms\n");
  }
  HttpResponse modify(std::uint16_t port, const std::string& trace_id) {
    return request(port, "POST", kModify,
                   {{"Content-Type", "application/json"}, {"X-custom-traceid", trace_id}}, kBody,
                   5s);
  }
  std::string replay_key() {
    const auto keys = redis_->cli({"KEYS", "yxgate:idem:*"});
    return keys.find('\n') == std::string::npos ? keys : std::string{};
  }

  std::unique_ptr<RedisServerProcess> redis_;
  std::unique_ptr<EmulatorProcess> emulator_;
  std::unique_ptr<GatewayProcess> a_;
  std::unique_ptr<GatewayProcess> b_;
};

TEST_F(ReplayCrash, RetryAfterTheClaimingReplicaDiesGets504InItsBudgetThenGoesUpstreamOnce) {
  const auto trace_id = SdkClient::new_trace_id();
  emulator_->hold("modify_message");
  auto first = std::async(std::launch::async, [&] { return modify(a_->port(), trace_id); });
  ASSERT_EQ(emulator_->wait_held(1).size(), 1u);  // A claimed it and its call is upstream

  // A's claim is the pending marker, bounded by the in-flight bound, not the window.
  const auto key = replay_key();
  ASSERT_FALSE(key.empty());
  EXPECT_EQ(redis_->cli({"GET", key}), "P");
  const auto pttl = std::stoll(redis_->cli({"PTTL", key}));
  EXPECT_GT(pttl, kUpstreamTimeout.count());
  EXPECT_LE(pttl, std::chrono::milliseconds(kPendingTtl).count());

  a_->process().signal(SIGKILL);
  ASSERT_TRUE(a_->process().wait_exit(5s).has_value());
  const auto killed_at = std::chrono::steady_clock::now();
  first.get();  // the connection died with A (or it got its 504 first)

  // The SDK's retry through B: the record says "in flight" and nobody will
  // finish it. B waits at most upstream.timeout, then answers 504.
  const auto started = std::chrono::steady_clock::now();
  const auto retry = modify(b_->port(), trace_id);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(retry.ok()) << retry.error;
  EXPECT_EQ(retry.status, 504) << retry.body;
  EXPECT_EQ(json_get_int(retry.body, "/code"), 500) << retry.body;
  EXPECT_TRUE(retry.header("X-Yxgate-Error").has_value());
  EXPECT_FALSE(SdkClient::retryable(retry)) << retry.body;
  EXPECT_GE(waited, kUpstreamTimeout - 50ms);
  EXPECT_LT(waited, kUpstreamTimeout + 700ms);
  EXPECT_EQ(emulator_->calls("modify_message"), 1);

  // The dead claim expires on its own; the next retry takes the key over.
  ASSERT_TRUE(eventually([&] { return replay_key().empty(); }, kPendingTtl + 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, kPendingTtl + 1s);
  const auto later = modify(b_->port(), trace_id);
  ASSERT_TRUE(later.ok()) << later.error;
  EXPECT_EQ(later.status, 200);
  EXPECT_EQ(json_get_int(later.body, "/code"), 200) << later.body;
  EXPECT_FALSE(later.header("X-Yxgate-Replayed").has_value());
  EXPECT_EQ(emulator_->calls("modify_message"), 2);
  // From now on that answer is the record, for the whole window.
  const auto again = modify(b_->port(), trace_id);
  EXPECT_EQ(again.header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(again.body, later.body);
  EXPECT_EQ(emulator_->calls("modify_message"), 2);
  EXPECT_GT(std::stoll(redis_->cli({"PTTL", replay_key()})), 50'000);
}

TEST_F(ReplayCrash, AClaimThatFinishesNormallyIsKeptForTheWholeWindow) {
  // Control for the bound above: a live owner replaces its pending marker
  // with the answer, which lives for idempotency.window (60 s).
  const auto trace_id = SdkClient::new_trace_id();
  const auto first = modify(a_->port(), trace_id);
  ASSERT_EQ(json_get_int(first.body, "/code"), 200) << first.body;
  ASSERT_TRUE(eventually([&] { return redis_->cli({"GET", replay_key()}) != "P"; }, 2s));
  EXPECT_GT(std::stoll(redis_->cli({"PTTL", replay_key()})), 50'000);
  const auto retry = modify(b_->port(), trace_id);
  EXPECT_EQ(retry.header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(emulator_->calls("modify_message"), 1);
  // SPEC §10: the replay's access line carries the body code it answered.
  EXPECT_TRUE(eventually(
      [&] {
        const auto log = b_->log();
        const auto at = log.find("\"trace_id\":\"" + trace_id + "\"");
        return at != std::string::npos && log.find("\"code\":200,", at) < log.find('\n', at);
      },
      2s))
      << b_->log();
}

// A write made while Redis is paused: A's claim (SET NX) waits in Redis's
// socket, times out for A, and runs when Redis reads again. A must then
// replace that marker with its answer, or a retry through B waits on a
// marker nobody will finish (504), and once it expires writes upstream a
// second time within idempotency.window.
TEST_F(ReplayCrash, AWriteMadeWhileRedisWasPausedIsReplayedByTheOtherReplicaAfterwards) {
  const auto trace_id = SdkClient::new_trace_id();
  redis_->pause();
  const auto first = modify(a_->port(), trace_id);
  ASSERT_EQ(json_get_int(first.body, "/code"), 200) << first.body;
  redis_->resume();
  ASSERT_TRUE(eventually(
      [&] {
        return redis_->cli({"GET", replay_key()}).starts_with("A1");
      },
      5s))
      << "the pending marker was not replaced with the answer";
  const auto retry = modify(b_->port(), trace_id);
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(emulator_->calls("modify_message"), 1);
}

}  // namespace
}  // namespace yxgate::testing
