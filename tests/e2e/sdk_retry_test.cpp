// Issue 17 / SPEC §11.4: the vendor SDKs pointed at yxgate, through an
// SDK-shaped client (support/sdk_client.hpp) with their retry policy. Through
// hangs, resets, 503s and rate limits no write reaches upstream twice, and
// every answer the client ends with is upstream's or a SPEC §5 error.
#include <future>

#include "e2e/gateway_test_env.hpp"
#include "support/redis_server.hpp"
#include "support/sdk_client.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kConversation = "alice|1|bob";

// A gateway-made error of SPEC §5 for an unknown write outcome: 504, code
// 500, a text the SDKs do not retry on.
void expect_outcome_unknown(const HttpResponse& res) {
  ASSERT_TRUE(res.ok()) << res.error;
  EXPECT_EQ(res.status, 504);
  EXPECT_EQ(json_get_int(res.body, "/code"), 500) << res.body;
  EXPECT_EQ(json_get_raw(res.body, "/data"), "{}") << res.body;
  EXPECT_TRUE(res.header("X-Yxgate-Error").has_value());
  EXPECT_FALSE(SdkClient::retryable(res)) << res.body;
}

// Upstream's own answer (HTTP 200 with a body code, or its 503 passed
// through) or a SPEC §5 gateway error.
void expect_upstream_or_spec5(const HttpResponse& res) {
  ASSERT_TRUE(res.ok()) << res.error;
  ASSERT_TRUE(json_get_int(res.body, "/code").has_value()) << res.body;
  ASSERT_TRUE(json_get_string(res.body, "/msg").has_value()) << res.body;
  if (res.status == 200) return;
  const bool gateway_made = res.header("X-Yxgate-Error").has_value();
  if (!gateway_made) {
    EXPECT_EQ(res.status, 503) << "only upstream's 503 is passed through: " << res.body;
    return;
  }
  EXPECT_EQ(json_get_raw(res.body, "/data"), "{}") << res.body;
  const int status = res.status;
  EXPECT_TRUE(status == 502 || status == 504 || status == 503) << status;
  EXPECT_EQ(json_get_int(res.body, "/code"), status == 503 ? 503 : 500) << res.body;
}

class SdkRetry : public GatewayTest {
 protected:
  SdkClient sdk(std::chrono::milliseconds timeout = 5s) {
    return SdkClient({.ports = {gateway().port()}, .timeout = timeout});
  }
  // QueryMessage as the SDK sends it (no message_time), on the prefix the
  // emulator serves lookups on.
  SdkClient lookups(std::chrono::milliseconds timeout = 5s) {
    return SdkClient({.ports = {gateway().port()}, .timeout = timeout, .query_prefix = "/im/v2/"});
  }
};

