#include <gtest/gtest.h>

#include <string>

#include "cache/cached_message.hpp"

namespace yxgate::cache {
namespace {

router::ConversationId conversation(std::string_view text) {
  auto id = router::parse_conversation_id(text);
  EXPECT_TRUE(id.ok()) << text;
  return *id;
}

// alice -> bob, one-to-one, as upstream returns it inside `data`.
const std::string kP2PJson =
    R"({"text":"hi","message_server_id":502714177945601,"sender_id":"alice",)"
    R"("conversation_type":1,"receiver_id":"bob","create_time":1698752272248,"message_type":0})";

// The vendor's own sample (super team 7491025).
const std::string kSuperTeamJson =
    R"({"text":"aaa","message_server_id":502714177945601,"sender_id":"dog1",)"
    R"("conversation_type":3,"team_id":7491025,"create_time":1698752272248,"message_type":0})";

CacheEntry positive(const std::string& json) {
  auto facts = extract_facts(json);
  EXPECT_TRUE(facts.ok()) << facts.error().message;
  return make_positive_entry(json, *facts);
}

TEST(CachedMessage, ExtractFactsReadsOneToOneMessage) {
  auto facts = extract_facts(kP2PJson);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->message_server_id, 502714177945601u);
  EXPECT_EQ(facts->conversation_type, 1);
  EXPECT_EQ(facts->sender_id, "alice");
  EXPECT_EQ(facts->receiver_id, "bob");
  EXPECT_EQ(facts->team_id, 0u);
  EXPECT_EQ(facts->create_time, 1698752272248u);
}

TEST(CachedMessage, ExtractFactsReadsTeamMessageWithNullReceiver) {
  auto facts = extract_facts(
      R"({"message_server_id":1,"conversation_type":2,"sender_id":"a","receiver_id":null,)"
      R"("team_id":42,"create_time":7,"attachment":{"x":[1,2,{"y":"z"}]}})");
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->team_id, 42u);
  EXPECT_EQ(facts->conversation_type, 2);
  EXPECT_TRUE(facts->receiver_id.empty());
}

TEST(CachedMessage, ExtractFactsKeepsIdsAbove2Pow53Exact) {
  // 2^53 + 1 and Java Long max: a double would round both.
  auto facts = extract_facts(
      R"({"message_server_id":9223372036854775807,"conversation_type":3,"sender_id":"a",)"
      R"("team_id":9007199254740993,"create_time":9007199254740995})");
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->message_server_id, 9223372036854775807u);
  EXPECT_EQ(facts->team_id, 9007199254740993u);
  EXPECT_EQ(facts->create_time, 9007199254740995u);
}

TEST(CachedMessage, ExtractFactsAcceptsQuotedIds) {
  auto facts = extract_facts(
      R"({"message_server_id":"9007199254740993","conversation_type":1,"sender_id":"a",)"
      R"("receiver_id":"b","create_time":"5"})");
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->message_server_id, 9007199254740993u);
  EXPECT_EQ(facts->create_time, 5u);
}

TEST(CachedMessage, ExtractFactsRejectsMissingRequiredFields) {
  const char* missing[] = {
      R"({"conversation_type":1,"sender_id":"a","receiver_id":"b","create_time":1})",
      R"({"message_server_id":1,"sender_id":"a","receiver_id":"b","create_time":1})",
      R"({"message_server_id":1,"conversation_type":1,"receiver_id":"b","create_time":1})",
      R"({"message_server_id":1,"conversation_type":1,"sender_id":"a","create_time":1})",
      R"({"message_server_id":1,"conversation_type":1,"sender_id":"a","receiver_id":"b"})",
      R"({"message_server_id":1,"conversation_type":2,"sender_id":"a","create_time":1})",
      R"({"message_server_id":1,"conversation_type":3,"sender_id":"a","receiver_id":"b",)"
      R"("create_time":1})",
  };
  for (const char* json : missing) EXPECT_FALSE(extract_facts(json).ok()) << json;
}

TEST(CachedMessage, ExtractFactsRejectsWrongTypesAndMalformedJson) {
  const char* bad[] = {
      "",
      "[]",
      "{",
      R"({"message_server_id":-1,"conversation_type":1,"sender_id":"a","receiver_id":"b",)"
      R"("create_time":1})",
      R"({"message_server_id":1.5,"conversation_type":1,"sender_id":"a","receiver_id":"b",)"
      R"("create_time":1})",
      R"({"message_server_id":1,"conversation_type":4,"sender_id":"a","receiver_id":"b",)"
      R"("create_time":1})",
      R"({"message_server_id":1,"conversation_type":1,"sender_id":7,"receiver_id":"b",)"
      R"("create_time":1})",
      R"({"message_server_id":1,"conversation_type":2,"sender_id":"a","team_id":0,)"
      R"("create_time":1})",
      R"({"message_server_id":1,"conversation_type":1,"sender_id":"a","receiver_id":"b",)"
      R"("create_time":1} trailing)",
  };
  for (const char* json : bad) EXPECT_FALSE(extract_facts(json).ok()) << json;
}

