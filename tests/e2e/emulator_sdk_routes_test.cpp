// The emulator serves what the vendor SDKs call beyond api-docs' v2 pages
// (emulator/README.md, "Routes"): the /im/v2.1/ thread page named by
// root_message_id / root_message_client_id / root_message_time (Go SDK) or
// the v2 names (Java SDK), and conversations by id as a POST with a JSON
// body (Go SDK). Missing or invalid parameters are 414 as the vendor answers.
#include <gtest/gtest.h>

#include <string>

#include "e2e/emulator_test_env.hpp"

namespace yxgate::testing {
namespace {

// Root: seeded message 7 of alice|1|bob (alice -> bob), create_time
// 1700000007000; its replies i = 1..30 are at 1700000007000 + 10 i.
constexpr std::string_view kThreadV21 = "/im/v2.1/messages/actions/thread_messages";
const std::string kRootParams =
    "root_message_id=7&root_message_client_id=seed1-7&root_message_time=1700000007000";
const std::string kRange = "begin_time=1700000000000&end_time=1700000009000";
const std::string kAliceBob = "conversation_type=1&sender_id=alice&receiver_id=bob";

std::string thread_target(const std::string& params) {
  return std::string(kThreadV21) + "?" + params;
}
std::string full_query(const std::string& extra = "limit=20") {
  return kRootParams + "&" + kRange + "&" + kAliceBob + "&" + extra;
}

class EmulatorSdkRoutesTest : public EmulatorDirectTest {};

TEST_F(EmulatorSdkRoutesTest, ThreadV21ByRootParamsAnswersRootBesideItsReplies) {
  const auto response = get(thread_target(full_query()));
  ASSERT_EQ(body_code(response), 200) << response.body;
  // The Go SDK's QueryThreadMessagesResponseV2: thread_root and messages side by side.
  EXPECT_EQ(json_get_int(response.body, "/data/thread_root/message_server_id"), 7);
  EXPECT_EQ(json_get_int(response.body, "/data/total"), 30);
  EXPECT_EQ(json_get_bool(response.body, "/data/has_more"), true);
  EXPECT_EQ(json_get_string(response.body, "/data/next_token"), "20");
  EXPECT_EQ(json_array_size(response.body, "/data/messages"), 20u);
  EXPECT_EQ(json_get_int(response.body, "/data/messages/0/message_server_id"), 1000000701);
  EXPECT_EQ(json_get_int(response.body, "/data/messages/0/create_time"), 1700000007010);
  const auto last = get(thread_target(full_query("limit=20&page_token=20")));
  EXPECT_EQ(json_array_size(last.body, "/data/messages"), 10u);
  EXPECT_EQ(json_get_bool(last.body, "/data/has_more"), false);
  // The stats name the root as the asked id.
  const auto stats = request(emu_.port(), "GET", "/_emulator/stats", {}, "");
  EXPECT_EQ(json_get_int(stats.body, "/calls/thread_messages"), 2);
  EXPECT_EQ(json_get_int(stats.body, "/ids/thread_messages/0"), 7);
}

TEST_F(EmulatorSdkRoutesTest, ThreadV21TakesTheJavaSdkNamesToo) {
  const auto response =
      get(thread_target("message_server_id=7&message_client_id=seed1-7&create_time=1700000007000&" +
                        kRange + "&" + kAliceBob + "&limit=5&descending=true"));
  ASSERT_EQ(body_code(response), 200) << response.body;
  EXPECT_EQ(json_get_int(response.body, "/data/thread_root/message_server_id"), 7);
  EXPECT_EQ(json_array_size(response.body, "/data/messages"), 5u);
}

TEST_F(EmulatorSdkRoutesTest, ThreadV21SelectsRepliesByBeginAndEndTime) {
  // Replies 5..12 (create_time 7050..7120), both ends inclusive.
  const auto response =
      get(thread_target(kRootParams + "&begin_time=1700000007050&end_time=1700000007120&" +
                        kAliceBob + "&limit=100"));
  ASSERT_EQ(body_code(response), 200) << response.body;
  EXPECT_EQ(json_get_int(response.body, "/data/total"), 8);
  EXPECT_EQ(json_get_int(response.body, "/data/messages/0/message_server_id"), 1000000705);
  EXPECT_EQ(json_get_int(response.body, "/data/messages/7/message_server_id"), 1000000712);
}

TEST_F(EmulatorSdkRoutesTest, ThreadV21MissingOrInvalidParameterIs414) {
  const std::string cases[] = {
      // each required parameter left out
      kRange + "&" + kAliceBob +
          "&limit=20&root_message_client_id=seed1-7&root_message_time=1700000007000",
      kRange + "&" + kAliceBob + "&limit=20&root_message_id=7&root_message_time=1700000007000",
      kRange + "&" + kAliceBob + "&limit=20&root_message_id=7&root_message_client_id=seed1-7",
      kRootParams + "&end_time=1700000009000&" + kAliceBob + "&limit=20",
      kRootParams + "&begin_time=1700000000000&" + kAliceBob + "&limit=20",
      kRootParams + "&" + kRange + "&sender_id=alice&receiver_id=bob&limit=20",
      kRootParams + "&" + kRange + "&conversation_type=1&receiver_id=bob&limit=20",
      kRootParams + "&" + kRange + "&conversation_type=1&sender_id=alice&limit=20",
      kRootParams + "&" + kRange + "&" + kAliceBob,
      // invalid values
      full_query("limit=0"),
      full_query("limit=101"),
      full_query("limit=20&descending=yes"),
      full_query("limit=20&exclude_root=1"),
      "root_message_id=0&root_message_client_id=seed1-7&root_message_time=1700000007000&" + kRange +
          "&" + kAliceBob + "&limit=20",
      "root_message_id=x7&root_message_client_id=seed1-7&root_message_time=1700000007000&" +
          kRange + "&" + kAliceBob + "&limit=20",
      "root_message_id=7&root_message_client_id=seed1-7&root_message_time=-1&" + kRange + "&" +
          kAliceBob + "&limit=20",
      kRootParams + "&begin_time=1700000009000&end_time=1700000000000&" + kAliceBob + "&limit=20",
      kRootParams + "&" + kRange + "&conversation_type=4&sender_id=alice&receiver_id=bob&limit=20",
      full_query("limit=20&page_token=30"),
  };
  for (const auto& query : cases) {
    const auto response = get(thread_target(query));
    EXPECT_EQ(body_code(response), 414) << query << " -> " << response.body;
    EXPECT_TRUE(json_get_string(response.body, "/msg").value_or("").starts_with("parameter error"))
        << response.body;
  }
}

TEST_F(EmulatorSdkRoutesTest, ThreadV21RootNamedWithWrongCoordinatesIsNotFound) {
  const std::string cases[] = {
      // wrong time, wrong client id, wrong conversation side, wrong type, no such id
      "root_message_id=7&root_message_client_id=seed1-7&root_message_time=1700000007001",
      "root_message_id=7&root_message_client_id=seed1-8&root_message_time=1700000007000",
      "root_message_id=99999999&root_message_client_id=seed1-7&root_message_time=1700000007000",
  };
  for (const auto& root : cases) {
    const auto response = get(thread_target(root + "&" + kRange + "&" + kAliceBob + "&limit=20"));
    EXPECT_EQ(body_code(response), 107404) << root;
  }
  EXPECT_EQ(body_code(get(thread_target(kRootParams + "&" + kRange +
                                        "&conversation_type=1&sender_id=bob&receiver_id=alice"
                                        "&limit=20"))),
            107404);
  EXPECT_EQ(body_code(get(thread_target(kRootParams + "&" + kRange +
                                        "&conversation_type=2&sender_id=alice&receiver_id=bob"
                                        "&limit=20"))),
            107404);
}

TEST_F(EmulatorSdkRoutesTest, ThreadV21TeamRootIsNamedByItsTeamAsReceiver) {
  // 100002: team 1001 (type 2), sender alice, create_time 1700100002000.
  const auto response = get(thread_target(
      "root_message_id=100002&root_message_client_id=seed1-100002&root_message_time=1700100002000"
      "&begin_time=0&end_time=1800000000000&conversation_type=2&sender_id=alice&receiver_id=1001"
      "&limit=3"));
  ASSERT_EQ(body_code(response), 200) << response.body;
  EXPECT_EQ(json_get_int(response.body, "/data/thread_root/team_id"), 1001);
  EXPECT_EQ(json_array_size(response.body, "/data/messages"), 3u);
}

TEST_F(EmulatorSdkRoutesTest, ThreadV2StaysAsDocumented) {
  // api-docs 003's v2 page nests the replies inside thread_root.
  const auto response = get("/im/v2/messages/actions/thread_messages?message_server_id=7&limit=2");
  EXPECT_EQ(json_array_size(response.body, "/data/thread_root/messages"), 2u);
  EXPECT_FALSE(json_get_raw(response.body, "/data/messages"));
}

constexpr std::string_view kConversationsV21 = "/im/v2.1/conversations/actions/conversation_ids";

TEST_F(EmulatorSdkRoutesTest, ConversationsPostFormAnswersAsTheGetForm) {
  const auto posted =
      post(kConversationsV21,
           R"({"conversation_ids":["bob|1|alice","zed|1|bob","bad","carol|2|1001"]})");
  const auto got = get(std::string(kConversationsV21) +
                       "?conversation_ids=bob%7C1%7Calice,zed%7C1%7Cbob,bad,carol%7C2%7C1001");
  ASSERT_EQ(body_code(posted), 200) << posted.body;
  EXPECT_EQ(posted.body, got.body);
  EXPECT_EQ(json_array_size(posted.body, "/data/success_list"), 2u);
  EXPECT_EQ(json_get_string(posted.body, "/data/failed_list/0/conversation_id"), "zed|1|bob");
  EXPECT_EQ(json_get_int(posted.body, "/data/failed_list/1/error_code"), 414);
  const auto stats = request(emu_.port(), "GET", "/_emulator/stats", {}, "");
  EXPECT_EQ(json_get_int(stats.body, "/calls/conversations"), 2);
}

TEST_F(EmulatorSdkRoutesTest, ConversationsPostFormRefusesWhatTheVendorRefuses) {
  for (const auto* body :
       {"", "[]", "{}", R"({"conversation_ids":[]})", R"({"conversation_ids":"bob|1|alice"})",
        R"({"conversation_ids":[5]})", R"({"conversation_ids":["bob|1|alice"])"}) {
    const auto response = post(kConversationsV21, body);
    EXPECT_EQ(body_code(response), 414) << body << " -> " << response.body;
  }
  // The last duplicate key wins, as in a Java JSON library.
  const auto response =
      post(kConversationsV21, R"({"conversation_ids":[],"conversation_ids":["bob|1|alice"]})");
  EXPECT_EQ(json_array_size(response.body, "/data/success_list"), 1u);
}

TEST_F(EmulatorSdkRoutesTest, ConversationsPostOnV2IsNotThisRoute) {
  // /im/v2/ documents only the GET (and the SDKs' DELETE batch delete).
  const auto response = post("/im/v2/conversations/actions/conversation_ids",
                             R"({"conversation_ids":["bob|1|alice"]})");
  EXPECT_EQ(json_get_string(response.body, "/data/method"), "POST");  // the echo
}

// QueryMessage and chatroom history: /im/v2.1/ with the v2 parameters.
TEST_F(EmulatorSdkRoutesTest, SingleMessageAndChatroomPagesAnswerOnV21AsOnV2) {
  const auto v21 = get("/im/v2.1/conversations/alice%7C1%7Cbob/messages/5");
  EXPECT_EQ(v21.body, success_body_of(kSeededMessage5));
  EXPECT_EQ(body_code(get("/im/v2.1/conversations/alice%7C1%7Cbob/messages/5?message_time=1")),
            107404);
  EXPECT_EQ(body_code(get("/im/v2.1/conversations/alice%7C1%7Cbob/messages/x")), 414);
  const std::string room = "/chatrooms/7/messages?sender_id=s1&limit=3";
  EXPECT_EQ(get("/im/v2.1" + room).body, get("/im/v2" + room).body);
  // A DELETE there is still only v2's recall.
  EXPECT_EQ(json_get_string(
                call("DELETE", "/im/v2.1/conversations/alice%7C1%7Cbob/messages/5?type=1").body,
                "/data/method"),
            "DELETE");
  const auto stats = request(emu_.port(), "GET", "/_emulator/stats", {}, "");
  EXPECT_EQ(json_get_int(stats.body, "/calls/get_message"), 3);
  EXPECT_EQ(json_get_int(stats.body, "/calls/chatroom_messages"), 2);
}

// The Go SDK's QueryMessagesByPage: GET /im/v2.1/conversations/{cid}/messages.
TEST_F(EmulatorSdkRoutesTest, HistoryPageListsTheConversationsMessagesInTimeRange) {
  // alice|1|bob owns ids 1..99999, create_time 1700000000000 + id * 1000.
  const std::string path = "/im/v2.1/conversations/bob%7C1%7Calice/messages";
  const auto first = get(path + "?begin_time=1700000005000&end_time=1700000009000&limit=3");
  ASSERT_EQ(body_code(first), 200) << first.body;
  EXPECT_EQ(json_get_bool(first.body, "/data/has_more"), true);
  EXPECT_EQ(json_get_raw(first.body, "/data/items/0"), std::string(kSeededMessage5));
  EXPECT_EQ(json_get_int(first.body, "/data/items/2/message_server_id"), 7);
  const auto token = json_get_string(first.body, "/data/next_token").value_or("");
  const auto second =
      get(path + "?begin_time=1700000005000&end_time=1700000009000&limit=3&page_token=" + token);
  EXPECT_EQ(json_array_size(second.body, "/data/items"), 2u);
  EXPECT_EQ(json_get_bool(second.body, "/data/has_more"), false);
  const auto newest =
      get(path + "?begin_time=1700000005000&end_time=1700000009000&limit=1&descending=true");
  EXPECT_EQ(json_get_int(newest.body, "/data/items/0/message_server_id"), 9);
  // Another conversation's messages are not listed; a team's are.
  const auto team =
      get("/im/v2/conversations/alice%7C2%7C1001/messages?begin_time=1700100001000"
          "&end_time=1700100002000&limit=10");
  EXPECT_EQ(json_array_size(team.body, "/data/items"), 2u) << team.body;
  EXPECT_EQ(json_get_int(team.body, "/data/items/0/team_id"), 1001);
}

TEST_F(EmulatorSdkRoutesTest, HistoryPageMissingOrInvalidParameterIs414) {
  const std::string path = "/im/v2.1/conversations/alice%7C1%7Cbob/messages?";
  for (const auto* query :
       {"end_time=1&limit=1", "begin_time=1&limit=1", "begin_time=1&end_time=2",
        "begin_time=2&end_time=1&limit=1", "begin_time=-1&end_time=2&limit=1",
        "begin_time=1&end_time=2&limit=101", "begin_time=1&end_time=2&limit=1&descending=1",
        "begin_time=1&end_time=2&limit=1&page_token=x"}) {
    EXPECT_EQ(body_code(get(path + query)), 414) << query;
  }
  EXPECT_EQ(body_code(get("/im/v2.1/conversations/alice%7C9%7Cbob/messages?begin_time=1"
                          "&end_time=2&limit=1")),
            414);
}

}  // namespace
}  // namespace yxgate::testing