TEST_F(SdkRetry, HungWriteRetriedWithTheSameTraceIdReachesUpstreamOnce) {
  start({.upstream_yaml = "  timeout: 300ms\n"});
  emulator().add_fault("modify_message", "latency", 800, 1);
  // The SDK's own deadline fires before the gateway's: it retries.
  const auto first = sdk(200ms).modify_message(kConversation, 1001, "v2");
  ASSERT_EQ(first.attempts.size(), 2u);
  EXPECT_TRUE(first.attempts[0].timed_out()) << first.attempts[0].error;

  // Asked again once the exchange is over: the first answer, not a new POST.
  const auto again = sdk().modify_message(kConversation, 1001, "v2", first.trace_id);
  ASSERT_EQ(again.attempts.size(), 1u);
  expect_outcome_unknown(again.last());
  EXPECT_EQ(again.last().header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(emulator().calls("modify_message"), 1);
}

TEST_F(SdkRetry, ARepeatAfterTheGateways504LearnsTheRealOutcome) {
  start({.upstream_yaml = "  timeout: 300ms\n"});
  emulator().add_fault("modify_message", "latency", 450, 1);
  const auto started = std::chrono::steady_clock::now();
  const auto first = sdk().modify_message(kConversation, 1003, "v2");
  // Answered at the gateway's timeout, not when upstream answers (the 504
  // says so; the bound only catches a gateway waiting far longer).
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ASSERT_EQ(first.attempts.size(), 1u) << "the 504's text must not make the SDK retry";
  expect_outcome_unknown(first.last());
  EXPECT_EQ(first.last().header("X-Yxgate-Error"), "upstream_timeout");

  // The gateway kept the exchange going: the repeat waits for it.
  const auto again = sdk().modify_message(kConversation, 1003, "v2", first.trace_id);
  ASSERT_TRUE(again.last().ok()) << again.last().error;
  EXPECT_EQ(again.last().status, 200);
  EXPECT_EQ(json_get_int(again.last().body, "/code"), 200) << again.last().body;
  EXPECT_EQ(again.last().header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(emulator().calls("modify_message"), 1);
  EXPECT_EQ(metric_value(gateway().admin_port(), "yxgate_idempotent_joins_total"), 1);
  EXPECT_EQ(metric_value(gateway().admin_port(), "yxgate_idempotent_replays_total"), 1);
  // The log tells how the write the client saw a 504 for really ended.
  EXPECT_TRUE(eventually(
      [&] {
        return gateway().log().find("\"event\":\"write_outcome_after_504\"") != std::string::npos;
      },
      2s));

  // The SDK's lookup (no message_time) sees the write.
  const auto lookup = lookups().query_message(kConversation, 1003);
  EXPECT_EQ(json_get_string(lookup.last().body, "/data/text"), "v2") << lookup.last().body;
}

TEST_F(SdkRetry, ConnectionLostMidReplyIsNeitherRetriedNorResent) {
  start();
  emulator().add_fault("modify_message", "close", 0, 1);
  const auto first = sdk().modify_message(kConversation, 1005, "v2");
  ASSERT_EQ(first.attempts.size(), 1u);
  expect_outcome_unknown(first.last());
  EXPECT_EQ(first.last().header("X-Yxgate-Error"), "upstream_bad_reply");
  const auto again = sdk().modify_message(kConversation, 1005, "v2", first.trace_id);
  EXPECT_EQ(again.last().status, 504);
  EXPECT_EQ(again.last().header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(emulator().calls("modify_message"), 1);
  // A new call (new trace id) is a new write.
  const auto fresh = sdk().modify_message(kConversation, 1005, "v2");
  EXPECT_EQ(json_get_int(fresh.last().body, "/code"), 200) << fresh.last().body;
  EXPECT_FALSE(fresh.last().header("X-Yxgate-Replayed").has_value());
  EXPECT_EQ(emulator().calls("modify_message"), 2);
}

// SPEC §11.1: an HTTP 200 whose body is not a reply is a failure on every
// route the gateway parses; on a mutation, which reached upstream, its
// outcome is unknown (SPEC §11.4). It was relayed as a 200 before.
TEST_F(SdkRetry, AnUnreadable200OnAMutationIsAnUnknownOutcome) {
  start();
  for (const auto* kind : {"malformed", "not_json"}) {
    emulator().add_fault("modify_message", kind, 0, 1);
    const auto modify = sdk().modify_message(kConversation, 1009, "v2");
    ASSERT_EQ(modify.attempts.size(), 1u) << kind;
    expect_outcome_unknown(modify.last());
    EXPECT_EQ(modify.last().header("X-Yxgate-Error"), "upstream_bad_reply") << kind;

    emulator().add_fault("delete_message", kind, 0, 1);
    const auto del =
        request(gateway().port(), "DELETE",
                "/im/v2/conversations/" + std::string(kConversation) + "/messages/1011?type=1");
    expect_outcome_unknown(del);
    EXPECT_EQ(del.header("X-Yxgate-Error"), "upstream_bad_reply") << kind;
  }
  // A whole reply with a business code is still upstream's answer.
  emulator().add_fault("modify_message", "code500", 0, 1);
  const auto refused = sdk().modify_message(kConversation, 1009, "v2");
  EXPECT_EQ(refused.last().status, 200);
  EXPECT_EQ(json_get_int(refused.last().body, "/code"), 500) << refused.last().body;
}

TEST_F(SdkRetry, Upstream503IsUpstreamsAnswerGivenOnce) {
  start();
  emulator().add_fault("modify_message", "http503", 0, 1);
  const auto first = sdk().modify_message(kConversation, 1007, "v2");
  ASSERT_EQ(first.attempts.size(), 1u);
  expect_upstream_or_spec5(first.last());
  EXPECT_EQ(first.last().status, 503);
  EXPECT_FALSE(first.last().header("X-Yxgate-Error").has_value());
  const auto again = sdk().modify_message(kConversation, 1007, "v2", first.trace_id);
  EXPECT_EQ(again.last().body, first.last().body);
  EXPECT_EQ(emulator().calls("modify_message"), 1);
}

TEST_F(SdkRetry, WriteRefusedByARateLimitIsNotRecordedSoItsRetryGoesUpstream) {
  start({.app_yaml =
             "    rate_limits:\n      max_wait: 0ms\n      default: { rate: 2, burst: 1 }\n"});
  EXPECT_EQ(json_get_int(sdk().modify_message(kConversation, 1009, "a").last().body, "/code"), 200);
  const auto refused = sdk().modify_message(kConversation, 1011, "b");
  ASSERT_EQ(refused.attempts.size(), 1u);
  expect_upstream_or_spec5(refused.last());
  EXPECT_EQ(refused.last().header("X-Yxgate-Error"), "rate_limited");
  // Bounded: the bucket refills in 500 ms.
  SdkResult retried;
  ASSERT_TRUE(eventually(
      [&] {
        retried = sdk().modify_message(kConversation, 1011, "b", refused.trace_id);
        return json_get_int(retried.last().body, "/code") == 200;
      },
      3s));
  EXPECT_FALSE(retried.last().header("X-Yxgate-Replayed").has_value());
  EXPECT_EQ(emulator().calls("modify_message"), 2);

  // Upstream's own 416 is not recorded either.
  emulator().add_fault("modify_message", "ratelimit416", 0, 1);
  SdkResult upstream_refused;
  ASSERT_TRUE(eventually(
      [&] {
        upstream_refused = sdk().modify_message(kConversation, 1013, "c");
        return !upstream_refused.last().header("X-Yxgate-Error").has_value();
      },
      3s));
  EXPECT_EQ(json_get_int(upstream_refused.last().body, "/code"), 416);
  SdkResult after;
  ASSERT_TRUE(eventually(
      [&] {
        after = sdk().modify_message(kConversation, 1013, "c", upstream_refused.trace_id);
        return !after.last().header("X-Yxgate-Error").has_value();
      },
      3s));
  EXPECT_EQ(json_get_int(after.last().body, "/code"), 200) << after.last().body;
  EXPECT_EQ(emulator().calls("modify_message"), 4);
}

TEST_F(SdkRetry, ConcurrentRepeatsWaitForTheFirstAndShareItsAnswer) {
  start();  // two workers: the connections land on different ones
  emulator().add_fault("modify_message", "latency", 300, 1);
  const auto trace_id = SdkClient::new_trace_id();
  std::vector<std::future<SdkResult>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      return sdk().modify_message(kConversation, 1031, "same", trace_id);
    }));
  }
  int replayed = 0;
  std::string body;
  for (auto& call : calls) {
    const auto result = call.get();
    ASSERT_EQ(result.attempts.size(), 1u);
    EXPECT_EQ(json_get_int(result.last().body, "/code"), 200) << result.last().body;
    if (body.empty()) body = result.last().body;
    EXPECT_EQ(result.last().body, body);
    if (result.last().header("X-Yxgate-Replayed")) ++replayed;
  }
  EXPECT_EQ(replayed, 3);
  EXPECT_EQ(emulator().calls("modify_message"), 1);
}

