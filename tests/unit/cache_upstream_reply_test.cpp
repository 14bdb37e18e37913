#include <gtest/gtest.h>

#include "cache/upstream_reply.hpp"

namespace yxgate::cache {
namespace {

TEST(UpstreamReply, SingleReplyKeepsDataVerbatim) {
  const std::string body =
      R"({"code":200,"msg":"success","data":{"message_server_id":9223372036854775807,"text":"a \"b\""}})";
  auto reply = parse_single_reply(body);
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->code, 200);
  EXPECT_EQ(reply->data_json, R"({"message_server_id":9223372036854775807,"text":"a \"b\""})");
}

TEST(UpstreamReply, SingleReplyErrors) {
  EXPECT_FALSE(parse_single_reply("not json").ok());
  EXPECT_FALSE(parse_single_reply(R"({"msg":"x"})").ok());
  EXPECT_FALSE(parse_single_reply(R"({"code":"200"})").ok());
  EXPECT_FALSE(parse_single_reply(R"({"code":200,"data":{)").ok());
  EXPECT_EQ(parse_single_reply(R"({"code":107404,"msg":"message not exist","data":{}})")->code,
            107404);
}

TEST(UpstreamReply, BatchReplySplitsLists) {
  auto reply = parse_batch_reply(
      R"({"code":200,"msg":"success","data":{"success_list":[{"message_server_id":1},{"message_server_id":2}],)"
      R"("failed_list":[{"message_server_id":3,"create_time":5,"error_code":107404,"error_msg":"message not exist"}]}})");
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  ASSERT_EQ(reply->success_json.size(), 2u);
  EXPECT_EQ(reply->success_json[1], R"({"message_server_id":2})");
  ASSERT_EQ(reply->failed.size(), 1u);
  EXPECT_EQ(reply->failed[0].message_server_id, 3u);
  EXPECT_EQ(failed_item_body(reply->failed[0]),
            R"({"code":107404,"msg":"message not exist","data":{}})");
}

TEST(UpstreamReply, BatchReplyWithoutListsIsEmpty) {
  auto reply = parse_batch_reply(R"({"code":416,"msg":"api freq control","data":{}})");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, 416);
  EXPECT_TRUE(reply->success_json.empty());
}

TEST(UpstreamReply, BatchRequestParsesAndRejects) {
  auto items = parse_batch_request(
      R"({"messages":[{"message_server_id":1,"create_time":2},{"message_server_id":"3"}]})");
  ASSERT_TRUE(items.ok()) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  EXPECT_TRUE((*items)[0].has_create_time);
  EXPECT_FALSE((*items)[1].has_create_time);
  EXPECT_EQ(make_batch_request(*items),
            R"({"messages":[{"message_server_id":1,"create_time":2},{"message_server_id":3}]})");
  for (auto bad : {"", "[]", "{}", R"({"messages":{}})", R"({"messages":[1]})",
                   R"({"messages":[{"message_server_id":0,"create_time":1}]})",
                   R"({"messages":[{"create_time":1}]})",
                   R"({"messages":[{"message_server_id":-1,"create_time":1}]})"}) {
    EXPECT_FALSE(parse_batch_request(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace yxgate::cache
