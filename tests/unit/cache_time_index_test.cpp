// The learned create_time index (SPEC §11.5): bounded, FIFO eviction per
// shard, disabled at 0, apps kept apart, safe from many threads.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "cache/time_index.hpp"

namespace yxgate::cache {
namespace {

TEST(TimeIndex, RemembersWhatItLearned) {
  TimeIndex index(100);
  EXPECT_FALSE(index.find(0, 7).has_value());
  index.learn(0, 7, 1700000000123);
  ASSERT_TRUE(index.find(0, 7).has_value());
  EXPECT_EQ(*index.find(0, 7), 1700000000123u);
  EXPECT_EQ(index.size(), 1u);
  index.learn(0, 7, 1700000000123);  // learned again: still one entry
  EXPECT_EQ(index.size(), 1u);
}

TEST(TimeIndex, NeverHoldsMoreThanItsBound) {
  TimeIndex index(64, 16);
  for (std::uint64_t id = 1; id <= 10'000; ++id) index.learn(0, id, id * 10);
  EXPECT_LE(index.size(), 64u);
  EXPECT_GT(index.size(), 0u);
  std::size_t held = 0;
  for (std::uint64_t id = 1; id <= 10'000; ++id) {
    if (auto t = index.find(0, id)) {
      EXPECT_EQ(*t, id * 10);  // what is held is right
      ++held;
    }
  }
  EXPECT_EQ(held, index.size());
}

TEST(TimeIndex, EvictsTheOldestInsertionFirst) {
  TimeIndex index(3, 1);  // one shard: exact FIFO
  index.learn(0, 1, 10);
  index.learn(0, 2, 20);
  index.learn(0, 3, 30);
  index.find(0, 1);  // a hit does not reorder (FIFO, not LRU)
  index.learn(0, 4, 40);
  EXPECT_FALSE(index.find(0, 1).has_value());
  EXPECT_EQ(index.find(0, 2), 20u);
  EXPECT_EQ(index.find(0, 4), 40u);
  EXPECT_EQ(index.size(), 3u);
}

TEST(TimeIndex, SmallBoundUsesFewerShards) {
  TimeIndex index(2, 16);
  for (std::uint64_t id = 1; id <= 100; ++id) index.learn(0, id, id);
  EXPECT_LE(index.size(), 2u);
  EXPECT_GE(index.size(), 1u);
}

TEST(TimeIndex, ZeroDisablesIt) {
  TimeIndex index(0);
  EXPECT_FALSE(index.enabled());
  index.learn(0, 7, 70);
  EXPECT_FALSE(index.find(0, 7).has_value());
  EXPECT_EQ(index.size(), 0u);
}

TEST(TimeIndex, AppsAreKeptApart) {
  TimeIndex index(100);
  index.learn(0, 7, 70);
  EXPECT_FALSE(index.find(1, 7).has_value());
  index.learn(1, 7, 71);
  EXPECT_EQ(index.find(0, 7), 70u);
  EXPECT_EQ(index.find(1, 7), 71u);
}

// Against a reference FIFO under heavy churn: every held id is found with
// its time, every evicted one is gone (exercises the table's deletions).
TEST(TimeIndex, MatchesAReferenceFifoUnderChurn) {
  constexpr std::size_t kBound = 200;
  TimeIndex index(kBound, 1);
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> model;
  std::deque<std::pair<std::uint32_t, std::uint64_t>> order;
  std::mt19937_64 rng(17);
  for (int step = 0; step < 50'000; ++step) {
    const auto app = static_cast<std::uint32_t>(rng() % 3);
    const std::uint64_t id = rng() % 1000 + 1;
    const std::uint64_t time = id * 3 + app;
    index.learn(app, id, time);
    if (model.emplace(std::pair{app, id}, time).second) {
      order.emplace_back(app, id);
      if (order.size() > kBound) {
        model.erase(order.front());
        order.pop_front();
      }
    }
    const auto probe_app = static_cast<std::uint32_t>(rng() % 3);
    const std::uint64_t probe = rng() % 1000 + 1;
    const auto expected = model.find({probe_app, probe});
    const auto found = index.find(probe_app, probe);
    ASSERT_EQ(found.has_value(), expected != model.end()) << step;
    if (found) {
      ASSERT_EQ(*found, expected->second);
    }
  }
  EXPECT_EQ(index.size(), model.size());
  for (const auto& [key, time] : model) ASSERT_EQ(index.find(key.first, key.second), time);
}

TEST(TimeIndex, ManyThreadsLearnAndFindWithinTheBound) {
  TimeIndex index(1000);
  std::vector<std::thread> threads;
  for (std::uint32_t t = 0; t < 4; ++t) {
    threads.emplace_back([&index, t] {
      for (std::uint64_t id = 1; id <= 20'000; ++id) {
        index.learn(t % 2, id, id + 5);
        if (auto found = index.find(t % 2, id / 2 + 1)) {
          ASSERT_EQ(*found, id / 2 + 6);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(index.size(), 1000u);
}

}  // namespace
}  // namespace yxgate::cache
