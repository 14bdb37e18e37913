// SPEC §2 (signing, trace ids) and §3.4 (pass-through fidelity), through the
// real yxgate binary in front of the real emulator.
#include <regex>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

class PassThrough : public GatewayTest {
 protected:
  void SetUp() override { start(); }

  // The same call made directly to the emulator with a valid signature.
  HttpResponse direct(std::string_view method, std::string_view target,
                      std::string_view body = {}) {
    return request(emulator().port(), method, target, signed_headers(), body);
  }
};

TEST_F(PassThrough, SignedRequestIsAcceptedByUpstream) {
  const auto res = get("/im/v2/conversations/alice%7C1%7Cbob/messages/1001");
  ASSERT_TRUE(res.ok()) << res.error;
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  EXPECT_EQ(json_get_int(res.body, "/data/message_server_id"), 1001);
  EXPECT_EQ(emulator().calls("auth_error"), 0);
  EXPECT_EQ(emulator().calls("get_message"), 1);
}

TEST_F(PassThrough, ClientSigningHeadersAreReplaced) {
  const Headers forged = {{"AppKey", "forged-key"},
                          {"Nonce", "forged-nonce"},
                          {"CurTime", "1"},
                          {"CheckSum", "0000000000000000000000000000000000000000"}};
  const auto res = get("/im/v2/conversations/alice%7C1%7Cbob/messages/1001", forged);
  EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  const auto seen = last_upstream_request();
  EXPECT_EQ(json_get_string(seen, "/headers/appkey"), "demo-app-key");
  const auto nonce = json_get_string(seen, "/headers/nonce").value_or("");
  EXPECT_TRUE(std::regex_match(nonce, std::regex("[0-9a-f]{32}"))) << nonce;
  const auto cur_time = std::stoll(json_get_string(seen, "/headers/curtime").value_or("0"));
  EXPECT_NEAR(static_cast<double>(cur_time), static_cast<double>(std::time(nullptr)), 5);
  EXPECT_EQ(seen.find("forged"), std::string::npos) << seen;
}

TEST_F(PassThrough, EachRequestGetsAFreshNonce) {
  get("/im/v2/conversations/alice%7C1%7Cbob/messages/1001");
  get("/im/v2/conversations/alice%7C1%7Cbob/messages/1003");
  EXPECT_NE(json_get_string(last_upstream_request(0), "/headers/nonce"),
            json_get_string(last_upstream_request(1), "/headers/nonce"));
}

TEST_F(PassThrough, ChatroomHistoryIsByteIdentical) {
  const std::string target = "/im/v2/chatrooms/12/messages?sender_id=yx2&limit=3";
  const auto via = get(target);
  const auto expected = direct("GET", target);
  EXPECT_EQ(via.status, expected.status);
  EXPECT_EQ(via.body, expected.body);
  EXPECT_EQ(json_get_int(via.body, "/code"), 200) << via.body;
}

TEST_F(PassThrough, ChatroomLimitErrorIsPassedBack) {
  const auto via = get("/im/v2/chatrooms/12/messages?sender_id=yx2&limit=101");
  EXPECT_EQ(via.status, 200);
  EXPECT_EQ(json_get_int(via.body, "/code"), 414) << via.body;
}

TEST_F(PassThrough, ThreadMessagesAreByteIdentical) {
  const std::string target =
      "/im/v2/messages/actions/thread_messages?conversation_type=1&sender_id=alice&receiver_id=bob"
      "&message_server_id=1001&create_time=" +
      std::to_string(seeded_create_time(1001)) + "&limit=5";
  const auto via = get(target);
  EXPECT_EQ(via.body, direct("GET", target).body);
  EXPECT_EQ(json_get_int(via.body, "/code"), 200) << via.body;
}

TEST_F(PassThrough, ConversationBatchQueryIsByteIdentical) {
  const std::string target =
      "/im/v2/conversations/actions/conversation_ids?conversation_ids=alice%7C1%7Cbob,x%7C1%7Cy";
  const auto via = get(target);
  EXPECT_EQ(via.body, direct("GET", target).body);
  EXPECT_EQ(json_get_int(via.body, "/code"), 200) << via.body;
}

TEST_F(PassThrough, PostBodyMethodPathAndQueryArriveUnchanged) {
  const std::string body = R"({"name":"x","list":[1,2,3],"unicode":"消息"})";
  const auto via =
      request(gateway().port(), "POST", "/im/v2/accounts/actions/update?a=1&b=%7C",
              {{"Content-Type", "application/json"}, {"X-Custom-Header", "kept"}}, body);
  ASSERT_EQ(json_get_int(via.body, "/code"), 200) << via.body;
  EXPECT_EQ(json_get_string(via.body, "/data/method"), "POST");
  EXPECT_EQ(json_get_string(via.body, "/data/path"), "/im/v2/accounts/actions/update");
  EXPECT_EQ(json_get_string(via.body, "/data/query"), "a=1&b=%7C");
  EXPECT_EQ(json_get_string(via.body, "/data/body"), body);
  const auto seen = last_upstream_request();
  EXPECT_EQ(json_get_string(seen, "/headers/x-custom-header"), "kept");
  EXPECT_EQ(json_get_string(seen, "/headers/content-type"), "application/json");
}

TEST_F(PassThrough, DeleteIsForwarded) {
  const auto via = request(gateway().port(), "DELETE",
                           "/im/v2/conversations/alice%7C1%7Cbob/messages/1005?type=1");
  EXPECT_EQ(json_get_int(via.body, "/code"), 200) << via.body;
  EXPECT_EQ(emulator().calls("delete_message"), 1);
  const auto after = get("/im/v2/conversations/alice%7C1%7Cbob/messages/1005");
  EXPECT_EQ(json_get_int(after.body, "/code"), 107404) << after.body;
}

