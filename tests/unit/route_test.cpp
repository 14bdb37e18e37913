#include "router/route.hpp"

#include <gtest/gtest.h>

namespace yxgate::router {
namespace {

TEST(Route, SingleMessageGetUnderBothPrefixes) {
  for (auto path : {"/im/v2/conversations/alice%7C1%7Cbob/messages/42",
                    "/im/v2.1/conversations/alice%7C1%7Cbob/messages/42"}) {
    const auto r = classify("GET", path);
    EXPECT_EQ(r.kind, RouteKind::kGetMessage) << path;
    EXPECT_EQ(r.route_class, RouteClass::kGetMessage);
    EXPECT_EQ(r.conversation_id, "alice%7C1%7Cbob");
    EXPECT_EQ(r.message_server_id, "42");
  }
}

TEST(Route, BatchMessagesOnlyForPost) {
  EXPECT_EQ(classify("POST", "/im/v2.1/conversations/a%7C1%7Cb/batch_messages").kind,
            RouteKind::kBatchMessages);
  EXPECT_EQ(classify("GET", "/im/v2/conversations/a%7C1%7Cb/batch_messages").kind,
            RouteKind::kPassThrough);
}

TEST(Route, Mutations) {
  EXPECT_EQ(classify("POST", "/im/v2/messages/actions/modifyMsg").kind, RouteKind::kModifyMessage);
  EXPECT_EQ(classify("DELETE", "/im/v2/conversations/a%7C1%7Cb/messages/7").kind,
            RouteKind::kDeleteMessage);
  EXPECT_EQ(classify("DELETE", "/im/v2/conversations/a%7C1%7Cb/messages").kind,
            RouteKind::kClearConversation);
}

TEST(Route, PassThroughClasses) {
  EXPECT_EQ(classify("GET", "/im/v2/chatrooms/12/messages").route_class,
            RouteClass::kChatroomMessages);
  EXPECT_EQ(classify("GET", "/im/v2/messages/actions/thread_messages").route_class,
            RouteClass::kThreadMessages);
  EXPECT_EQ(classify("GET", "/im/v2/conversations/actions/conversation_ids").route_class,
            RouteClass::kConversations);
  const auto other = classify("POST", "/im/v2/accounts");
  EXPECT_EQ(other.kind, RouteKind::kPassThrough);
  EXPECT_EQ(other.route_class, RouteClass::kDefault);
}

TEST(Route, OutsidePrefixesIsNotRouted) {
  for (auto path : {"/", "/im/v1/x", "/im/v2", "/im/v20/x", "/metrics", "/im/v2.2/x"}) {
    EXPECT_EQ(classify("GET", path).kind, RouteKind::kNotRouted) << path;
  }
}

TEST(Route, SplitTargetAndQuery) {
  const auto t = split_target("/a/b?x=1&message_time=5&y");
  EXPECT_EQ(t.path, "/a/b");
  EXPECT_EQ(find_query_param(t.query, "message_time").value, "5");
  EXPECT_TRUE(find_query_param(t.query, "y").found);
  EXPECT_FALSE(find_query_param(t.query, "z").found);
}

}  // namespace
}  // namespace yxgate::router
