// SPEC §3.1 (cache), §3.2 (batch per item), §3.3 (invalidation) with the
// in-process layer alone (the embedded default), through the real binaries.
#include <future>
#include <thread>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

std::string message_path(std::string_view conversation, std::uint64_t id,
                         std::string_view query = "") {
  std::string path =
      "/im/v2/conversations/" + std::string(conversation) + "/messages/" + std::to_string(id);
  if (!query.empty()) path += "?" + std::string(query);
  return path;
}

std::string batch_body(std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> items) {
  std::string body = "{\"messages\":[";
  bool first = true;
  for (auto [id, time] : items) {
    if (!first) body += ',';
    first = false;
    body += "{\"message_server_id\":" + std::to_string(id) +
            ",\"create_time\":" + std::to_string(time) + "}";
  }
  return body + "]}";
}

class Cache : public GatewayTest {
 protected:
  void SetUp() override { start(); }
  HttpResponse direct_get(const std::string& target) {
    return request(emulator().port(), "GET", target, signed_headers());
  }
  HttpResponse post(const std::string& target, const std::string& body) {
    return request(gateway().port(), "POST", target, {{"Content-Type", "application/json"}}, body);
  }
  std::string metrics() { return request(gateway().admin_port(), "GET", "/metrics").body; }
};

TEST_F(Cache, MissThenHitWithoutASecondUpstreamCall) {
  const auto path = message_path(kAliceBob, 1001);
  const auto first = get(path);
  EXPECT_EQ(first.header("X-Yxgate-Cache"), "miss");
  const auto second = get(path);
  EXPECT_EQ(second.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.body, direct_get(path).body) << "byte-equal to upstream's single GET";
  EXPECT_EQ(emulator().calls("get_message"), 2) << "one through the gateway, one direct";
  EXPECT_NE(metrics().find("yxgate_cache_lookups_total{layer=\"local\",result=\"hit\"} 1"),
            std::string::npos);
}

