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

// The bound: completed records leave oldest first; in-flight ones never.
TEST(ReplayTableBound, OldestCompletedRecordIsForgottenFirstWhenFullByCount) {
  ReplayTable table(60s, {.max_records = 3, .max_bytes = 1 << 20});
  const auto a = table.claim("a", kNow);
  const auto b = table.claim("b", kNow);
  const auto c = table.claim("c", kNow);
  table.finish(b.record, StoredAnswer{200, {}, "b"}, true, kNow);
  table.finish(a.record, StoredAnswer{200, {}, "a"}, true, kNow + 1s);
  // Full: "d" takes b's place (finished first), not c's (in flight).
  EXPECT_TRUE(table.claim("d", kNow + 2s).owner);
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.evicted(), 1u);
  EXPECT_TRUE(table.claim("b", kNow + 2s).owner) << "b was forgotten: a repeat goes upstream";
  EXPECT_EQ(table.unprotected(), 0u);
  EXPECT_FALSE(table.claim("c", kNow + 2s).owner) << "in flight: never evicted";
  // b took a's place; with b, c, d all in flight, a repeat of a goes unprotected.
  const auto repeat_a = table.claim("a", kNow + 2s);
  EXPECT_TRUE(repeat_a.owner);
  EXPECT_FALSE(repeat_a.tracked);
  EXPECT_EQ(table.unprotected(), 1u);
}

TEST(ReplayTableBound, AFullTableOfInFlightWritesLetsTheNextOneGoUnprotected) {
  ReplayTable table(60s, {.max_records = 2, .max_bytes = 1 << 20});
  const auto a = table.claim("a", kNow);
  const auto b = table.claim("b", kNow);
  const auto c = table.claim("c", kNow);
  EXPECT_FALSE(c.tracked);
  EXPECT_TRUE(c.owner);
  EXPECT_EQ(c.record, nullptr);
  EXPECT_EQ(table.unprotected(), 1u);
  // The in-flight ones keep their records and waiters.
  EXPECT_FALSE(table.claim("a", kNow).owner);
  table.finish(a.record, StoredAnswer{200, {}, "a"}, true, kNow);
  EXPECT_TRUE(table.claim("c", kNow).tracked);  // a made room
  EXPECT_FALSE(table.claim("b", kNow).owner);
}

TEST(ReplayTableBound, BytesOfStoredAnswersAreBounded) {
  const std::size_t per_record = ReplayTable::kRecordOverhead + 1;  // one-letter keys
  ReplayTable table(60s, {.max_records = 100, .max_bytes = 3 * per_record + 2500});
  const std::string kilobyte(1000, 'x');
  for (const auto* key : {"a", "b", "c"}) {
    const auto claim = table.claim(key, kNow);
    table.finish(claim.record, StoredAnswer{200, {}, kilobyte}, true, kNow);
  }
  // Two answers fit beside three records: the first was forgotten.
  EXPECT_EQ(table.size(), 2u);
  EXPECT_LE(table.bytes(), 3 * per_record + 2500);
  EXPECT_TRUE(table.claim("a", kNow).owner);
  EXPECT_FALSE(table.claim("c", kNow).owner);
  // An answer larger than the whole bound is given to its waiters, not kept.
  const auto big = table.claim("big", kNow);
  const auto waiter = table.claim("big", kNow);
  table.finish(big.record, StoredAnswer{200, {}, std::string(10000, 'y')}, true, kNow);
  EXPECT_EQ(table.answer(waiter.record)->body.size(), 10000u);
  EXPECT_TRUE(table.claim("big", kNow).owner);
  EXPECT_LE(table.bytes(), 3 * per_record + 2500);
}

TEST(ReplayTableBound, ExpiredRecordsFreeTheirBytes) {
  ReplayTable table(1s);
  for (int i = 0; i < 10; ++i) {
    const auto claim = table.claim(std::to_string(i), kNow);
    table.finish(claim.record, StoredAnswer{200, {}, "body"}, true, kNow);
  }
  EXPECT_GT(table.bytes(), 10 * ReplayTable::kRecordOverhead);
  const auto late = table.claim("late", kNow + 10s);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.bytes(), 4 + ReplayTable::kRecordOverhead);
  table.finish(late.record, {}, false, kNow + 10s);
  EXPECT_EQ(table.bytes(), 0u);
}

}  // namespace
}  // namespace yxgate::idempotency
