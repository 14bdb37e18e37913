// The gateway survives what a real upstream (or the proxies in front of it)
// does (SPEC §5, §11.1): chunked and Connection: close replies, a pooled
// connection the upstream closed while idle, non-JSON and wrong-shape 200s,
// any HTTP status, failed_list codes other than 107404, gzip. The emulator
// switches each behaviour on (emulator/README.md, "Switches", "Faults").

#include <future>

#include "e2e/gateway_test_env.hpp"
#include "support/gunzip.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kMessage5 = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
constexpr std::string_view kChatroom = "/im/v2/chatrooms/7/messages?sender_id=s&limit=2";

std::string message5_with_time() {
  return std::string(kMessage5) + "?message_time=" + std::to_string(seeded_create_time(5));
}

class UpstreamBehaviour : public GatewayTest {
 protected:
  // The answer the emulator gives directly, for comparison.
  HttpResponse direct(std::string_view target) {
    return request(emulator().port(), "GET", target, signed_headers());
  }
  HttpResponse post(std::string_view target, std::string_view body) {
    return request(gateway().port(), "POST", target, {}, body);
  }
  // A single GET of message 5 and a lookup of 7 that goes through the
  // batcher (message_time given), each checked to answer its message.
  std::pair<HttpResponse, HttpResponse> single_and_batched_lookups() {
    auto single = get(kMessage5);
    EXPECT_EQ(single.status, 200);
    EXPECT_EQ(json_get_int(single.body, "/data/message_server_id"), 5) << single.body;
    auto batched = get("/im/v2/conversations/alice%7C1%7Cbob/messages/7?message_time=" +
                       std::to_string(seeded_create_time(7)));
    EXPECT_EQ(json_get_int(batched.body, "/data/message_server_id"), 7) << batched.body;
    return {std::move(single), std::move(batched)};
  }
};

void expect_bad_gateway(const HttpResponse& res) {
  ASSERT_TRUE(res.ok()) << res.error;
  EXPECT_EQ(res.status, 502) << res.body;
  EXPECT_EQ(json_get_int(res.body, "/code"), 500) << res.body;
  EXPECT_TRUE(res.header("X-Yxgate-Error").has_value());
}

TEST_F(UpstreamBehaviour, ChunkedRepliesAreRelayed) {
  start();
  const auto expected_chatroom = direct(kChatroom).body;
  emulator().set_chunked(true);
  const auto [single, batched] = single_and_batched_lookups();
  const auto passed = get(kChatroom);
  EXPECT_EQ(passed.status, 200);
  EXPECT_EQ(passed.body, expected_chatroom);
  // The emulator's chunked replies end with a trailer field: never relayed
  // as a header (trailers are not headers, RFC 9110 §6.5).
  for (const auto* reply : {&single, &batched, &passed}) {
    EXPECT_FALSE(reply->header("X-Emulator-Trailer").has_value()) << reply->body;
  }
}

TEST_F(UpstreamBehaviour, ConnectionCloseRepliesAreRelayedAndTheNextCallReconnects) {
  start();
  emulator().add_fault("any", "connection_close");  // every answer, until reset
  for (int i = 0; i < 3; ++i) {
    const auto res = get(kChatroom);
    EXPECT_EQ(res.status, 200) << res.error;
    EXPECT_EQ(json_array_size(res.body, "/data/items"), 2u) << res.body;
  }
  const auto single = get("/im/v2/conversations/alice%7C1%7Cbob/messages/9");
  EXPECT_EQ(json_get_int(single.body, "/data/message_server_id"), 9) << single.body;
  // Each answer closed its connection, so each call needed a new one.
  EXPECT_GE(json_get_int(emulator().stats(), "/connections").value_or(0), 4);
}

// RFC 9110 §15.2: interim replies (103 Early Hints, an unasked-for 100
// Continue) come before the answer and are not it. Taken for the answer,
// the client would get a 103 and the real reply would be left on the wire.
TEST_F(UpstreamBehaviour, InterimRepliesAreSkippedAndTheAnswerRelayed) {
  start();
  const auto expected_chatroom = direct(kChatroom).body;
  emulator().add_fault("any", "interim");  // every answer, until reset
  for (int i = 0; i < 3; ++i) {            // the pooled connection stays in step
    const auto passed = get(kChatroom);
    EXPECT_EQ(passed.status, 200) << passed.error;
    EXPECT_EQ(passed.body, expected_chatroom);
    EXPECT_FALSE(passed.header("Link").has_value()) << "a hint is not the answer's field";
  }
  single_and_batched_lookups();
}

