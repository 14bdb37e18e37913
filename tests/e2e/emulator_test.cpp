// yxgate-emulator through real HTTP: the behaviour every later e2e test
// relies on (emulator/README.md is the contract these check).
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <future>
#include <thread>

#include "e2e/emulator_test_env.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

// The seeded messages, as the README's data rule spells them out.
constexpr std::string_view kMessage6 =
    R"({"message_server_id":6,"sender_id":"bob","conversation_type":1,"receiver_id":"alice",)"
    R"("message_type":0,"create_time":1700000006000,"text":"message 6","message_client_id":"seed1-6"})";
constexpr std::string_view kTeamMessage100005 =
    R"({"message_server_id":100005,"sender_id":"alice","conversation_type":2,"team_id":1001,)"
    R"("message_type":0,"create_time":1700100005000,"text":"message 100005",)"
    R"("message_client_id":"seed1-100005"})";

using EmulatorTest = EmulatorDirectTest;

// --- signature -------------------------------------------------------------

TEST_F(EmulatorTest, SignedRequestIsAccepted) {
  const auto response = get("/im/v2/conversations/alice%7C1%7Cbob/messages/5");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(body_code(response), 200);
  EXPECT_EQ(response.header("content-type"), "application/json;charset=utf-8");
}

TEST_F(EmulatorTest, BadChecksumIsRejectedWith414) {
  auto headers = signed_headers();
  for (auto& [name, value] : headers) {
    if (name == "CheckSum") value[0] = value[0] == 'a' ? 'b' : 'a';
  }
  const auto response =
      request(emu_.port(), "GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/5", headers);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"code":414,"msg":"checksum error","data":{}})");
  EXPECT_EQ(emu_.calls("auth_error"), 1);
  EXPECT_EQ(emu_.calls("get_message"), 0);
}

TEST_F(EmulatorTest, CurTimeOlderOrNewerThan300SecondsIsRejectedWith414) {
  for (const std::int64_t skew : {-301, 301}) {
    const auto response =
        request(emu_.port(), "GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/5",
                signed_headers(kDemoAppKey, kDemoAppSecret, skew));
    EXPECT_EQ(response.body, R"({"code":414,"msg":"curtime expired","data":{}})") << skew;
  }
}

TEST_F(EmulatorTest, CurTimeWithin300SecondsIsAccepted) {
  for (const std::int64_t skew : {-290, 290}) {
    const auto response =
        request(emu_.port(), "GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/5",
                signed_headers(kDemoAppKey, kDemoAppSecret, skew));
    EXPECT_EQ(body_code(response), 200) << skew;
  }
}

TEST_F(EmulatorTest, UnknownAppKeyIsRejectedWith414) {
  const auto response =
      request(emu_.port(), "GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/5",
              signed_headers("other-key", kDemoAppSecret));
  EXPECT_EQ(response.body, R"({"code":414,"msg":"appkey not exist","data":{}})");
}

TEST_F(EmulatorTest, MissingSignatureIsRejectedWith414) {
  const auto response =
      request(emu_.port(), "GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/5");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(body_code(response), 414);
}

TEST(EmulatorCliTest, AppFlagReplacesTheDemoApp) {
  EmulatorProcess emu({.apps = {"k1:s1", "k2:s2"}});
  const auto target = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
  EXPECT_EQ(body_code(request(emu.port(), "GET", target, signed_headers("k2", "s2"))), 200);
  EXPECT_EQ(body_code(request(emu.port(), "GET", target, signed_headers("k1", "wrong"))), 414);
  EXPECT_EQ(body_code(request(emu.port(), "GET", target, signed_headers())), 414);
}

TEST(EmulatorCliTest, SeedChangesMessageClientIds) {
  EmulatorProcess emu({.seed = 42});
  const auto response = request(
      emu.port(), "GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/5", signed_headers());
  EXPECT_EQ(json_get_string(response.body, "/data/message_client_id"), "seed42-5");
}

TEST(EmulatorCliTest, ExitsZeroOnSigtermAndSigint) {
  for (const int sig : {SIGTERM, SIGINT}) {
    EmulatorProcess emu({.threads = 2});
    emu.process().signal(sig);
    EXPECT_EQ(emu.process().wait_exit(5s), 0) << sig;
  }
}

