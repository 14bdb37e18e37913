#pragma once
// yxgate_redis_up (SPEC §8, §9) across many connections.
//
// There is one RedisConnection per worker plus one RedisSubscriber per
// process, each on its own thread. The gauge reads 1 only while *every* live
// link is connected (handshake done), and 0 while any is down or connecting,
// or when none exists. "All" rather than "any": a single worker cut off from
// Redis already bypasses the cache and falls back to local rate limits for
// its share of traffic, and a dead subscriber silently stops cross-replica
// invalidation — both are worth an alert. Per-link detail is in the logs.
#include <mutex>

#include "metrics/registry.hpp"

namespace yxgate::redis {

class RedisHealth {
 public:
  // One link's vote. Starts down; unregisters on destruction.
  class Vote {
   public:
    explicit Vote(RedisHealth& health);
    ~Vote();
    Vote(const Vote&) = delete;
    Vote& operator=(const Vote&) = delete;
    void set_up(bool up);

   private:
    RedisHealth& health_;
    bool up_ = false;
  };

  explicit RedisHealth(metrics::Gauge& up_gauge) : gauge_(up_gauge) {}
  RedisHealth(const RedisHealth&) = delete;
  RedisHealth& operator=(const RedisHealth&) = delete;

  bool all_up() const;

 private:
  void update_locked();

  // Link state changes are rare (connects, disconnects): a mutex keeps the
  // counts and the gauge consistent across worker threads.
  metrics::Gauge& gauge_;
  mutable std::mutex mutex_;
  int links_ = 0;
  int down_ = 0;
};

}  // namespace yxgate::redis