// Nothing asked upstream to switch protocols: a 101 is a broken reply (502),
// and what follows it on that connection is never read as an answer.
TEST_F(UpstreamBehaviour, AnUnaskedForSwitchingProtocolsIs502) {
  start();
  emulator().add_fault("any", "switching", 0, 1);  // the next answer only
  expect_bad_gateway(get(kChatroom));
  const auto next = get(kChatroom);
  EXPECT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(json_array_size(next.body, "/data/items"), 2u) << next.body;
}

TEST_F(UpstreamBehaviour, StalePooledConnectionAfterUpstreamIdleTimeoutDoesNotFailARequest) {
  emulator_ = std::make_unique<EmulatorProcess>(
      EmulatorOptions{.extra_args = {"--idle-timeout-ms", "200"}});
  start();
  ASSERT_EQ(get(kChatroom).status, 200);
  // The emulator closes the pooled connection once it has been idle 200 ms.
  ASSERT_TRUE(eventually(
      [&] { return json_get_int(emulator().stats(), "/idle_closed").value_or(0) >= 1; }, 5s));
  for (const auto& target :
       {std::string(kChatroom), std::string("/im/v2/conversations/alice%7C1%7Cbob/messages/11")}) {
    const auto res = get(target);
    EXPECT_EQ(res.status, 200) << target << " " << res.body;
    EXPECT_EQ(json_get_int(res.body, "/code"), 200) << target << " " << res.body;
  }
}

// Reads skip the liveness probe of a pooled connection (a syscall each,
// issue 18) and rely on one retry; the retry and every write probe. With
// every pooled connection closed by upstream, a read and a write still
// succeed, and the write reaches upstream once.
TEST_F(UpstreamBehaviour, EveryPooledConnectionGoneStaleFailsNeitherAReadNorAWrite) {
  emulator_ = std::make_unique<EmulatorProcess>(
      EmulatorOptions{.extra_args = {"--idle-timeout-ms", "200"}});
  start();
  emulator().reset();  // counts connections from here on
  std::vector<std::future<HttpResponse>> pages;
  for (int i = 0; i < 4; ++i) {
    pages.push_back(std::async(std::launch::async, [&] { return get(kChatroom); }));
  }
  for (auto& page : pages) ASSERT_EQ(page.get().status, 200);
  // The gateway's pooled connections: all accepted but this stats call's.
  const auto opened = json_get_int(emulator().stats(), "/connections").value_or(0) - 1;
  ASSERT_GE(opened, 1);
  ASSERT_TRUE(eventually(
      [&] { return json_get_int(emulator().stats(), "/idle_closed").value_or(0) >= opened; }, 5s));
  const auto read = get(kChatroom);
  EXPECT_EQ(read.status, 200) << read.body;
  const auto before = emulator().calls("modify_message");
  const auto write = post("/im/v2/messages/actions/modifyMsg",
                          R"({"message":{"message_server_id":5,"text":"fresh"}})");
  EXPECT_EQ(write.status, 200) << write.body;
  EXPECT_EQ(json_get_int(write.body, "/code"), 200) << write.body;
  EXPECT_EQ(emulator().calls("modify_message") - before, 1);
}

TEST_F(UpstreamBehaviour, NonJson200OnParsedRoutesIs502) {
  start();
  emulator().add_fault("get_message", "not_json");
  expect_bad_gateway(get(kMessage5));
  emulator().add_fault("batch_messages", "not_json");
  expect_bad_gateway(get(message5_with_time()));
  expect_bad_gateway(
      post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
           R"({"messages":[{"message_server_id":13,"create_time":1700000013000}]})"));
}

TEST_F(UpstreamBehaviour, WrongShapeOnTheSingleMessageRouteIs502) {
  start();
  emulator().add_fault("get_message", "wrong_shape");  // "data":[]
  expect_bad_gateway(get(kMessage5));
  emulator().reset();
  emulator().add_fault({.route = "get_message",
                        .kind = "wrong_shape",
                        .body = R"({"code":200,"msg":"success"})"});  // data missing
  expect_bad_gateway(get("/im/v2/conversations/alice%7C1%7Cbob/messages/15"));
}