// --- single message ----------------------------------------------------------

TEST_F(EmulatorTest, SingleMessageReturnsDocumentedJson) {
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5").body,
            success_body_of(kSeededMessage5));
  EXPECT_EQ(get("/im/v2/conversations/alice|1|bob/messages/6").body, success_body_of(kMessage6));
  EXPECT_EQ(get("/im/v2/conversations/bob%7c1%7calice/messages/5?message_time=1700000005000").body,
            success_body_of(kSeededMessage5));
  EXPECT_EQ(get("/im/v2/conversations/carol%7C2%7C1001/messages/100005").body,
            success_body_of(kTeamMessage100005));
}

TEST_F(EmulatorTest, SingleMessageBodiesAreByteForByteRepeatable) {
  const auto first = get("/im/v2/conversations/x%7C3%7C2001/messages/200008");
  EXPECT_EQ(json_get_int(first.body, "/data/team_id"), 2001);
  EXPECT_EQ(json_get_int(first.body, "/data/conversation_type"), 3);
  EXPECT_EQ(json_get_string(first.body, "/data/sender_id"), "bob");  // members[7 % 3]
  EXPECT_EQ(get("/im/v2/conversations/x%7C3%7C2001/messages/200008").body, first.body);
}

TEST_F(EmulatorTest, MessageOfAnotherConversationIs107404) {
  const std::string not_exist = R"({"code":107404,"msg":"message not exist","data":{}})";
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Ccarol/messages/5").body, not_exist);
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/100005").body, not_exist);
  EXPECT_EQ(get("/im/v2/conversations/alice%7C3%7C1001/messages/100005").body, not_exist);
  EXPECT_EQ(get("/im/v2/conversations/alice%7C2%7C1002/messages/100005").body, not_exist);
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/100000").body, not_exist);
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5?message_time=1").body, not_exist);
}

TEST_F(EmulatorTest, BadConversationIdOrMessageIdIs414) {
  for (const auto* target :
       {"/im/v2/conversations/alice%7C4%7Cbob/messages/5",
        "/im/v2/conversations/alice%7C2%7Cabc/messages/5",
        "/im/v2/conversations/alice%7C1%7Cbob/messages/0",
        "/im/v2/conversations/alice%7C1%7Cbob/messages/x1",
        "/im/v2/conversations/alice%7C1%7Cbob/messages/5?message_time=-1",
        "/im/v2/conversations/alice%7C1%7Cbob/messages/5?check_team_valid=1"}) {
    const auto response = get(target);
    EXPECT_EQ(response.status, 200) << target;
    EXPECT_EQ(body_code(response), 414) << target;
    EXPECT_TRUE(json_get_string(response.body, "/msg").value_or("").starts_with("parameter error"))
        << target;
  }
}

TEST_F(EmulatorTest, CheckTeamValidOnUnknownTeamIs108404) {
  const auto response =
      get("/im/v2/conversations/alice%7C2%7C999/messages/5?check_team_valid=true");
  EXPECT_EQ(response.body, R"({"code":108404,"msg":"team not exist","data":{}})");
}

