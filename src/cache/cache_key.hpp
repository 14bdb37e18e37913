#pragma once
// The key of both cache layers: a message server id is unique per app only.
#include <cstddef>
#include <cstdint>

namespace yxgate::cache {

struct CacheKey {
  std::uint32_t app = 0;  // index of the app in config `apps`
  std::uint64_t message_server_id = 0;

  friend bool operator==(const CacheKey&, const CacheKey&) = default;
};

// splitmix64 finaliser: message ids are sequential-ish, so their low bits
// alone would pile keys into a few shards and buckets.
struct CacheKeyHash {
  std::size_t operator()(const CacheKey& key) const noexcept {
    std::uint64_t x = key.message_server_id ^ (std::uint64_t{key.app} << 56 | key.app);
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<std::size_t>(x ^ (x >> 31));
  }
};

}  // namespace yxgate::cache