TEST_F(Cache, CachedMessageIsServedToTheOtherSideOfTheConversation) {
  get(message_path(kAliceBob, 1001));
  const auto res = get(message_path("bob%7C1%7Calice", 1001));
  EXPECT_EQ(res.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(json_get_int(res.body, "/data/message_server_id"), 1001);
}

TEST_F(Cache, CachedMessageIsNotServedToAnotherConversation) {
  get(message_path(kAliceBob, 1001));
  for (auto other : {"carol%7C1%7Cdave", "alice%7C1%7Ccarol", "alice%7C2%7C1001"}) {
    const auto res = get(message_path(other, 1001));
    EXPECT_EQ(res.header("X-Yxgate-Cache"), "miss") << other;
    EXPECT_EQ(json_get_int(res.body, "/code"), 107404) << other << ": " << res.body;
  }
  // Each asks upstream: 1001's create_time is learned from the first answer,
  // so the others go as batches (SPEC §11.5).
  EXPECT_EQ(emulator().calls("get_message") + emulator().calls("batch_messages"), 4);
}

TEST_F(Cache, TeamMessagesNeedTheSameTeamAndType) {
  const std::uint64_t id = 100005;  // team 1001 (type 2)
  get(message_path("alice%7C2%7C1001", id));
  EXPECT_EQ(get(message_path("carol%7C2%7C1001", id)).header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(get(message_path("alice%7C3%7C1001", id)).header("X-Yxgate-Cache"), "miss");
  EXPECT_EQ(get(message_path("alice%7C2%7C1002", id)).header("X-Yxgate-Cache"), "miss");
}

TEST_F(Cache, MessageTimeMismatchIsAMiss) {
  get(message_path(kAliceBob, 1001));
  const auto right = get(
      message_path(kAliceBob, 1001, "message_time=" + std::to_string(seeded_create_time(1001))));
  EXPECT_EQ(right.header("X-Yxgate-Cache"), "hit");
  const auto wrong = get(message_path(kAliceBob, 1001, "message_time=5"));
  EXPECT_EQ(wrong.header("X-Yxgate-Cache"), "miss");
  EXPECT_EQ(json_get_int(wrong.body, "/code"), 107404);
}

TEST_F(Cache, CheckTeamFlagsBypassTheCache) {
  const auto path = message_path("alice%7C2%7C1001", 100005);
  get(path);
  const auto res = get(path + "?check_team_valid=true");
  EXPECT_EQ(res.header("X-Yxgate-Cache"), "bypass");
  EXPECT_EQ(emulator().calls("get_message"), 2);
}

TEST_F(Cache, ErrorsAreNeverCached) {
  const auto path = message_path(kAliceBob, 1001);
  for (auto kind : {"code500", "http503", "ratelimit416", "malformed", "close"}) {
    // A closed connection makes the gateway retry an idempotent GET once.
    emulator().add_fault("get_message", kind, 0, kind == std::string_view("close") ? 2 : 1);
    const auto failed = get(path);
    EXPECT_EQ(failed.header("X-Yxgate-Cache").value_or("miss"), "miss") << kind;
    EXPECT_NE(json_get_int(failed.body, "/code").value_or(0), 200) << kind << failed.body;
  }
  emulator().reset();  // drops a close fault the retry may not have used
  const auto ok = get(path);
  EXPECT_EQ(ok.header("X-Yxgate-Cache"), "miss") << "nothing was cached by the failures";
  EXPECT_EQ(json_get_int(ok.body, "/code"), 200);
  EXPECT_EQ(get(path).header("X-Yxgate-Cache"), "hit");
}

TEST_F(Cache, MalformedUpstreamReplyIsA502) {
  emulator().add_fault("get_message", "malformed", 0, 1);
  const auto res = get(message_path(kAliceBob, 1001));
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(res.header("X-Yxgate-Error"), "upstream_bad_reply");
}

TEST_F(Cache, ParameterErrorsAreNotCachedOrForwarded) {
  get(message_path(kAliceBob, 0));
  EXPECT_EQ(emulator().calls("get_message"), 0);
}

TEST_F(Cache, NotFoundIsCachedForTheNegativeTtlOnly) {
  gateway_.reset();
  start({.extra_yaml = "cache:\n  negative_ttl: 300ms\n"});
  const auto path = message_path(kAliceBob, 99990);  // deleted below, so 107404
  request(emulator().port(), "DELETE", message_path(kAliceBob, 99990, "type=1"), signed_headers());
  EXPECT_EQ(json_get_int(get(path).body, "/code"), 107404);
  const auto cached = get(path);
  EXPECT_EQ(cached.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(cached.body, R"({"code":107404,"msg":"message not exist","data":{}})");
  // Waiting for a TTL to pass is the behaviour under test, not synchronisation.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(get(path).header("X-Yxgate-Cache"), "miss");
  EXPECT_EQ(emulator().calls("get_message"), 2);
}

TEST_F(Cache, NegativeTtlZeroDisablesNegativeCaching) {
  gateway_.reset();
  start({.extra_yaml = "cache:\n  negative_ttl: 0s\n"});
  const auto path = message_path(kAliceBob, 1001, "message_time=5");
  get(path);
  EXPECT_EQ(get(path).header("X-Yxgate-Cache"), "miss");
}

TEST_F(Cache, ModifyThroughTheGatewayInvalidates) {
  const auto path = message_path(kAliceBob, 1001);
  get(path);
  const auto modified = post("/im/v2/messages/actions/modifyMsg",
                             R"({"message":{"message_server_id":1001,"text":"edited"}})");
  ASSERT_EQ(json_get_int(modified.body, "/code"), 200) << modified.body;
  const auto after = get(path);
  EXPECT_EQ(after.header("X-Yxgate-Cache"), "miss");
  EXPECT_EQ(json_get_string(after.body, "/data/text"), "edited");
}

TEST_F(Cache, DeleteThroughTheGatewayInvalidates) {
  const auto path = message_path(kAliceBob, 1003);
  get(path);
  request(gateway().port(), "DELETE", message_path(kAliceBob, 1003, "type=1"));
  EXPECT_EQ(json_get_int(get(path).body, "/code"), 107404);
}

TEST_F(Cache, ClearingAConversationInvalidatesAllItsMessages) {
  get(message_path(kAliceBob, 1001));
  get(message_path(kAliceBob, 1003));
  get(message_path("carol%7C1%7Cdave", 300001));
  request(gateway().port(), "DELETE", "/im/v2/conversations/alice%7C1%7Cbob/messages?type=1");
  EXPECT_EQ(json_get_int(get(message_path(kAliceBob, 1001)).body, "/code"), 107404);
  EXPECT_EQ(json_get_int(get(message_path(kAliceBob, 1003)).body, "/code"), 107404);
  EXPECT_EQ(get(message_path("carol%7C1%7Cdave", 300001)).header("X-Yxgate-Cache"), "hit");
}

TEST_F(Cache, ReadRacingAModifyDoesNotCacheTheOldVersion) {
  const auto path = message_path(kAliceBob, 1005);
  // The emulator computes this answer on arrival (the old text) and holds it
  // until the modify below has returned: a read that raced the modify.
  emulator().hold("get_message", 1, "after");
  auto racing = std::async(std::launch::async, [&] { return get(path); });
  ASSERT_EQ(emulator().wait_held(1).size(), 1u);
  const auto modified = post("/im/v2/messages/actions/modifyMsg",
                             R"({"message":{"message_server_id":1005,"text":"new"}})");
  ASSERT_EQ(json_get_int(modified.body, "/code"), 200);
  emulator().release_all();
  const auto old = racing.get();
  EXPECT_EQ(json_get_string(old.body, "/data/text"), "message 1005");
  const auto after = get(path);
  EXPECT_EQ(json_get_string(after.body, "/data/text"), "new") << "old version was cached";
}

TEST_F(Cache, BatchAnswersCachedItemsAndAsksOnlyForMisses) {
  get(message_path(kAliceBob, 1001));
  get(message_path(kAliceBob, 1005));
  const auto res = post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
                        batch_body({{1003, seeded_create_time(1003)},
                                    {1001, seeded_create_time(1001)},
                                    {1007, 1},
                                    {1005, seeded_create_time(1005)}}));
  EXPECT_EQ(res.header("X-Yxgate-Cache"), "partial");
  EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  EXPECT_EQ(json_get_int(res.body, "/data/success_list/0/message_server_id"), 1003);
  EXPECT_EQ(json_get_int(res.body, "/data/success_list/1/message_server_id"), 1001);
  EXPECT_EQ(json_get_int(res.body, "/data/success_list/2/message_server_id"), 1005);
  EXPECT_EQ(json_get_int(res.body, "/data/failed_list/0/message_server_id"), 1007);
  EXPECT_EQ(json_get_int(res.body, "/data/failed_list/0/error_code"), 107404);
  EXPECT_EQ(emulator().asked_ids("batch_messages"), (std::vector<std::int64_t>{1003, 1007}));
}

TEST_F(Cache, BatchOfCachedItemsGoesNowhere) {
  get(message_path(kAliceBob, 1001));
  const auto res = post("/im/v2.1/conversations/alice%7C1%7Cbob/batch_messages",
                        batch_body({{1001, seeded_create_time(1001)}}));
  EXPECT_EQ(res.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(json_get_int(res.body, "/data/success_list/0/message_server_id"), 1001);
  EXPECT_EQ(emulator().calls("batch_messages"), 0);
}

TEST_F(Cache, BatchFillsTheCacheForSingleGets) {
  post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
       batch_body({{1011, seeded_create_time(1011)}}));
  const auto res = get(message_path(kAliceBob, 1011));
  EXPECT_EQ(res.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(res.body, direct_get(message_path(kAliceBob, 1011)).body);
}

TEST_F(Cache, BatchMissesAreSplitIntoCallsOfMaxBatch) {
  gateway_.reset();
  start({.extra_yaml = "coalesce:\n  max_batch: 2\n"});
  const auto res = post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
                        batch_body({{1001, seeded_create_time(1001)},
                                    {1003, seeded_create_time(1003)},
                                    {1005, seeded_create_time(1005)}}));
  EXPECT_EQ(json_array_size(res.body, "/data/success_list"), 3u) << res.body;
  EXPECT_EQ(emulator().calls("batch_messages"), 2);
}

TEST_F(Cache, MalformedBatchBodiesGet414AndNothingGoesUpstream) {
  for (auto body :
       {"not json", "{}", R"({"messages":"x"})", R"({"messages":[{"create_time":1}]})"}) {
    const auto res = post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages", body);
    EXPECT_EQ(res.status, 200) << body;
    EXPECT_EQ(json_get_int(res.body, "/code"), 414) << body << " -> " << res.body;
  }
  EXPECT_EQ(emulator().total_requests(), 0);
}

TEST_F(Cache, BatchFailingAsAWholeFailsTheClientsBatch) {
  emulator().add_fault("batch_messages", "ratelimit416", 0, 1);
  const auto res = post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
                        batch_body({{1001, seeded_create_time(1001)}}));
  EXPECT_EQ(json_get_int(res.body, "/code"), 416);
  EXPECT_EQ(get(message_path(kAliceBob, 1001)).header("X-Yxgate-Cache"), "miss");
}

TEST_F(Cache, LocalLayerStaysWithinItsByteBound) {
  gateway_.reset();
  start({.extra_yaml = "cache:\n  local:\n    max_bytes: 64KiB\n"});
  for (int i = 0; i < 600; ++i) get(message_path(kAliceBob, 1 + i));
  const auto text = metrics();
  const auto at = text.find("\nyxgate_cache_local_bytes ");
  ASSERT_NE(at, std::string::npos);
  const auto bytes = std::stod(text.substr(at + 26));
  EXPECT_GT(bytes, 0);
  EXPECT_LE(bytes, 64 * 1024);
}

TEST_F(Cache, PurgeFromLoopbackDropsAMessage) {
  const auto path = message_path(kAliceBob, 1001);
  get(path);
  const auto purge =
      request(gateway().admin_port(), "POST", "/admin/cache/purge?message_server_id=1001");
  EXPECT_EQ(purge.status, 200) << purge.body;
  EXPECT_EQ(get(path).header("X-Yxgate-Cache"), "miss");
  // The one mutating admin call is logged.
  EXPECT_TRUE(gateway().process().wait_for_line(
      "\"event\":\"admin_purge\",\"message_server_id\":1001", std::chrono::seconds(5)));
  EXPECT_EQ(request(gateway().admin_port(), "POST", "/admin/cache/purge").status, 400);
  EXPECT_EQ(
      request(gateway().admin_port(), "POST", "/admin/cache/purge?message_server_id=x").status,
      400);
}

}  // namespace
}  // namespace yxgate::testing