TEST(CachedMessage, OneToOneServedToBothOrdersOfThePair) {
  const CacheEntry entry = positive(kP2PJson);
  EXPECT_EQ(match(entry, conversation("alice|1|bob"), std::nullopt), Lookup::kHit);
  EXPECT_EQ(match(entry, conversation("bob|1|alice"), std::nullopt), Lookup::kHit);
}

TEST(CachedMessage, OneToOneNotServedToAnotherConversation) {
  const CacheEntry entry = positive(kP2PJson);
  for (const char* other :
       {"carol|1|dave", "alice|1|carol", "carol|1|bob", "alice|1|alice", "bob|1|bob"}) {
    EXPECT_EQ(match(entry, conversation(other), std::nullopt), Lookup::kMiss) << other;
  }
}

TEST(CachedMessage, OneToOneNotServedToTeamConversation) {
  const CacheEntry entry = positive(kP2PJson);
  EXPECT_EQ(match(entry, conversation("alice|2|1"), std::nullopt), Lookup::kMiss);
}

TEST(CachedMessage, TeamMessageServedToAnyOwnerOfTheSameTeamOnly) {
  const CacheEntry entry = positive(kSuperTeamJson);
  EXPECT_EQ(match(entry, conversation("dog1|3|7491025"), std::nullopt), Lookup::kHit);
  EXPECT_EQ(match(entry, conversation("cat9|3|7491025"), std::nullopt), Lookup::kHit);
  EXPECT_EQ(match(entry, conversation("dog1|3|7491026"), std::nullopt), Lookup::kMiss);
}

TEST(CachedMessage, SuperTeamMessageNotServedAsTeamWithTheSameId) {
  const CacheEntry super_team = positive(kSuperTeamJson);
  EXPECT_EQ(match(super_team, conversation("dog1|2|7491025"), std::nullopt), Lookup::kMiss);
  std::string team_json = kSuperTeamJson;
  team_json.replace(team_json.find(R"("conversation_type":3)"), 21, R"("conversation_type":2)");
  const CacheEntry team = positive(team_json);
  EXPECT_EQ(match(team, conversation("dog1|2|7491025"), std::nullopt), Lookup::kHit);
  EXPECT_EQ(match(team, conversation("dog1|3|7491025"), std::nullopt), Lookup::kMiss);
}

TEST(CachedMessage, MessageTimeMismatchIsMiss) {
  const CacheEntry entry = positive(kP2PJson);
  const auto bob = conversation("bob|1|alice");
  EXPECT_EQ(match(entry, bob, 1698752272248u), Lookup::kHit);
  EXPECT_EQ(match(entry, bob, 1698752272249u), Lookup::kMiss);
  EXPECT_EQ(match(entry, bob, 0u), Lookup::kMiss);
}

TEST(CachedMessage, NegativeEntryAnswersOnlyTheSameQuestion) {
  const CacheEntry entry = make_negative_entry(77, conversation("alice|1|bob"), 1000u);
  EXPECT_EQ(match(entry, conversation("alice|1|bob"), 1000u), Lookup::kNegativeHit);
  // 107404 also means "exists, but not in the conversation you asked": any
  // other question must go upstream.
  EXPECT_EQ(match(entry, conversation("alice|1|bob"), std::nullopt), Lookup::kMiss);
  EXPECT_EQ(match(entry, conversation("alice|1|bob"), 1001u), Lookup::kMiss);
  EXPECT_EQ(match(entry, conversation("bob|1|alice"), 1000u), Lookup::kMiss);
  EXPECT_EQ(match(entry, conversation("alice|1|carol"), 1000u), Lookup::kMiss);
  EXPECT_EQ(match(entry, conversation("alice|2|5"), 1000u), Lookup::kMiss);

  const CacheEntry untimed = make_negative_entry(77, conversation("alice|2|5"), std::nullopt);
  EXPECT_EQ(match(untimed, conversation("alice|2|5"), std::nullopt), Lookup::kNegativeHit);
  EXPECT_EQ(match(untimed, conversation("alice|2|5"), 1000u), Lookup::kMiss);
  EXPECT_EQ(match(untimed, conversation("alice|3|5"), std::nullopt), Lookup::kMiss);
}

TEST(CachedMessage, SingleMessageBodyIsUpstreamsBodyByteForByte) {
  EXPECT_EQ(single_message_body(positive(kP2PJson)),
            R"({"code":200,"msg":"success","data":)" + kP2PJson + "}");
  EXPECT_EQ(single_message_body(make_negative_entry(77, conversation("alice|1|bob"), 5u)),
            R"({"code":107404,"msg":"message not exist","data":{}})");
}

TEST(CachedMessage, ChargedBytesGrowWithTheMessageText) {
  const CacheEntry small = positive(kP2PJson);
  std::string big_json = kP2PJson;
  big_json.replace(big_json.find(R"("hi")"), 4, '"' + std::string(10000, 'x') + '"');
  const CacheEntry big = positive(big_json);
  EXPECT_GE(small.charged_bytes(), sizeof(CacheEntry) + kP2PJson.size());
  EXPECT_GE(big.charged_bytes(), small.charged_bytes() + 9998);  // "hi" -> 10000 x
}

}  // namespace
}  // namespace yxgate::cache
