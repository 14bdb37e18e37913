#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cache/local_cache.hpp"

namespace yxgate::cache {
namespace {

using Clock = LocalCache::Clock;
using namespace std::chrono_literals;

const Clock::time_point kT0 = Clock::time_point{} + 1000h;
const Clock::time_point kForever = kT0 + 24h;

// A positive entry for `id` whose JSON text is about `text_bytes` long.
LocalCache::EntryPtr entry_for(std::uint64_t id, std::size_t text_bytes = 100,
                               const std::string& sender = "alice",
                               const std::string& receiver = "bob") {
  MessageFacts facts;
  facts.message_server_id = id;
  facts.conversation_type = 1;
  facts.sender_id = sender;
  facts.receiver_id = receiver;
  facts.create_time = 1;
  std::string json = R"({"message_server_id":)" + std::to_string(id) + R"(,"text":")" +
                     std::string(text_bytes, 'x') + R"("})";
  return std::make_shared<const CacheEntry>(make_positive_entry(std::move(json), facts));
}

CacheKey key(std::uint64_t id, std::uint32_t app = 0) { return CacheKey{app, id}; }

LocalCacheOptions options(std::size_t max_bytes, std::size_t shards = 16) {
  LocalCacheOptions o;
  o.max_bytes = max_bytes;
  o.shards = shards;
  return o;
}

TEST(LocalCache, HitReturnsTheStoredEntry) {
  LocalCache cache(options(1 << 20));
  const auto entry = entry_for(7);
  ASSERT_TRUE(cache.put(key(7), entry, kForever));
  EXPECT_EQ(cache.get(key(7), kT0), entry);
  EXPECT_EQ(cache.get(key(8), kT0), nullptr);
  EXPECT_EQ(cache.get(key(7, /*app=*/1), kT0), nullptr) << "ids are unique per app only";
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_GT(cache.bytes(), entry->charged_bytes());
}

