#include "ratelimit/gcra.hpp"

#include <gtest/gtest.h>

namespace yxgate::ratelimit {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

int allowed_in_a_row(std::int64_t& tat, std::int64_t now, BucketShape shape) {
  int n = 0;
  while (gcra_step(tat, now, shape, microseconds(0)).decision == Decision::kAllowed) ++n;
  return n;
}

TEST(Gcra, BurstIsAvailableAtOnceThenRateApplies) {
  std::int64_t tat = 0;
  const std::int64_t now = 10'000'000;
  EXPECT_EQ(allowed_in_a_row(tat, now, {5, 5}), 5);
  // One more token after 1/rate = 200 ms, not before.
  EXPECT_EQ(gcra_step(tat, now + 199'000, {5, 5}, microseconds(0)).decision, Decision::kRejected);
  EXPECT_EQ(gcra_step(tat, now + 200'000, {5, 5}, microseconds(0)).decision, Decision::kAllowed);
}

TEST(Gcra, RejectionSaysWhenToRetry) {
  std::int64_t tat = 0;
  const std::int64_t now = 10'000'000;
  allowed_in_a_row(tat, now, {2, 1});
  const auto v = gcra_step(tat, now, {2, 1}, microseconds(0));
  EXPECT_EQ(v.decision, Decision::kRejected);
  EXPECT_EQ(v.retry_after, microseconds(500'000));
}

TEST(Gcra, WaitersWithinMaxWaitQueueInOrder) {
  std::int64_t tat = 0;
  const std::int64_t now = 10'000'000;
  allowed_in_a_row(tat, now, {10, 1});
  const auto first = gcra_step(tat, now, {10, 1}, milliseconds(250));
  const auto second = gcra_step(tat, now, {10, 1}, milliseconds(250));
  const auto third = gcra_step(tat, now, {10, 1}, milliseconds(250));
  EXPECT_EQ(first.decision, Decision::kDelayed);
  EXPECT_EQ(first.wait, microseconds(100'000));
  EXPECT_EQ(second.wait, microseconds(200'000));
  EXPECT_EQ(third.decision, Decision::kRejected) << "300 ms > max_wait";
}

TEST(Gcra, DividedShapeKeepsBurstAtLeastOne) {
  const auto d = divided({10, 4}, 8);
  EXPECT_DOUBLE_EQ(d.rate, 1.25);
  EXPECT_DOUBLE_EQ(d.burst, 1.0);
  EXPECT_DOUBLE_EQ(divided({10, 40}, 4).burst, 10.0);
}

TEST(Gcra, LongRunRateIsRespected) {
  std::int64_t tat = 0;
  int allowed = 0;
  for (std::int64_t t = 0; t < 10'000'000; t += 1000) {  // 10 s, a call every ms
    allowed += gcra_step(tat, 1'000'000 + t, {5, 5}, microseconds(0)).decision == Decision::kAllowed;
  }
  EXPECT_GE(allowed, 5 + 49);
  EXPECT_LE(allowed, 5 + 50);
}

TEST(Gcra, ReshapeChangesTheRateLive) {
  Gcra bucket({1, 1});
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(bucket.take(now, microseconds(0)).decision, Decision::kAllowed);
  EXPECT_EQ(bucket.take(now, microseconds(0)).decision, Decision::kRejected);
  bucket.reshape({1000, 1000});
  EXPECT_EQ(bucket.take(now + milliseconds(5), microseconds(0)).decision, Decision::kAllowed);
}

}  // namespace
}  // namespace yxgate::ratelimit
