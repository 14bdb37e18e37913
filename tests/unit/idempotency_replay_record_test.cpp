// Write replay's pure part (SPEC §11.4): keys, the stored-answer encoding and
// the record table.
#include <gtest/gtest.h>

#include "idempotency/replay_record.hpp"

namespace yxgate::idempotency {
namespace {

using namespace std::chrono_literals;
const auto kNow = std::chrono::steady_clock::time_point{} + 1h;

TEST(ReplayKey, OnlyWritesTakePart) {
  for (const auto* m : {"POST", "PUT", "PATCH", "DELETE"}) EXPECT_TRUE(is_write(m)) << m;
  for (const auto* m : {"GET", "HEAD", "OPTIONS", "post"}) EXPECT_FALSE(is_write(m)) << m;
}

TEST(ReplayKey, EveryPartOfTheRequestNamesTheWrite) {
  const auto base = replay_key("k", "POST", "/im/v2/x", "{}", "t1");
  EXPECT_EQ(base, replay_key("k", "POST", "/im/v2/x", "{}", "t1"));
  EXPECT_TRUE(base.starts_with("idem:"));
  EXPECT_NE(base, replay_key("k2", "POST", "/im/v2/x", "{}", "t1"));
  EXPECT_NE(base, replay_key("k", "PUT", "/im/v2/x", "{}", "t1"));
  EXPECT_NE(base, replay_key("k", "POST", "/im/v2/y", "{}", "t1"));
  EXPECT_NE(base, replay_key("k", "POST", "/im/v2/x", "{ }", "t1"));
  EXPECT_NE(base, replay_key("k", "POST", "/im/v2/x", "{}", "t2"));
  // Fields cannot slide into each other.
  EXPECT_NE(replay_key("ab", "POST", "/c", "", "t"), replay_key("a", "POST", "b/c", "", "t"));
}

TEST(StoredAnswerEncoding, RoundTripsBinaryBodiesAndHeaders) {
  StoredAnswer answer{200, {{"Content-Type", "application/json"}, {"X-A", ""}}, "a\nb\0c"};
  answer.body.push_back('\0');
  EXPECT_EQ(decode(encode(answer)), answer);
  EXPECT_EQ(decode(encode(StoredAnswer{504, {}, ""})), (StoredAnswer{504, {}, ""}));
}

TEST(StoredAnswerEncoding, PendingMarkerAndGarbageAreNoAnswer) {
  EXPECT_FALSE(decode(kPendingMarker));
  EXPECT_FALSE(decode(""));
  EXPECT_FALSE(decode("A1\n200\n2\nX\n1\n"));  // one header short
  EXPECT_FALSE(decode("A1\n99\n0\n"));
  EXPECT_FALSE(decode("A1\n200\n-1\n"));
}

TEST(ReplayTable, FirstOwnsRepeatsShareTheRecordUntilTheWindowEnds) {
  ReplayTable table(60s);
  const auto first = table.claim("k", kNow);
  EXPECT_TRUE(first.owner);
  const auto repeat = table.claim("k", kNow);
  EXPECT_FALSE(repeat.owner);
  EXPECT_EQ(repeat.record, first.record);
  EXPECT_TRUE(table.claim("other", kNow).owner);

  int notified = 0;
  EXPECT_TRUE(table.on_finished(repeat.record, [&] { ++notified; }));
  EXPECT_FALSE(table.answer(repeat.record));
  table.finish(first.record, StoredAnswer{200, {}, "ok"}, true, kNow);
  EXPECT_EQ(notified, 1);
  EXPECT_EQ(table.answer(repeat.record)->body, "ok");
  EXPECT_FALSE(table.on_finished(repeat.record, [&] { ++notified; }));

  EXPECT_FALSE(table.claim("k", kNow + 59s).owner);
  EXPECT_TRUE(table.claim("k", kNow + 61s).owner);
}

TEST(ReplayTable, AReleasedKeyIsFreeAtOnceButWaitersStillGetTheAnswer) {
  ReplayTable table(60s);
  const auto first = table.claim("k", kNow);
  const auto waiter = table.claim("k", kNow);
  table.finish(first.record, StoredAnswer{502, {}, "refused"}, false, kNow);
  EXPECT_EQ(table.answer(waiter.record)->status, 502);
  EXPECT_TRUE(table.claim("k", kNow).owner);
}

TEST(ReplayTable, ExpiredRecordsAreSwept) {
  ReplayTable table(1s);
  for (int i = 0; i < 100; ++i) {
    const auto claim = table.claim(std::to_string(i), kNow);
    table.finish(claim.record, {}, true, kNow);
  }
  EXPECT_EQ(table.size(), 100u);
  table.claim("late", kNow + 10s);
  EXPECT_EQ(table.size(), 1u);
}

}  // namespace
}  // namespace yxgate::idempotency