TEST(LocalCache, ExpiredEntryIsMissAndIsReclaimed) {
  LocalCache cache(options(1 << 20));
  ASSERT_TRUE(cache.put(key(7), entry_for(7), kT0 + 10s));
  EXPECT_NE(cache.get(key(7), kT0 + 9s), nullptr);
  EXPECT_EQ(cache.get(key(7), kT0 + 10s), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(LocalCache, ReclaimExpiredDropsOnlyExpiredEntries) {
  LocalCache cache(options(1 << 20));
  cache.put(key(1), entry_for(1), kT0 + 1s);
  cache.put(key(2), entry_for(2), kT0 + 1h);
  EXPECT_EQ(cache.reclaim_expired(kT0 + 2s), 1u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.get(key(2), kT0 + 2s), nullptr);
}

TEST(LocalCache, ReplacingAnEntryRechargesItsBytes) {
  LocalCache cache(options(1 << 20));
  cache.put(key(1), entry_for(1, 100), kForever);
  const auto small_bytes = cache.bytes();
  cache.put(key(1), entry_for(1, 5000), kForever);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_GE(cache.bytes(), small_bytes + 4900);
  cache.put(key(1), entry_for(1, 100), kForever);
  EXPECT_EQ(cache.bytes(), small_bytes);
}

TEST(LocalCache, ByteBoundHoldsAfterEveryInsertOfVariedSizes) {
  constexpr std::size_t kMax = 64 << 10;
  LocalCache cache(options(kMax));
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::size_t> size(0, 3000);
  std::uniform_int_distribution<std::uint64_t> id(1, 3000);
  for (int i = 0; i < 20000; ++i) {
    cache.put(key(id(rng)), entry_for(i, size(rng)), kForever);
    ASSERT_LE(cache.bytes(), kMax) << "after insert " << i;
    if (i % 7 == 0) cache.get(key(id(rng)), kT0);
  }
  EXPECT_GT(cache.size(), 10u);
}

TEST(LocalCache, EntryLargerThanAShardIsRefusedAndDropsTheOldVersion) {
  LocalCache cache(options(16 << 10, 4));  // 4 KiB per shard
  ASSERT_TRUE(cache.put(key(1), entry_for(1, 100), kForever));
  EXPECT_FALSE(cache.put(key(1), entry_for(1, 8000), kForever));
  EXPECT_EQ(cache.get(key(1), kT0), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(LocalCache, ZeroMaxBytesDisablesTheLayer) {
  LocalCache cache(options(0));
  EXPECT_FALSE(cache.enabled());
  EXPECT_FALSE(cache.put(key(1), entry_for(1), kForever));
  EXPECT_EQ(cache.get(key(1), kT0), nullptr);
  EXPECT_FALSE(cache.put_if_unchanged(key(1), entry_for(1), kForever, cache.generation(key(1))));
  cache.invalidate(key(1), kT0);
  EXPECT_EQ(cache.erase_if([](const CacheKey&, const CacheEntry&) { return true; }), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(LocalCache, EraseRemovesOneKey) {
  LocalCache cache(options(1 << 20));
  cache.put(key(1), entry_for(1), kForever);
  cache.put(key(2), entry_for(2), kForever);
  EXPECT_TRUE(cache.erase(key(1)));
  EXPECT_FALSE(cache.erase(key(1)));
  EXPECT_EQ(cache.get(key(1), kT0), nullptr);
  EXPECT_NE(cache.get(key(2), kT0), nullptr);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(LocalCache, EraseIfClearsOneConversationAcrossShards) {
  LocalCache cache(options(1 << 20));
  for (std::uint64_t id = 1; id <= 200; ++id) {
    cache.put(key(id),
              id % 2 ? entry_for(id, 10, "alice", "bob") : entry_for(id, 10, "carol", "dave"),
              kForever);
  }
  const auto alice_bob = *router::parse_conversation_id("bob|1|alice");
  const auto erased = cache.erase_if(
      [&](const CacheKey&, const CacheEntry& entry) { return belongs_to(entry.facts, alice_bob); });
  EXPECT_EQ(erased, 100u);
  EXPECT_EQ(cache.size(), 100u);
  EXPECT_EQ(cache.get(key(1), kT0), nullptr);
  EXPECT_NE(cache.get(key(2), kT0), nullptr);
}

// Plain FIFO with the same byte budget, as the baseline S3-FIFO must beat.
struct PlainFifo {
  std::size_t max_bytes;
  std::size_t bytes = 0;
  std::deque<std::pair<std::uint64_t, std::size_t>> queue;
  void put(std::uint64_t id, std::size_t charged) {
    while (bytes + charged > max_bytes) {
      bytes -= queue.front().second;
      queue.pop_front();
    }
    queue.emplace_back(id, charged);
    bytes += charged;
  }
  bool contains(std::uint64_t id) const {
    for (const auto& [queued, charged] : queue) {
      if (queued == id) return true;
    }
    return false;
  }
};

TEST(LocalCache, HotSetSurvivesAScanThatFlushesPlainFifo) {
  constexpr std::size_t kMax = 256 << 10;
  LocalCache cache(options(kMax, 1));
  PlainFifo fifo{kMax, 0, {}};
  constexpr std::uint64_t kHot = 60;  // ~15% of the budget
  auto touch_hot_set = [&] {
    for (std::uint64_t id = 1; id <= kHot; ++id) ASSERT_NE(cache.get(key(id), kT0), nullptr) << id;
  };
  for (std::uint64_t id = 1; id <= kHot; ++id) {
    const auto entry = entry_for(id, 500);
    cache.put(key(id), entry, kForever);
    fifo.put(id, entry->charged_bytes());
  }
  touch_hot_set();
  // History pages: 5000 messages fetched once each, ~10x the budget.
  std::size_t scanned_bytes = 0;
  for (std::uint64_t id = 1000; id < 6000; ++id) {
    const auto entry = entry_for(id, 500);
    scanned_bytes += entry->charged_bytes();
    cache.put(key(id), entry, kForever);
    fifo.put(id, entry->charged_bytes());
    if (id % 100 == 0) touch_hot_set();
  }
  ASSERT_GT(scanned_bytes, 5 * kMax);
  touch_hot_set();
  for (std::uint64_t id = 1; id <= kHot; ++id) EXPECT_FALSE(fifo.contains(id)) << id;
  EXPECT_LE(cache.bytes(), kMax);
}

TEST(LocalCache, KeyEvictedUnusedAndInsertedAgainIsAdmittedToMain) {
  // Ghost set: a second insert soon after eviction marks the key as reused,
  // so it survives the next scan without having been hit.
  constexpr std::size_t kMax = 64 << 10;
  LocalCache cache(options(kMax, 1));
  std::uint64_t id = 1;
  // Fill until the first eviction: the small queue's head, key 1, never hit.
  for (; cache.size() == id - 1; ++id) cache.put(key(id), entry_for(id, 300), kForever);
  ASSERT_EQ(cache.get(key(1), kT0), nullptr);
  cache.put(key(1), entry_for(1, 300), kForever);
  for (std::uint64_t scan = 1000; scan < 1400; ++scan) {
    cache.put(key(scan), entry_for(scan, 300), kForever);
  }
  EXPECT_EQ(cache.get(key(2), kT0), nullptr) << "not reused: flushed by the scan";
  EXPECT_NE(cache.get(key(1), kT0), nullptr);
}

TEST(LocalCache, PutIfUnchangedRefusedAfterInvalidate) {
  LocalCache cache(options(1 << 20));
  cache.put(key(1), entry_for(1), kForever);
  const auto seen = cache.generation(key(1));  // reader misses, goes upstream...
  cache.invalidate(key(1), kT0);               // ...modifyMsg lands meanwhile
  EXPECT_EQ(cache.get(key(1), kT0), nullptr);
  EXPECT_FALSE(cache.put_if_unchanged(key(1), entry_for(1), kForever, seen));
  EXPECT_EQ(cache.get(key(1), kT0), nullptr);
  // A reader that looked after the invalidation may insert.
  EXPECT_TRUE(cache.put_if_unchanged(key(1), entry_for(1), kForever, cache.generation(key(1))));
}

TEST(LocalCache, PutIfUnchangedAcceptedWithoutInvalidation) {
  LocalCache cache(options(1 << 20, 1));
  const auto seen = cache.generation(key(1));
  cache.invalidate(key(2), kT0);  // same shard, other key
  EXPECT_TRUE(cache.put_if_unchanged(key(1), entry_for(1), kForever, seen));
  EXPECT_NE(cache.get(key(1), kT0), nullptr);
}

TEST(LocalCache, InvalidateAllMatchingRefusesEveryInFlightReader) {
  LocalCache cache(options(1 << 20));
  cache.put(key(1), entry_for(1), kForever);
  cache.put(key(2), entry_for(2, 10, "carol", "dave"), kForever);
  const auto seen = cache.generation(key(3));
  const auto conversation = *router::parse_conversation_id("alice|1|bob");
  EXPECT_EQ(cache.invalidate_all_matching([&](const CacheKey&, const CacheEntry& entry) {
    return belongs_to(entry.facts, conversation);
  }),
            1u);
  EXPECT_EQ(cache.get(key(1), kT0), nullptr);
  EXPECT_NE(cache.get(key(2), kT0), nullptr);
  EXPECT_FALSE(cache.put_if_unchanged(key(3), entry_for(3), kForever, seen));
  EXPECT_TRUE(cache.put_if_unchanged(key(3), entry_for(3), kForever, cache.generation(key(3))));
}

TEST(LocalCache, ForgottenInvalidationsStillRefuseOlderReaders) {
  LocalCacheOptions o = options(1 << 20, 1);
  o.generation_horizon = 10s;
  o.max_generation_records = 4;
  LocalCache cache(o);
  const auto old_reader = cache.generation(key(1));
  cache.invalidate(key(1), kT0);
  cache.invalidate(key(2), kT0 + 60s);  // prunes key 1's record (past the horizon)
  for (std::uint64_t id = 10; id < 20; ++id) cache.invalidate(key(id), kT0 + 60s);  // and the cap
  EXPECT_FALSE(cache.put_if_unchanged(key(1), entry_for(1), kForever, old_reader));
  EXPECT_TRUE(cache.put_if_unchanged(key(1), entry_for(1), kForever, cache.generation(key(1))));
}

TEST(LocalCache, ConcurrentMixedOperationsKeepInvariants) {
  constexpr std::size_t kMax = 128 << 10;
  constexpr std::uint64_t kKeys = 600;
  LocalCache cache(options(kMax));
  std::atomic<bool> bound_broken{false};
  std::atomic<bool> wrong_entry{false};
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::uint64_t> pick(1, kKeys);
    std::uniform_int_distribution<int> op(0, 99);
    for (int i = 0; i < 20000; ++i) {
      const std::uint64_t id = pick(rng);
      const int what = op(rng);
      if (what < 55) {
        auto entry = cache.get(key(id), kT0);
        if (entry && entry->facts.message_server_id != id) wrong_entry = true;
      } else if (what < 80) {
        cache.put(key(id), entry_for(id, id % 700), kForever);
      } else if (what < 90) {
        const auto seen = cache.generation(key(id));
        cache.put_if_unchanged(key(id), entry_for(id, 50), kForever, seen);
      } else if (what < 96) {
        cache.erase(key(id));
      } else if (what < 99) {
        cache.invalidate(key(id), kT0);
      } else {
        cache.erase_if([id](const CacheKey& k, const CacheEntry&) {
          return k.message_server_id % 97 == id % 97;
        });
      }
      if (cache.bytes() > kMax) bound_broken = true;
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 4; ++t) threads.emplace_back(worker, t + 1);
  for (auto& thread : threads) thread.join();

  EXPECT_FALSE(bound_broken);
  EXPECT_FALSE(wrong_entry);
  std::size_t present = 0;
  for (std::uint64_t id = 1; id <= kKeys; ++id) present += cache.get(key(id), kT0) != nullptr;
  EXPECT_EQ(present, cache.size());
  EXPECT_EQ(cache.erase_if([](const CacheKey&, const CacheEntry&) { return true; }), present);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace yxgate::cache
