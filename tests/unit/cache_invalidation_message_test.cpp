// The pub/sub invalidation payload (cache/invalidation_message.hpp): what
// one replica publishes, every other parses back exactly; anything else on
// the channel drops nothing.
#include <gtest/gtest.h>

#include "cache/invalidation_message.hpp"

namespace yxgate::cache {
namespace {

TEST(InvalidationMessage, MessageRoundTrips) {
  const auto text = render_invalidation("0123abcd", "demo", Invalidation::Kind::kMessage, "1001");
  EXPECT_EQ(text, "0123abcd\tdemo\tm\t1001");
  const auto parsed = parse_invalidation(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->nonce, "0123abcd");
  EXPECT_EQ(parsed->app, "demo");
  EXPECT_EQ(parsed->kind, Invalidation::Kind::kMessage);
  EXPECT_EQ(parsed->message_id, 1001u);
}

TEST(InvalidationMessage, ConversationKeepsItsSubjectVerbatim) {
  const auto parsed = parse_invalidation("n\tdemo\tc\t1|alice|b\tob");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->kind, Invalidation::Kind::kConversation);
  EXPECT_EQ(parsed->subject, "1|alice|b\tob");
}

TEST(InvalidationMessage, RefusesWhatNoReplicaPublishes) {
  for (const char* bad : {"", "n\tdemo\tm", "n\tdemo\tm\t", "\tdemo\tm\t1", "n\t\tm\t1",
                          "n\tdemo\tx\t1", "n\tdemo\tm\t007", "n\tdemo\tm\t0", "n\tdemo\tm\t-1",
                          "n\tdemo\tm\t1 ", "n\tdemo\tm\t9223372036854775808", "n\tdemo\tc\t"}) {
    EXPECT_FALSE(parse_invalidation(bad)) << bad;
  }
}

}  // namespace
}  // namespace yxgate::cache
