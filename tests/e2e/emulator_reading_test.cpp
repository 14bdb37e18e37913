// yxgate-emulator reads requests as the vendor's Java stack does
// (emulator/README.md, "Reading requests"; SPEC §11.1): the gateway's
// reading is checked against this, so these rules must hold on their own.
#include <future>

#include "e2e/emulator_test_env.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

class EmulatorReading : public EmulatorDirectTest {};

std::string batch_body(std::string_view items) {
  return R"({"messages":[)" + std::string(items) + "]}";
}

TEST_F(EmulatorReading, PercentEncodedPathIdIsTheDecodedId) {
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/%35").body,
            success_body_of(kSeededMessage5));
  // %35 is '5': the id asked is 5100000000000361, not a parameter error.
  const auto response = get("/im/v2/conversations/alice%7C1%7Cbob/messages/%35100000000000361");
  EXPECT_EQ(body_code(response), 107404) << response.body;
  EXPECT_EQ(emu_.asked_ids("get_message"), (std::vector<std::int64_t>{5, 5100000000000361}));
}

TEST_F(EmulatorReading, PercentEncodedRouteSegmentsRouteTheSame) {
  // The container decodes before routing: batch%5Fmessages is batch_messages.
  const auto response = post("/im/v2/conversations/alice%7C1%7Cbob/batch%5Fmessages",
                             batch_body(R"({"message_server_id":5,"create_time":1700000005000})"));
  EXPECT_EQ(json_get_int(response.body, "/data/success_list/0/message_server_id"), 5)
      << response.body;
  EXPECT_EQ(emu_.calls("batch_messages"), 1);
}

TEST_F(EmulatorReading, PipeInConversationIdMayBeEncodedEitherCase) {
  for (const auto* cid : {"alice%7C1%7Cbob", "alice%7c1%7cbob", "alice|1|bob", "bob%7C1|alice"}) {
    const auto response = get("/im/v2/conversations/" + std::string(cid) + "/messages/5");
    EXPECT_EQ(response.body, success_body_of(kSeededMessage5)) << cid;
  }
}

TEST_F(EmulatorReading, BadEscapeOrEncodedSlashInPathIs400) {
  for (const auto* target : {"/im/v2/conversations/alice%7G1%7Cbob/messages/5",
                             "/im/v2/conversations/alice%2F1%7Cbob/messages/5",
                             "/im/v2/conversations/alice%7C1%7Cbob/messages/5%"}) {
    const auto response = get(target);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(body_code(response), 400) << target;
  }
  EXPECT_EQ(emu_.calls("get_message"), 0);
}

TEST_F(EmulatorReading, PercentEncodedQueryNameIsDecoded) {
  // message%5Ftime is message_time: a wrong time must not be ignored.
  EXPECT_EQ(body_code(get(std::string(kMessage5Path) + "?message%5Ftime=1")), 107404);
  EXPECT_EQ(get(std::string(kMessage5Path) + "?message%5Ftime=%31700000005000").body,
            success_body_of(kSeededMessage5));
}

TEST_F(EmulatorReading, PlusInQueryIsASpace) {
  const auto response = get("/im/v2/chatrooms/7/messages?sender_id=a+b%2Bc&limit=1");
  EXPECT_EQ(json_get_string(response.body, "/data/items/0/sender_id"), "a b+c") << response.body;
}

TEST_F(EmulatorReading, RepeatedQueryParameterFirstOneWins) {
  EXPECT_EQ(
      body_code(get(std::string(kMessage5Path) + "?message_time=1&message_time=1700000005000")),
      107404);
  EXPECT_EQ(
      body_code(get(std::string(kMessage5Path) + "?message_time=1700000005000&message_time=1")),
      200);
}

TEST_F(EmulatorReading, IdsAreJavaLongs) {
  // Long.parseLong: leading zeros and '+' are the same number; beyond 2^63-1 is 414.
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/0005").body,
            success_body_of(kSeededMessage5));
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/%2B5").body,
            success_body_of(kSeededMessage5));
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C1%7Cbob/messages/9223372036854775808")),
            414);
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C1%7Cbob/messages/-5")), 414);
}

TEST_F(EmulatorReading, DuplicateJsonKeysLastOneWins) {
  // A Java JSON library keeps the last duplicate; simdjson's obj["k"] would take the first.
  const auto response = post(kAliceBobBatchPath,
                             R"({"messages":[],"messages":[{"message_server_id":6,"create_time":1,)"
                             R"("message_server_id":5,"create_time":1700000005000}]})");
  EXPECT_EQ(response.body, success_body_of("{\"success_list\":[" + std::string(kSeededMessage5) +
                                           R"(],"failed_list":[]})"));
  EXPECT_EQ(emu_.asked_ids("batch_messages"), (std::vector<std::int64_t>{5}));

  const auto modified =
      post("/im/v2/messages/actions/modifyMsg",
           R"({"message":{"message_server_id":6,"message_server_id":5,"text":"a","text":"b"}})");
  EXPECT_EQ(json_get_int(modified.body, "/data/message_server_id"), 5) << modified.body;
  EXPECT_EQ(json_get_string(get(kMessage5Path).body, "/data/text"), "b");
  EXPECT_EQ(
      json_get_string(get("/im/v2/conversations/bob%7C1%7Calice/messages/6").body, "/data/text"),
      "message 6");
}

TEST_F(EmulatorReading, UnicodeEscapedKeysAreDecoded) {
  const auto response =
      post(kAliceBobBatchPath,
           batch_body(R"({"message\u005fserver_id":5,"create\u005Ftime":1700000005000})"));
  EXPECT_EQ(json_get_int(response.body, "/data/success_list/0/message_server_id"), 5)
      << response.body;
  const auto modified = post("/im/v2/messages/actions/modifyMsg",
                             R"({"message":{"message_server_\u0069d":5,"te\u0078t":"x"}})");
  EXPECT_EQ(json_get_string(modified.body, "/data/text"), "x") << modified.body;
}

TEST_F(EmulatorReading, BatchOfMoreThanHundredItemsIs414) {
  std::string items;
  for (int id = 1; id <= 101; ++id) {
    if (id > 1) items += ',';
    items += "{\"message_server_id\":" + std::to_string(id) +
             ",\"create_time\":" + std::to_string(1700000000000ll + id * 1000ll) + "}";
  }
  const auto over = post(kAliceBobBatchPath, batch_body(items));
  EXPECT_EQ(over.status, 200);
  EXPECT_EQ(body_code(over), 414) << over.body;
  items.resize(items.rfind(",{"));  // 100 items
  const auto full = post(kAliceBobBatchPath, batch_body(items));
  EXPECT_EQ(json_array_size(full.body, "/data/success_list"), 100u) << full.body.substr(0, 200);
}

TEST_F(EmulatorReading, BatchItemWithoutCreateTimeIs414) {
  const auto response =
      post(kAliceBobBatchPath, batch_body(R"({"message_server_id":5,"create_time":1700000005000},)"
                                          R"({"message_server_id":7})"));
  EXPECT_EQ(body_code(response), 414) << response.body;
  EXPECT_TRUE(json_get_string(response.body, "/msg").value_or("").starts_with("parameter error"));
}

}  // namespace
}  // namespace yxgate::testing
