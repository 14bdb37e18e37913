#include <gtest/gtest.h>

#include "cache/invalidation_log.hpp"

namespace yxgate::cache {
namespace {

using namespace std::chrono_literals;
using Clock = InvalidationLog::Clock;
const Clock::time_point kT0 = Clock::time_point{} + 1000h;

TEST(CacheInvalidationLog, ReaderThatLookedBeforeAnInvalidationOfItsKeyIsRefused) {
  InvalidationLog log(1min, 100);
  const auto token = log.current();
  log.invalidate(CacheKey{0, 1}, kT0);
  EXPECT_FALSE(log.unchanged_since(CacheKey{0, 1}, token));
  EXPECT_TRUE(log.unchanged_since(CacheKey{0, 2}, token));
  EXPECT_TRUE(log.unchanged_since(CacheKey{1, 1}, token)) << "other app, other message";
  EXPECT_TRUE(log.unchanged_since(CacheKey{0, 1}, log.current()));
}

TEST(CacheInvalidationLog, ClearRefusesEveryEarlierReaderOnly) {
  InvalidationLog log(1min, 100);
  const auto before = log.current();
  log.invalidate_all();
  const auto after = log.current();
  EXPECT_FALSE(log.unchanged_since(CacheKey{0, 5}, before));
  EXPECT_TRUE(log.unchanged_since(CacheKey{0, 5}, after));
}

TEST(CacheInvalidationLog, PruningIsBoundedAndNeverForgivesARacingReader) {
  InvalidationLog log(10s, 3);
  const auto token = log.current();
  log.invalidate(CacheKey{0, 1}, kT0);
  for (std::uint64_t id = 2; id < 50; ++id) log.invalidate(CacheKey{0, id}, kT0 + 1s);
  EXPECT_LE(log.records(), 3u);
  EXPECT_FALSE(log.unchanged_since(CacheKey{0, 1}, token));
  log.invalidate(CacheKey{0, 99}, kT0 + 1h);  // everything older is past the horizon
  EXPECT_EQ(log.records(), 1u);
  EXPECT_TRUE(log.unchanged_since(CacheKey{0, 1}, log.current()));
}

}  // namespace
}  // namespace yxgate::cache