TEST_F(EmulatorTest, TraceIdIsEchoed) {
  const auto response =
      get("/im/v2/conversations/alice%7C1%7Cbob/messages/5", {{"X-custom-traceid", "trace-123"}});
  EXPECT_EQ(response.header("X-custom-traceid"), "trace-123");
  EXPECT_FALSE(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5").header("X-custom-traceid"));
}

// --- batch -------------------------------------------------------------------

TEST_F(EmulatorTest, BatchWithWrongCreateTimeLandsInFailedList) {
  const auto response = post("/im/v2/conversations/bob%7C1%7Calice/batch_messages",
                             R"({"messages":[{"message_server_id":6,"create_time":1700000006000},)"
                             R"({"message_server_id":5,"create_time":1},)"
                             R"({"message_server_id":100005,"create_time":1700100005000},)"
                             R"({"message_server_id":5,"create_time":1700000005000}]})");
  EXPECT_EQ(
      response.body,
      success_body_of(
          "{\"success_list\":[" + std::string(kMessage6) + "," + std::string(kSeededMessage5) +
          R"(],"failed_list":[)"
          R"({"message_server_id":5,"create_time":1,"error_code":107404,"error_msg":"message not exist"},)"
          R"({"message_server_id":100005,"create_time":1700100005000,"error_code":107404,"error_msg":"message not exist"}]})"));
}

TEST_F(EmulatorTest, BatchIsServedUnderV21Prefix) {
  const auto response =
      post("/im/v2.1/conversations/alice%7C1%7Cbob/batch_messages",
           R"({"messages":[{"message_server_id":5,"create_time":1700000005000}]})");
  EXPECT_EQ(response.body, success_body_of("{\"success_list\":[" + std::string(kSeededMessage5) +
                                           R"(],"failed_list":[]})"));
  EXPECT_EQ(emu_.calls("batch_messages"), 1);
}

TEST_F(EmulatorTest, MalformedBatchBodyIs414) {
  for (const auto* body : {"", "{", R"({"messages":{}})", R"({"messages":[]})",
                           R"({"messages":[{"message_server_id":"5","create_time":1}]})",
                           R"({"messages":[{"message_server_id":5}]})"}) {
    const auto response = post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages", body);
    EXPECT_EQ(body_code(response), 414) << body;
  }
}

// --- paged and pass-through queries ----------------------------------------

TEST_F(EmulatorTest, ChatroomLimitOutsideOneToHundredIs414) {
  for (const auto* limit : {"limit=0", "limit=101", "limit=x", "nolimit=1"}) {
    const auto response = get(std::string("/im/v2/chatrooms/7/messages?sender_id=s&") + limit);
    EXPECT_EQ(body_code(response), 414) << limit;
  }
  EXPECT_EQ(body_code(get("/im/v2/chatrooms/7/messages?sender_id=s&limit=100")), 200);
  EXPECT_EQ(body_code(get("/im/v2/chatrooms/7/messages?limit=10")), 414);  // sender_id required
}

TEST_F(EmulatorTest, ChatroomHistoryPagesWithNextToken) {
  const auto first = get("/im/v2/chatrooms/7/messages?sender_id=s1&limit=100");
  EXPECT_EQ(json_get_bool(first.body, "/data/has_more"), true);
  EXPECT_EQ(json_get_string(first.body, "/data/next_token"), "100");
  EXPECT_EQ(json_array_size(first.body, "/data/items"), 100u);
  EXPECT_EQ(json_get_raw(first.body, "/data/items/0"),
            R"({"sender_id":"s1","message_type":0,"create_time":1700000001000,)"
            R"("message_client_id":"seed1-room7-1","text":"room 7 message 1"})");
  const auto last = get("/im/v2/chatrooms/7/messages?sender_id=s1&limit=100&page_token=200");
  EXPECT_EQ(json_get_bool(last.body, "/data/has_more"), false);
  EXPECT_FALSE(json_get_string(last.body, "/data/next_token"));
  EXPECT_EQ(json_array_size(last.body, "/data/items"), 50u);
  EXPECT_EQ(json_get_string(last.body, "/data/items/49/text"), "room 7 message 250");
}

TEST_F(EmulatorTest, ThreadLimitOutsideOneToHundredIs414) {
  for (const auto* limit : {"limit=0", "limit=101"}) {
    const auto response =
        get(std::string("/im/v2/messages/actions/thread_messages?message_server_id=7&") + limit);
    EXPECT_EQ(body_code(response), 414) << limit;
  }
}

TEST_F(EmulatorTest, ThreadMessagesReturnRootAndReplies) {
  const auto response = get("/im/v2/messages/actions/thread_messages?message_server_id=7&limit=20");
  EXPECT_EQ(json_get_bool(response.body, "/data/has_more"), true);
  EXPECT_EQ(json_get_string(response.body, "/data/next_token"), "20");
  EXPECT_EQ(json_get_int(response.body, "/data/thread_root/message_server_id"), 7);
  EXPECT_EQ(json_array_size(response.body, "/data/thread_root/messages"), 20u);
  EXPECT_EQ(json_get_int(response.body, "/data/thread_root/messages/0/message_server_id"),
            1000000701);
  const auto missing =
      get("/im/v2/messages/actions/thread_messages?message_server_id=100000&limit=20");
  EXPECT_EQ(body_code(missing), 107404);
}

TEST_F(EmulatorTest, ConversationsSplitIntoSuccessAndFailedLists) {
  const auto response =
      get("/im/v2/conversations/actions/conversation_ids?conversation_ids="
          "bob%7C1%7Calice,zed%7C1%7Cbob,bad,carol%7C2%7C1001");
  EXPECT_EQ(json_array_size(response.body, "/data/success_list"), 2u);
  EXPECT_EQ(json_get_string(response.body, "/data/success_list/0/conversation_id"), "bob|1|alice");
  EXPECT_EQ(json_get_string(response.body, "/data/success_list/1/conversation_id"), "carol|2|1001");
  EXPECT_EQ(json_get_string(response.body, "/data/failed_list/0/conversation_id"), "zed|1|bob");
  EXPECT_EQ(json_get_int(response.body, "/data/failed_list/1/error_code"), 414);
  EXPECT_EQ(body_code(get("/im/v2/conversations/actions/conversation_ids")), 414);
}

TEST_F(EmulatorTest, UnknownApiPathIsEchoed) {
  const auto response = call("DELETE", "/im/v2/teams/1001?x=%7C1", "payload");
  EXPECT_EQ(
      response.body,
      success_body_of(
          R"({"method":"DELETE","path":"/im/v2/teams/1001","query":"x=%7C1","body":"payload"})"));
  EXPECT_EQ(emu_.calls("other"), 1);
}

TEST_F(EmulatorTest, PathOutsideApiPrefixesIs404) {
  for (const auto* target : {"/", "/im/v3/x", "/metrics", "/_emulator/nothing"}) {
    const auto response = get(target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(body_code(response), 404) << target;
  }
}

// --- mutations and test-added messages -------------------------------------

TEST_F(EmulatorTest, ModifyMsgThenGetShowsChange) {
  const auto modified = post("/im/v2/messages/actions/modifyMsg",
                             R"({"message":{"message_server_id":5,"text":"edited",)"
                             R"("extension":"{\"k\":1}"},"operator_id":"alice"})");
  EXPECT_EQ(body_code(modified), 200);
  const auto response = get("/im/v2/conversations/alice%7C1%7Cbob/messages/5");
  EXPECT_EQ(
      response.body,
      success_body_of(R"({"message_server_id":5,"sender_id":"alice","conversation_type":1,)"
                      R"("receiver_id":"bob","message_type":0,"create_time":1700000005000,)"
                      R"("text":"edited","message_client_id":"seed1-5","extension":"{\"k\":1}",)"
                      R"("modify_account_id":"alice","modify_time":1700000006000})"));
  EXPECT_EQ(body_code(post("/im/v2/messages/actions/modifyMsg",
                           R"({"message":{"message_server_id":100000,"text":"x"}})")),
            107404);
  EXPECT_EQ(body_code(post("/im/v2/messages/actions/modifyMsg", R"({"message":{}})")), 414);
}

TEST_F(EmulatorTest, DeleteMessageRemovesOnlyThatMessage) {
  EXPECT_EQ(body_code(call("DELETE", "/im/v2/conversations/alice%7C1%7Ccarol/messages/5?type=1")),
            107404);
  EXPECT_EQ(call("DELETE", "/im/v2/conversations/bob%7C1%7Calice/messages/5?type=2").body,
            success_body_of("{}"));
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5")), 107404);
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C1%7Cbob/messages/6")), 200);
  EXPECT_EQ(body_code(call("DELETE", "/im/v2/conversations/alice%7C1%7Cbob/messages/6?type=9")),
            414);
}

TEST_F(EmulatorTest, ClearConversationRemovesAllItsMessages) {
  EXPECT_EQ(call("DELETE", "/im/v2/conversations/alice%7C2%7C1001/messages?type=1").body,
            success_body_of("{}"));
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C2%7C1001/messages/100005")), 107404);
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C2%7C1001/messages/199999")), 107404);
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5")), 200);
  EXPECT_EQ(emu_.calls("clear_conversation"), 1);
}

TEST_F(EmulatorTest, AddedMessageIsServedAndResetRestoresSeedData) {
  emu_.add_message(
      R"({"message_server_id":5,"conversation_type":1,"sender_id":"erin",)"
      R"("receiver_id":"frank","create_time":42,"text":"added","attachment":{"a":1}})");
  EXPECT_EQ(
      get("/im/v2/conversations/frank%7C1%7Cerin/messages/5?message_time=42").body,
      success_body_of(R"({"message_server_id":5,"sender_id":"erin","conversation_type":1,)"
                      R"("receiver_id":"frank","message_type":0,"create_time":42,"text":"added",)"
                      R"("attachment":{"a":1}})"));
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5")), 107404);
  emu_.reset();
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5").body,
            success_body_of(kSeededMessage5));
  EXPECT_EQ(body_code(get("/im/v2/conversations/frank%7C1%7Cerin/messages/5")), 107404);
}

