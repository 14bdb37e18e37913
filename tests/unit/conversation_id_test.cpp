#include "router/conversation_id.hpp"

#include <gtest/gtest.h>

namespace yxgate::router {
namespace {

TEST(ConversationId, ParsesOneToOne) {
  auto id = parse_conversation_id("alice|1|bob");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->owner_id, "alice");
  EXPECT_EQ(id->type, ConversationType::kP2P);
  EXPECT_EQ(id->other_id, "bob");
  EXPECT_EQ(id->to_string(), "alice|1|bob");
}

TEST(ConversationId, ParsesTeamAndSuperTeam) {
  auto team = parse_conversation_id("alice|2|7491025");
  ASSERT_TRUE(team.ok());
  EXPECT_EQ(team->team_id, 7491025u);
  EXPECT_TRUE(team->is_team());
  auto super_team = parse_conversation_id("alice|3|12");
  ASSERT_TRUE(super_team.ok());
  EXPECT_EQ(super_team->type, ConversationType::kSuperTeam);
}

TEST(ConversationId, RejectsMalformed) {
  for (const char* bad : {"", "alice", "alice|1", "alice|1|bob|x", "|1|bob", "alice||bob",
                          "alice|4|bob", "alice|0|bob", "alice|1|", "alice|2|abc", "alice|2|0",
                          "alice|2|-5", "alice|3|99999999999999999999", "alice|01|bob"}) {
    EXPECT_FALSE(parse_conversation_id(bad).ok()) << bad;
  }
}

TEST(MessageServerId, AcceptsPositiveJavaLong) {
  EXPECT_EQ(*parse_message_server_id("1"), 1u);
  EXPECT_EQ(*parse_message_server_id("9223372036854775807"), 9223372036854775807ull);
}

TEST(MessageServerId, RejectsZeroNegativeOverflowAndJunk) {
  for (const char* bad : {"", "0", "-1", "+1", "9223372036854775808", "18446744073709551616", "12a",
                          " 12", "1.5", "0x10"}) {
    EXPECT_FALSE(parse_message_server_id(bad).ok()) << bad;
  }
}

TEST(NonNegative, AcceptsZeroRejectsNegative) {
  EXPECT_EQ(*parse_non_negative("0", "message_time"), 0u);
  auto bad = parse_non_negative("-3", "message_time");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("message_time"), std::string::npos);
}

}  // namespace
}  // namespace yxgate::router