// Gateway bug (found by this test, no issue yet): a batch reply whose
// "data" is not an object ([] or missing) is read as "every item failed":
// each waiter gets a made-up 107404 and a client batch a made-up
// failed_list, where SPEC §11.1 wants a 502 for a 200 it cannot read.
TEST_F(UpstreamBehaviour, WrongShapeBatchReplyIs502) {
  start();
  for (const auto* body :
       {R"({"code":200,"msg":"success","data":[]})", R"({"code":200,"msg":"success"})"}) {
    emulator().reset();
    emulator().add_fault({.route = "batch_messages", .kind = "wrong_shape", .body = body});
    expect_bad_gateway(get(message5_with_time()));
    expect_bad_gateway(
        post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
             R"({"messages":[{"message_server_id":13,"create_time":1700000013000}]})"));
  }
}

void expect_statuses_pass_through(const EmulatorProcess& emulator, std::uint16_t port,
                                  std::initializer_list<int> statuses) {
  for (const int status : statuses) {
    const std::string body = R"({"code":)" + std::to_string(status) + R"(,"msg":"upstream says"})";
    emulator.add_fault({.route = "chatroom_messages",
                        .kind = "status",
                        .count = 1,
                        .status = status,
                        .body = body});
    const auto res = request(port, "GET", kChatroom);
    EXPECT_EQ(res.status, status) << res.error << " " << res.body;
    EXPECT_EQ(res.body, body) << status;
  }
}

TEST_F(UpstreamBehaviour, EveryStatusPassesThroughOnPassThroughRoutes) {
  start();
  expect_statuses_pass_through(emulator(), gateway().port(),
                               {201, 202, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504});
}

// A status Boost.Beast has no name for (418, 599) once reached the client as
// status 0: the relay went through Beast's status enum.
TEST_F(UpstreamBehaviour, StatusesBeastDoesNotNamePassThrough) {
  start();
  expect_statuses_pass_through(emulator(), gateway().port(), {418, 599});
}

TEST_F(UpstreamBehaviour, FailedListCodesReachTheWaiter) {
  start();
  emulator().add_fault({.route = "batch_messages",
                        .kind = "failed_code",
                        .count = 1,
                        .error_code = 108404,
                        .error_msg = "team not exist"});
  const auto res = get(message5_with_time());
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"code":108404,"msg":"team not exist","data":{}})");
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
}

TEST_F(UpstreamBehaviour, GzipOnPassThroughRoutesReachesTheClientDecodable) {
  start();
  const auto expected = direct(kChatroom).body;
  emulator().set_gzip(true);
  const auto res = get(kChatroom, {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(res.status, 200);
  const auto body = res.header("Content-Encoding") == "gzip" ? gunzip(res.body) : res.body;
  EXPECT_EQ(body, expected);
}

// SPEC §11.1: on the routes it parses the gateway asks for identity, and
// decodes a reply that comes compressed anyway (gzip_always: an upstream
// that ignores Accept-Encoding). The vendor SDKs send Accept-Encoding: gzip.
TEST_F(UpstreamBehaviour, GzipOnParsedRoutesIsDecodedOrNotRequested) {
  start();
  emulator().set_gzip_always(true);
  const auto single = get(kMessage5, {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(single.status, 200) << single.body;
  const auto body = single.header("Content-Encoding") == "gzip" ? gunzip(single.body) : single.body;
  EXPECT_EQ(json_get_int(body, "/data/message_server_id"), 5) << body;
  const auto batched = get(message5_with_time(), {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(batched.status, 200) << batched.body;
  EXPECT_EQ(batched.header("X-Yxgate-Cache"), "hit") << "the decoded reply filled the cache";
  const auto batch = post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
                          R"({"messages":[{"message_server_id":13,"create_time":1700000013000}]})");
  EXPECT_EQ(batch.status, 200) << batch.body;
  EXPECT_FALSE(batch.header("Content-Encoding").has_value());
  EXPECT_EQ(json_get_int(batch.body, "/data/success_list/0/message_server_id"), 13) << batch.body;
  // Pass-through relays the bytes as upstream sent them.
  emulator().set_gzip_always(false);
  emulator().set_gzip(true);
  const auto relayed =
      get("/im/v2/chatrooms/1/messages?sender_id=alice&limit=1", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(relayed.header("Content-Encoding"), "gzip");
  EXPECT_EQ(json_get_int(gunzip(relayed.body), "/code"), 200);
}

}  // namespace
}  // namespace yxgate::testing
