// Fidelity (SPEC §11.1, issue 15): the gateway reads every request it
// caches, coalesces or invalidates the way upstream does, or refuses it
// (HTTP 200, code 414, nothing upstream); and reads upstream's replies as
// sent. One test per defect of the issue, through the real binaries.
#include <future>
#include <latch>
#include <regex>
#include <thread>

#include "cache/app_identity.hpp"
#include "e2e/gateway_test_env.hpp"
#include "support/redis_server.hpp"

namespace yxgate::testing {
namespace {

std::string message_path(std::uint64_t id, std::string_view query = {}) {
  std::string path =
      "/im/v2/conversations/" + std::string(kAliceBob) + "/messages/" + std::to_string(id);
  if (!query.empty()) path += "?" + std::string(query);
  return path;
}

std::string timed(std::uint64_t id, std::uint64_t time) {
  return message_path(id, "message_time=" + std::to_string(time));
}

std::string batch_body(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& items) {
  std::string body = R"({"messages":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) body += ',';
    body += R"({"message_server_id":)" + std::to_string(items[i].first) + R"(,"create_time":)" +
            std::to_string(items[i].second) + "}";
  }
  return body + "]}";
}

const std::string kBatchPath = "/im/v2/conversations/alice%7C1%7Cbob/batch_messages";
const Headers kJson = {{"Content-Type", "application/json"}};

class Fidelity : public GatewayTest {
 protected:
  std::string metrics() { return request(gateway().admin_port(), "GET", "/metrics").body; }
  HttpResponse post(const std::string& target, const std::string& body) {
    return request(gateway().port(), "POST", target, kJson, body);
  }
  HttpResponse del(const std::string& target) {
    return request(gateway().port(), "DELETE", target);
  }
  void expect_refused(const HttpResponse& res, std::string_view what) {
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(json_get_int(res.body, "/code"), 414) << res.body;
    EXPECT_NE(res.body.find("parameter error"), std::string::npos) << res.body;
    EXPECT_NE(res.body.find(what), std::string::npos) << res.body;
  }
};

// Defect 1: DELETE .../messages/%33%36%31 deletes 361 upstream (which
// decodes the path): the gateway must invalidate 361, not keep serving it.
TEST_F(Fidelity, EncodedPathIdInADeleteInvalidatesThatMessage) {
  start();
  ASSERT_EQ(json_get_int(get(message_path(361)).body, "/code"), 200);
  ASSERT_EQ(get(message_path(361)).header("X-Yxgate-Cache"), "hit");
  const auto deleted = del("/im/v2/conversations/alice%7C1%7Cbob/messages/%33%36%31?type=1");
  EXPECT_EQ(json_get_int(deleted.body, "/code"), 200) << deleted.body;
  EXPECT_EQ(emulator().asked_ids("delete_message"), std::vector<std::int64_t>{361});
  const auto after = get(message_path(361));
  EXPECT_EQ(json_get_int(after.body, "/code"), 107404) << after.body;
  EXPECT_NE(after.header("X-Yxgate-Cache"), "hit");

  // A literal segment encoded is the same route upstream, so a mutation too.
  ASSERT_EQ(json_get_int(get(message_path(363)).body, "/code"), 200);
  const auto other = del("/im/v2/conversation%73/alice%7C1%7Cbob/messages/363?type=1");
  EXPECT_EQ(json_get_int(other.body, "/code"), 200) << other.body;
  EXPECT_EQ(json_get_int(get(message_path(363)).body, "/code"), 107404);
}

// Defect 1: modifyMsg bodies with two "message" keys, or an escaped key.
TEST_F(Fidelity, AmbiguousModifyBodyIsRefusedAndAnEscapedKeyIsReadDecoded) {
  start();
  ASSERT_EQ(json_get_int(get(message_path(365)).body, "/code"), 200);
  ASSERT_EQ(json_get_int(get(message_path(367)).body, "/code"), 200);
  const auto twice = post("/im/v2/messages/actions/modifyMsg",
                          R"({"message":{"message_server_id":365,"text":"a"},)"
                          R"("message":{"message_server_id":367,"text":"b"}})");
  expect_refused(twice, "duplicate key");
  EXPECT_EQ(emulator().calls("modify_message"), 0);

  const auto escaped = post("/im/v2/messages/actions/modifyMsg",
                            R"({"message":{"message\u005fserver_id":367,"text":"edited"}})");
  EXPECT_EQ(json_get_int(escaped.body, "/code"), 200) << escaped.body;
  EXPECT_EQ(emulator().asked_ids("modify_message"), std::vector<std::int64_t>{367});
  EXPECT_EQ(json_get_string(get(message_path(367)).body, "/data/text"), "edited");
}

// The gateway reads a body as sent; an upstream that decodes a request's
// Content-Encoding would read another one (a plain body labelled br is no
// brotli; a gzip body is no JSON). Refused either way, nothing upstream.
TEST_F(Fidelity, EncodedRequestBodiesOnParsedRoutesAreRefused) {
  start();
  const std::string modify = R"({"message":{"message_server_id":369,"text":"edited"}})";
  std::vector<std::pair<std::uint64_t, std::uint64_t>> items{{369, seeded_create_time(369)}};
  for (const auto* coding : {"br", "gzip", "identity, gzip"}) {
    Headers headers = kJson;
    headers.emplace_back("Content-Encoding", coding);
    expect_refused(
        request(gateway().port(), "POST", "/im/v2/messages/actions/modifyMsg", headers, modify),
        "Content-Encoding");
    expect_refused(request(gateway().port(), "POST", kBatchPath, headers, batch_body(items)),
                   "Content-Encoding");
  }
  EXPECT_EQ(emulator().total_requests(), 0);
  // identity is the body as sent.
  Headers identity = kJson;
  identity.emplace_back("Content-Encoding", "identity");
  const auto plain =
      request(gateway().port(), "POST", "/im/v2/messages/actions/modifyMsg", identity, modify);
  EXPECT_EQ(json_get_int(plain.body, "/code"), 200) << plain.body;
}

// Defect 2: an encoded query name is message_time upstream; the gateway must
// neither cache that 107404 as the plain question's answer nor answer it
// from a cached message.
TEST_F(Fidelity, EncodedQueryNameIsReadAsUpstreamReadsIt) {
  start();
  const auto poisoned = get(message_path(369, "message%5Ftime=1"));
  EXPECT_EQ(json_get_int(poisoned.body, "/code"), 107404) << poisoned.body;
  const auto plain = get(message_path(369));
  EXPECT_EQ(json_get_int(plain.body, "/code"), 200) << plain.body;
  ASSERT_EQ(get(message_path(369)).header("X-Yxgate-Cache"), "hit");
  const auto again = get(message_path(369, "message%5Ftime=1"));
  EXPECT_EQ(json_get_int(again.body, "/code"), 107404) << again.body;
  const auto spaced =
      get(message_path(369, "message%5Ftime=" + std::to_string(seeded_create_time(369))));
  EXPECT_EQ(json_get_int(spaced.body, "/code"), 200) << spaced.body;

  const auto before = emulator().total_requests();
  expect_refused(get(message_path(369, "message_time=1&message_time=2")), "more than once");
  expect_refused(get(message_path(369, "check_team_valid=1")), "true or false");
  EXPECT_EQ(emulator().total_requests(), before);
}

// Defect 3: the wrong message_time gets 107404 even beside the right one.
TEST_F(Fidelity, WrongMessageTimeIsNotServedWhenSharingABatch) {
  start({.extra_yaml = "coalesce:\n  window: 100ms\n"});
  const auto t = seeded_create_time(371);
  const auto answers =
      fire_calls_together(gateway().port(), {{"GET", timed(371, t)}, {"GET", timed(371, t + 1)}});
  EXPECT_EQ(json_get_int(answers[0].body, "/code"), 200) << answers[0].body;
  EXPECT_EQ(json_get_int(answers[1].body, "/code"), 107404) << answers[1].body;
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  EXPECT_EQ(emulator().calls("get_message"), 0);

  // One client batch asking an id twice is answered per item.
  const auto batch = post(
      kBatchPath, batch_body({{373, seeded_create_time(373)}, {373, seeded_create_time(373) + 1}}));
  EXPECT_EQ(json_array_size(batch.body, "/data/success_list"), 1u) << batch.body;
  EXPECT_EQ(json_array_size(batch.body, "/data/failed_list"), 1u) << batch.body;
  EXPECT_EQ(json_get_int(batch.body, "/data/failed_list/0/create_time"),
            static_cast<std::int64_t>(seeded_create_time(373) + 1));
}

// Defect 4: an item without create_time never joins other clients' batch.
TEST_F(Fidelity, OneClientsBadItemDoesNotFailOthersLookups) {
  start({.extra_yaml = "coalesce:\n  window: 100ms\n"});
  const auto answers = fire_calls_together(
      gateway().port(),
      {{"GET", timed(375, seeded_create_time(375))},
       {"GET", timed(377, seeded_create_time(377))},
       {"GET", timed(379, seeded_create_time(379))},
       {"POST", kBatchPath, R"({"messages":[{"message_server_id":381}]})", kJson}});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(json_get_int(answers[i].body, "/code"), 200) << i;
  expect_refused(answers[3], "create_time");
}

// Defect 5: over 100 items is upstream's own 414, and nothing goes upstream.
TEST_F(Fidelity, BatchOfMoreThan100ItemsIsRefused) {
  start();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> items;
  for (std::uint64_t id = 1; id <= 5000; ++id) items.emplace_back(id, seeded_create_time(id));
  expect_refused(post(kBatchPath, batch_body(items)), "1 to 100 items");
  items.resize(101);
  expect_refused(post(kBatchPath, batch_body(items)), "1 to 100 items");
  EXPECT_EQ(emulator().total_requests(), 0);
  items.resize(100);
  const auto hundred = post(kBatchPath, batch_body(items));
  EXPECT_EQ(json_array_size(hundred.body, "/data/success_list"), 100u)
      << hundred.body.substr(0, 200);
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
}

// Defect 6: two gateways of different AppKeys, both apps named "default",
// one Redis: neither is served the other's entries.
TEST_F(Fidelity, AppsOfDifferentKeysDoNotShareRedisEntries) {
  RedisServerProcess redis;
  emulator_ = std::make_unique<EmulatorProcess>(
      EmulatorOptions{.apps = {"key-a:secret-a", "key-b:secret-b"}});
  const auto yaml = "cache:\n  redis:\n    url: " + redis.url() + "\n    timeout: 200ms\n";
  GatewayProcess a({.upstream_url = emulator().base_url(),
                    .extra_yaml = yaml,
                    .app_key = "key-a",
                    .app_secret = "secret-a"});
  GatewayProcess b({.upstream_url = emulator().base_url(),
                    .extra_yaml = yaml,
                    .app_key = "key-b",
                    .app_secret = "secret-b"});
  const auto redis_up = [](GatewayProcess& g) {
    return request(g.admin_port(), "GET", "/metrics").body.find("\nyxgate_redis_up 1") !=
           std::string::npos;
  };
  ASSERT_TRUE(eventually([&] { return redis_up(a) && redis_up(b); }, std::chrono::seconds(5)));
  EXPECT_EQ(request(a.port(), "GET", message_path(383)).header("X-Yxgate-Cache"), "miss");
  const auto from_b = request(b.port(), "GET", message_path(383));
  EXPECT_EQ(from_b.header("X-Yxgate-Cache"), "miss");
  EXPECT_EQ(emulator().calls("get_message"), 2);
  EXPECT_EQ(redis.cli({"EXISTS", "yxgate:" + cache::app_cache_identity("key-a") + ":msg:383"}),
            "1");
  EXPECT_EQ(redis.cli({"EXISTS", "yxgate:default:msg:383"}), "0");
}

// Defect 7: on parsed routes the gateway asks for identity; pass-through
// keeps the client's Accept-Encoding. A reply compressed anyway is decoded:
// UpstreamBehaviour.GzipOnParsedRoutesIsDecodedOrNotRequested.
TEST_F(Fidelity, ParsedRoutesAskForIdentityPassThroughKeepsTheClientsEncoding) {
  start();
  const Headers gzip = {{"Accept-Encoding", "gzip"}};
  ASSERT_EQ(json_get_int(get(message_path(385), gzip).body, "/code"), 200);
  EXPECT_EQ(json_get_string(last_upstream_request(), "/headers/accept-encoding"), "identity");
  get(timed(387, seeded_create_time(387)), gzip);
  EXPECT_EQ(json_get_string(last_upstream_request(), "/headers/accept-encoding"), "identity");
  get("/im/v2/chatrooms/1/messages?sender_id=alice&limit=1", gzip);
  EXPECT_EQ(json_get_string(last_upstream_request(), "/headers/accept-encoding"), "gzip");
}

// Defect 8: a bypass read with an unparsable 200 is a 502, as without the flag.
TEST_F(Fidelity, BypassReadWithUnparsableReplyIs502) {
  start();
  emulator().add_fault("get_message", "malformed");
  const auto res = get(message_path(389, "check_team_valid=true"));
  EXPECT_EQ(res.status, 502) << res.body;
  EXPECT_EQ(res.header("X-Yxgate-Error"), "upstream_bad_reply");
}

// Defect 9: a parameter 414 from upstream is not an auth error.
TEST_F(Fidelity, PlainParameterErrorIsNotCountedAsAuthError) {
  start();
  const auto res = get("/im/v2/chatrooms/1/messages?sender_id=alice&limit=0");
  EXPECT_EQ(json_get_int(res.body, "/code"), 414) << res.body;
  const auto text = metrics();
  // Every (route, outcome) child exists from startup: no auth_error one may have moved.
  EXPECT_FALSE(std::regex_search(text, std::regex("outcome=\"auth_error\"\\} [1-9]"))) << text;
  EXPECT_NE(
      text.find("yxgate_upstream_requests_total{route=\"chatroom_messages\",outcome=\"error\"} 1"),
      std::string::npos)
      << text;
  EXPECT_EQ(gateway().log().find("upstream_auth_error"), std::string::npos);
}

}  // namespace
}  // namespace yxgate::testing