TEST_F(SdkRetry, SameTraceIdWithAnotherRequestIsNotARepeat) {
  start();
  auto client = sdk();
  const auto first = client.modify_message(kConversation, 1015, "one");
  const auto other = client.modify_message(kConversation, 1015, "two", first.trace_id);
  EXPECT_EQ(json_get_int(other.last().body, "/code"), 200);
  EXPECT_FALSE(other.last().header("X-Yxgate-Replayed").has_value());
  const auto repeat = client.modify_message(kConversation, 1015, "one", first.trace_id);
  EXPECT_EQ(repeat.last().header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(repeat.last().body, first.last().body);
  EXPECT_EQ(emulator().calls("modify_message"), 2);
}

TEST_F(SdkRetry, WithoutAClientTraceIdOrWithReplayOffWritesAreNotRecorded) {
  start({.extra_yaml = "idempotency:\n  window: 0s\n"});
  auto client = sdk();
  const auto first = client.modify_message(kConversation, 1017, "x");
  client.modify_message(kConversation, 1017, "x", first.trace_id);
  EXPECT_EQ(emulator().calls("modify_message"), 2);
}

TEST_F(SdkRetry, HungReadIsRetriedByTheSdkAndEndsInUpstreamsAnswer) {
  start({.upstream_yaml = "  timeout: 300ms\n"});
  emulator().add_fault("get_message", "hang", 0, 1);
  const auto result = lookups().query_message(kConversation, 1019);
  ASSERT_EQ(result.attempts.size(), 2u);
  EXPECT_EQ(result.attempts[0].status, 504);
  EXPECT_TRUE(SdkClient::retryable(result.attempts[0])) << "reads are safe to retry";
  expect_upstream_or_spec5(result.last());
  EXPECT_EQ(json_get_int(result.last().body, "/data/message_server_id"), 1019);
}

TEST_F(SdkRetry, AReadRetriedOnAFreshConnectionCountsTwoUpstreamCallsInTheAccessLog) {
  start({.threads = 1});
  ASSERT_EQ(json_get_int(get("/im/v2/conversations/alice%7C1%7Cbob/messages/1027").body, "/code"),
            200);  // leaves a pooled connection
  // Upstream drops the pooled connection without answering: the gateway
  // retries the GET once on a fresh connection.
  emulator().add_fault("get_message", "close", 0, 1);
  const auto res = get("/im/v2/conversations/alice%7C1%7Cbob/messages/1029",
                       {{"X-custom-traceid", "count-two"}});
  ASSERT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  EXPECT_EQ(emulator().calls("get_message"), 3);
  std::string line;
  ASSERT_TRUE(eventually(
      [&] {
        const auto log = gateway().log();
        const auto at = log.find("\"trace_id\":\"count-two\"");
        if (at == std::string::npos) return false;
        line = log.substr(at, log.find('\n', at) - at);
        return true;
      },
      2s));
  EXPECT_NE(line.find("\"upstream_calls\":2"), std::string::npos) << line;
}

// Two replicas sharing a real Redis: the record is shared.
class SdkRetryAcrossReplicas : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = std::make_unique<RedisServerProcess>();
    emulator_ = std::make_unique<EmulatorProcess>();
    a_ = start_gateway();
    b_ = start_gateway();
  }
  std::unique_ptr<GatewayProcess> start_gateway() {
    return start_redis_replica(emulator_->base_url(), redis_->url(), "100ms", "",
                               "  timeout: 300ms\n");
  }
  SdkClient sdk(std::vector<std::uint16_t> ports, std::chrono::milliseconds timeout = 5s) {
    return SdkClient({.ports = std::move(ports), .timeout = timeout});
  }

  std::unique_ptr<RedisServerProcess> redis_;
  std::unique_ptr<EmulatorProcess> emulator_;
  std::unique_ptr<GatewayProcess> a_;
  std::unique_ptr<GatewayProcess> b_;
};

