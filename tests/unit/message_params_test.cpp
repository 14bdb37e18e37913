#include "fidelity/message_params.hpp"

#include <gtest/gtest.h>

namespace yxgate::fidelity {
namespace {

TEST(MessageParams, ParsesEncodedConversationIdAndQuery) {
  auto lookup = parse_message_lookup("alice%7C1%7Cbob", "42", "message_time=1700000042000");
  ASSERT_TRUE(lookup.ok()) << lookup.error().message;
  EXPECT_EQ(lookup->conversation.other_id, "bob");
  EXPECT_EQ(lookup->message_server_id, 42u);
  EXPECT_EQ(lookup->message_time, 1700000042000u);
  EXPECT_FALSE(lookup->check_team);
}

TEST(MessageParams, CheckTeamFlagsBypass) {
  EXPECT_TRUE(parse_message_lookup("a%7C2%7C5", "1", "check_team_valid=true")->check_team);
  EXPECT_TRUE(parse_message_lookup("a%7C2%7C5", "1", "check_team_member_valid=true")->check_team);
  EXPECT_FALSE(parse_message_lookup("a%7C2%7C5", "1", "check_team_valid=false")->check_team);
}

TEST(MessageParams, ErrorsNameTheParameter) {
  struct Case {
    const char* cid;
    const char* id;
    const char* query;
    const char* expect;
  };
  for (const auto& c : {Case{"alice%7C1", "1", "", "conversation_id"},
                        Case{"alice%7C9%7Cbob", "1", "", "conversation_type"},
                        Case{"alice%7C2%7Cx", "1", "", "team_id"},
                        Case{"alice%7C1%7Cbob", "0", "", "message_server_id"},
                        Case{"alice%7C1%7Cbob", "9223372036854775808", "", "message_server_id"},
                        Case{"alice%7C1%7Cbob", "1", "message_time=-1", "message_time"},
                        Case{"alice%7C1%7Cbob", "1", "message_time=abc", "message_time"},
                        Case{"alice%ZZ", "1", "", "conversation_id"}}) {
    auto lookup = parse_message_lookup(c.cid, c.id, c.query);
    ASSERT_FALSE(lookup.ok()) << c.cid << " " << c.id << " " << c.query;
    EXPECT_NE(lookup.error().message.find(c.expect), std::string::npos) << lookup.error().message;
  }
}

}  // namespace
}  // namespace yxgate::fidelity
