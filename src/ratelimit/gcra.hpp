#pragma once
// A token bucket as GCRA (generic cell rate algorithm): one number of state,
// the theoretical arrival time (TAT). rate = tokens per second, burst = bucket
// size. A caller that cannot go now may reserve the next free slot if it
// comes within max_wait: reservations push the TAT forward in arrival order,
// so waiting callers are served first-in first-out (SPEC §4). Pure logic; the
// same arithmetic runs in Redis for global buckets (limiter/rate_limiter.cpp).
#include <chrono>
#include <cstdint>
#include <mutex>

namespace yxgate::ratelimit {

enum class Decision { kAllowed, kDelayed, kRejected };

struct Verdict {
  Decision decision = Decision::kAllowed;
  std::chrono::microseconds wait{0};         // kDelayed: sleep this long, then go
  std::chrono::microseconds retry_after{0};  // kRejected: when a slot frees up
};

struct BucketShape {
  double rate = 1;   // tokens per second, > 0
  double burst = 1;  // >= 1
};

// Pure GCRA step on `tat` (microseconds on any monotonic clock).
Verdict gcra_step(std::int64_t& tat_us, std::int64_t now_us, const BucketShape& shape,
                  std::chrono::microseconds max_wait);

// A thread-safe local bucket.
class Gcra {
 public:
  explicit Gcra(BucketShape shape) : shape_(shape) {}
  Verdict take(std::chrono::steady_clock::time_point now, std::chrono::microseconds max_wait);
  // SIGHUP: new limits; the bucket keeps how full it is (in tokens).
  void reshape(BucketShape shape, std::chrono::steady_clock::time_point now);
  BucketShape shape() const;

 private:
  mutable std::mutex mutex_;
  BucketShape shape_;
  std::int64_t tat_us_ = 0;
};

// SPEC §4: while Redis is unreachable a global bucket falls back to the
// local one divided by expected_replicas (rate and burst, burst >= 1).
BucketShape divided(BucketShape shape, int replicas);

}  // namespace yxgate::ratelimit