TEST_F(SdkRetryAcrossReplicas, HungWriteRetriedThroughTheOtherReplicaReachesUpstreamOnce) {
  emulator_->add_fault("modify_message", "latency", 800, 1);
  // First attempt through A, the retry through B (a load balancer's choice).
  const auto first = sdk({a_->port(), b_->port()}, 200ms).modify_message(kConversation, 1021, "v2");
  ASSERT_EQ(first.attempts.size(), 2u);
  EXPECT_TRUE(first.attempts[0].timed_out()) << first.attempts[0].error;

  const auto again = sdk({b_->port()}).modify_message(kConversation, 1021, "v2", first.trace_id);
  expect_outcome_unknown(again.last());
  EXPECT_EQ(again.last().header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(emulator_->calls("modify_message"), 1);
}

TEST_F(SdkRetryAcrossReplicas, SlowWritesOutcomeIsLearnedThroughTheOtherReplica) {
  emulator_->add_fault("modify_message", "latency", 450, 1);
  const auto first = sdk({a_->port()}).modify_message(kConversation, 1023, "v2");
  expect_outcome_unknown(first.last());
  const auto again = sdk({b_->port()}).modify_message(kConversation, 1023, "v2", first.trace_id);
  ASSERT_TRUE(again.last().ok()) << again.last().error;
  EXPECT_EQ(json_get_int(again.last().body, "/code"), 200) << again.last().body;
  EXPECT_EQ(again.last().header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(emulator_->calls("modify_message"), 1);
  EXPECT_EQ(metric_value(b_->admin_port(), "yxgate_idempotent_replays_total"), 1);
  // One shared record under the key prefix, expiring with the window.
  const auto keys = redis_->cli({"KEYS", "yxgate:idem:*"});
  ASSERT_EQ(keys.find('\n'), std::string::npos) << keys;
  ASSERT_FALSE(keys.empty());
  const auto ttl = std::stoll(redis_->cli({"PTTL", keys}));
  EXPECT_GT(ttl, 50'000);
  EXPECT_LE(ttl, 60'000);
  // Later repeats through either replica: still the one answer.
  for (auto port : {a_->port(), b_->port()}) {
    const auto later = sdk({port}).modify_message(kConversation, 1023, "v2", first.trace_id);
    EXPECT_EQ(later.last().body, again.last().body);
  }
  EXPECT_EQ(emulator_->calls("modify_message"), 1);
}

TEST_F(SdkRetryAcrossReplicas, WithRedisDownEachReplicaStillAnswersItsOwnRepeatsOnce) {
  redis_->stop();
  ASSERT_TRUE(
      eventually([&] { return metric_value(a_->admin_port(), "yxgate_redis_up") == 0; }, 5s));
  const auto first = sdk({a_->port()}).modify_message(kConversation, 1025, "v2");
  EXPECT_EQ(json_get_int(first.last().body, "/code"), 200);
  const auto again = sdk({a_->port()}).modify_message(kConversation, 1025, "v2", first.trace_id);
  EXPECT_EQ(again.last().header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(emulator_->calls("modify_message"), 1);
}

}  // namespace
}  // namespace yxgate::testing
