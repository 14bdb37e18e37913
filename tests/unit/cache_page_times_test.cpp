// Learning create_times from relayed pages (SPEC §11.5): which replies are
// read and what is taken from them (cache/page_times.hpp).
#include <gtest/gtest.h>

#include "cache/page_times.hpp"

namespace yxgate::cache {
namespace {

using Times = std::vector<MessageTime>;

TEST(PageTimes, OnlyConversationMessagePagesAreRead) {
  EXPECT_TRUE(page_carries_message_times("GET", "/im/v2.1/conversations/a%7C1%7Cb/messages"));
  EXPECT_TRUE(page_carries_message_times("GET", "/im/v2/conversations/a|1|b/messages"));
  EXPECT_TRUE(page_carries_message_times("POST", "/im/v2/conversations/a|1|b/messages"));
  EXPECT_TRUE(page_carries_message_times("GET", "/im/v2.1/messages/actions/thread_messages"));
  EXPECT_TRUE(page_carries_message_times("GET", "/im/v2/messages/actions/thread_messages"));
  // Chatroom ids are another space; other routes carry no message pages.
  EXPECT_FALSE(page_carries_message_times("GET", "/im/v2.1/chatrooms/7/messages"));
  EXPECT_FALSE(page_carries_message_times("DELETE", "/im/v2/conversations/a|1|b/messages"));
  EXPECT_FALSE(page_carries_message_times("GET", "/im/v2/conversations/actions/messages"));
  EXPECT_FALSE(page_carries_message_times("GET", "/im/v2/conversations/a|1|b/messages/5"));
  EXPECT_FALSE(page_carries_message_times("GET", "/im/v2/conversations//messages"));
  EXPECT_FALSE(page_carries_message_times("GET", "/im/v3/conversations/a|1|b/messages"));
  EXPECT_FALSE(page_carries_message_times("POST", "/im/v2/messages/actions/thread_messages"));
}

TEST(PageTimes, HistoryItemsAndSendReplyAreRead) {
  EXPECT_EQ(
      read_message_times(R"({"code":200,"msg":"success","data":{"has_more":false,"items":[)"
                         R"({"message_server_id":5,"sender_id":"a","create_time":1700000005000},)"
                         R"({"message_server_id":6,"create_time":1700000006000,"text":"x"}]}})"),
      (Times{{5, 1700000005000}, {6, 1700000006000}}));
  EXPECT_EQ(read_message_times(R"({"code":200,"data":{"message_server_id":9,"create_time":3,)"
                               R"("thread_config":{"thread_root":{"message_server_id":"8",)"
                               R"("create_time":1}}}})"),
            (Times{{9, 3}}));
}

TEST(PageTimes, ThreadPagesOfBothShapesAreRead) {
  // v2 (api-docs 003): replies inside thread_root.
  EXPECT_EQ(read_message_times(R"({"code":200,"data":{"thread_root":{"message_server_id":7,)"
                               R"("create_time":70,"messages":[{"message_server_id":71,)"
                               R"("create_time":71}]}}})"),
            (Times{{71, 71}, {7, 70}}));
  // v2.1 (the Go SDK's response): replies beside it.
  EXPECT_EQ(read_message_times(R"({"code":200,"data":{"total":1,"thread_root":)"
                               R"({"message_server_id":7,"create_time":70},"messages":[)"
                               R"({"message_server_id":71,"create_time":71}]}})"),
            (Times{{7, 70}, {71, 71}}));
}

TEST(PageTimes, NothingIsLearnedFromWhatIsNotASuccessfulPage) {
  const std::string item = R"({"message_server_id":5,"create_time":5})";
  EXPECT_TRUE(read_message_times(R"({"code":414,"data":{"items":[)" + item + "]}}").empty());
  EXPECT_TRUE(read_message_times(R"({"data":{"items":[)" + item + "]}}").empty());
  EXPECT_TRUE(read_message_times(R"({"code":200,"data":{"items":[)" + item).empty());
  EXPECT_TRUE(read_message_times("not json").empty());
  // Ids that are not positive, times that are not integers, halves of a pair.
  EXPECT_TRUE(read_message_times(R"({"code":200,"data":{"items":[{"message_server_id":0,)"
                                 R"("create_time":5},{"message_server_id":5,"create_time":-1},)"
                                 R"({"message_server_id":6},{"create_time":7}]}})")
                  .empty());
  // Over the size cap: not read at all.
  std::string big = R"({"code":200,"data":{"items":[)" + item + R"(],"pad":")";
  big += std::string(kMaxLearnedPageBytes, 'x') + "\"}}";
  EXPECT_TRUE(read_message_times(big).empty());
}

TEST(PageTimes, CodeAfterDataStillDecides) {
  EXPECT_EQ(read_message_times(R"({"data":{"items":[{"message_server_id":5,"create_time":5}]},)"
                               R"("code":200})"),
            (Times{{5, 5}}));
  EXPECT_TRUE(read_message_times(R"({"data":{"items":[{"message_server_id":5,"create_time":5}]},)"
                                 R"("code":500})")
                  .empty());
}

}  // namespace
}  // namespace yxgate::cache
