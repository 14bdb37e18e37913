#pragma once
// What the Redis layer tells the local layer (SPEC §3.3, §11.2):
// invalidations published by other replicas, and the local-layer lease its
// heartbeats extend or end. CachedMessages implements it; the Redis layer is
// given one at start and knows nothing else above it.
#include <chrono>
#include <cstdint>
#include <string_view>

namespace yxgate::message_cache {

class InvalidationSink {
 public:
  virtual void drop_local_message(std::uint32_t app, std::uint64_t id) = 0;
  // `canonical` as from canonical_conversation() (redis_message_store.hpp).
  virtual void drop_local_canonical_conversation(std::uint32_t app, std::string_view canonical) = 0;
  // After an invalidation may have been missed: forget the whole local layer.
  virtual void drop_all_local() = 0;
  virtual void set_lease(std::chrono::steady_clock::time_point until) = 0;
  virtual std::chrono::steady_clock::time_point lease() const = 0;

 protected:
  ~InvalidationSink() = default;
};

}  // namespace yxgate::message_cache