// --- stats and request log ---------------------------------------------------

TEST_F(EmulatorTest, StatsCountCallsAndAskedIds) {
  get("/im/v2/conversations/alice%7C1%7Cbob/messages/5");
  get("/im/v2/conversations/alice%7C1%7Cbob/messages/7");
  post(
      "/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
      R"({"messages":[{"message_server_id":9,"create_time":1},{"message_server_id":11,"create_time":1}]})");
  post("/im/v2/messages/actions/modifyMsg", R"({"message":{"message_server_id":13,"text":"t"}})");
  get("/im/v2/chatrooms/1/messages?sender_id=a&limit=1");
  request(emu_.port(), "GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/99");  // unsigned
  EXPECT_EQ(emu_.calls("get_message"), 2);
  EXPECT_EQ(emu_.calls("batch_messages"), 1);
  EXPECT_EQ(emu_.calls("modify_message"), 1);
  EXPECT_EQ(emu_.calls("chatroom_messages"), 1);
  EXPECT_EQ(emu_.calls("auth_error"), 1);
  EXPECT_EQ(emu_.total_requests(), 6);
  EXPECT_EQ(emu_.asked_ids("get_message"), (std::vector<std::int64_t>{5, 7}));
  EXPECT_EQ(emu_.asked_ids("batch_messages"), (std::vector<std::int64_t>{9, 11}));
  EXPECT_EQ(emu_.asked_ids("modify_message"), (std::vector<std::int64_t>{13}));
  EXPECT_EQ(json_get_int_array(emu_.stats(), "/batch_sizes"), (std::vector<std::int64_t>{2}));
  emu_.reset();
  EXPECT_EQ(emu_.total_requests(), 0);
  EXPECT_EQ(emu_.calls("get_message"), 0);
}