TEST_F(PassThrough, V21PrefixIsRouted) {
  const std::string body = R"({"messages":[{"message_server_id":1001,"create_time":)" +
                           std::to_string(seeded_create_time(1001)) + "}]}";
  const auto via =
      request(gateway().port(), "POST", "/im/v2.1/conversations/alice%7C1%7Cbob/batch_messages",
              {{"Content-Type", "application/json"}}, body);
  EXPECT_EQ(json_get_int(via.body, "/code"), 200) << via.body;
  EXPECT_EQ(json_get_int(via.body, "/data/success_list/0/message_server_id"), 1001);
}

TEST_F(PassThrough, AuthorizationAndGatewayHeadersAreNotForwarded) {
  get("/im/v2/chatrooms/12/messages?sender_id=a&limit=1", {{"Authorization", "Bearer secret-token"},
                                                           {"Connection", "keep-alive, X-Drop-Me"},
                                                           {"X-Drop-Me", "1"}});
  const auto seen = last_upstream_request();
  EXPECT_FALSE(json_get_string(seen, "/headers/authorization").has_value()) << seen;
  EXPECT_FALSE(json_get_string(seen, "/headers/x-drop-me").has_value()) << seen;
}

// SPEC §11.1: a HEAD answer has no body but says what GET would carry.
TEST_F(PassThrough, HeadIsAnsweredWithUpstreamsLengthAndNoBody) {
  const std::string target = "/im/v2/chatrooms/12/messages?sender_id=yx2&limit=3";
  const auto up = direct("HEAD", target);
  const auto via = request(gateway().port(), "HEAD", target);
  ASSERT_TRUE(via.ok()) << via.error;
  EXPECT_EQ(via.status, up.status);
  ASSERT_TRUE(up.header("Content-Length").has_value());
  EXPECT_EQ(via.header("Content-Length"), up.header("Content-Length"));
  EXPECT_EQ(via.header("Content-Type"), up.header("Content-Type"));
  EXPECT_TRUE(via.body.empty()) << via.body;
}

TEST_F(PassThrough, TraceIdIsForwardedAndReturned) {
  const auto res = get("/im/v2/conversations/alice%7C1%7Cbob/messages/1001",
                       {{"X-custom-traceid", "trace-from-client-1"}});
  EXPECT_EQ(res.header("X-custom-traceid"), "trace-from-client-1");
  EXPECT_EQ(json_get_string(last_upstream_request(), "/headers/x-custom-traceid"),
            "trace-from-client-1");
  EXPECT_NE(gateway().log().find("\"trace_id\":\"trace-from-client-1\""), std::string::npos);
}

TEST_F(PassThrough, TraceIdIsGeneratedWhenAbsent) {
  const auto res = get("/im/v2/conversations/alice%7C1%7Cbob/messages/1001");
  const auto returned = res.header("X-custom-traceid").value_or("");
  EXPECT_TRUE(std::regex_match(returned, std::regex("[0-9a-f-]{36}"))) << returned;
  EXPECT_EQ(json_get_string(last_upstream_request(), "/headers/x-custom-traceid"), returned);
}

TEST_F(PassThrough, PathsOutsideThePrefixesGet404Json) {
  for (auto target : {"/", "/im/v1/x", "/im/v2", "/healthz", "/im/v3/conversations"}) {
    const auto res = get(target);
    EXPECT_EQ(res.status, 404) << target;
    EXPECT_EQ(json_get_int(res.body, "/code"), 404) << res.body;
    EXPECT_EQ(res.header("X-Yxgate-Error"), "not_found");
  }
  EXPECT_EQ(emulator().total_requests(), 0);
}

TEST_F(PassThrough, InvalidSingleMessageParametersGet414AndNothingGoesUpstream) {
  for (auto target : {"/im/v2/conversations/alice%7C1/messages/1",
                      "/im/v2/conversations/alice%7C2%7Cteam/messages/1",
                      "/im/v2/conversations/alice%7C1%7Cbob/messages/0",
                      "/im/v2/conversations/alice%7C1%7Cbob/messages/9223372036854775808",
                      "/im/v2/conversations/alice%7C1%7Cbob/messages/1?message_time=-5"}) {
    const auto res = get(target);
    EXPECT_EQ(res.status, 200) << target;
    EXPECT_EQ(json_get_int(res.body, "/code"), 414) << res.body;
    EXPECT_TRUE(json_get_string(res.body, "/msg").value_or("").starts_with("parameter error: "))
        << res.body;
  }
  EXPECT_EQ(emulator().total_requests(), 0);
}

TEST_F(PassThrough, AccessLogHasOneLinePerRequestWithoutSecrets) {
  get("/im/v2/conversations/alice%7C1%7Cbob/messages/1001", {{"X-custom-traceid", "t-log"}});
  const auto log = gateway().log();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      log, m, std::regex(R"(\{[^\n]*"event":"access"[^\n]*"trace_id":"t-log"[^\n]*\})")));
  const std::string line = m[0];
  for (auto field : {"\"app\":\"default\"", "\"route\":\"get_message\"", "\"status\":200",
                     "\"code\":200", "\"cache\":", "\"upstream_calls\":1", "\"latency_ms\":"}) {
    EXPECT_NE(line.find(field), std::string::npos) << field << " in " << line;
  }
  EXPECT_TRUE(json_valid(line)) << line;
  EXPECT_EQ(log.find("demo-app-secret"), std::string::npos);
  const auto checksum = json_get_string(last_upstream_request(), "/headers/checksum").value_or("?");
  EXPECT_EQ(log.find(checksum), std::string::npos);
  EXPECT_EQ(log.find("message 1001"), std::string::npos) << "message text must not be logged";
}

}  // namespace
}  // namespace yxgate::testing