TEST_F(EmulatorTest, RequestLogKeepsMethodTargetHeadersAndBody) {
  post("/im/v2/anything", "the body", {{"X-custom-traceid", "t-9"}});
  const auto log = emu_.requests();
  EXPECT_EQ(json_get_string(log, "/0/method"), "POST");
  EXPECT_EQ(json_get_string(log, "/0/target"), "/im/v2/anything");
  EXPECT_EQ(json_get_string(log, "/0/headers/x-custom-traceid"), "t-9");
  EXPECT_EQ(json_get_string(log, "/0/headers/appkey"), std::string(kDemoAppKey));
  EXPECT_EQ(json_get_string(log, "/0/body"), "the body");
}

// --- HTTP behaviour ----------------------------------------------------------

TEST_F(EmulatorTest, KeepAliveConnectionServesManyRequests) {
  KeepAliveClient client(emu_.port());
  for (int i = 0; i < 5; ++i) {
    const auto response =
        client.request("GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/5", signed_headers());
    EXPECT_EQ(body_code(response), 200);
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(EmulatorTest, MalformedHttpGets400AndClose) {
  const auto reply = raw_exchange(emu_.port(), "GET /x HTTP/1.1\r\nBad Header\r\n\r\n", 2s);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
  // A request still works afterwards: nothing crashed.
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5")), 200);
}

}  // namespace
}  // namespace yxgate::testing
