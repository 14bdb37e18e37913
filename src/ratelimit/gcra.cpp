#include "ratelimit/gcra.hpp"

#include <algorithm>
#include <cmath>

namespace yxgate::ratelimit {

Verdict gcra_step(std::int64_t& tat_us, std::int64_t now_us, const BucketShape& shape,
                  std::chrono::microseconds max_wait) {
  const auto interval = static_cast<std::int64_t>(std::llround(1e6 / shape.rate));
  const auto tolerance =
      static_cast<std::int64_t>(std::llround((shape.burst - 1) * 1e6 / shape.rate));
  const auto tat = std::max(tat_us, now_us);
  const auto allowed_at = tat - tolerance;  // when this call conforms
  const auto delay = allowed_at - now_us;
  if (delay <= 0) {
    tat_us = tat + interval;
    return {Decision::kAllowed, {}, {}};
  }
  if (delay <= max_wait.count()) {
    tat_us = tat + interval;  // the slot is ours: later callers queue behind it
    return {Decision::kDelayed, std::chrono::microseconds(delay), {}};
  }
  return {Decision::kRejected, {}, std::chrono::microseconds(delay)};
}

Verdict Gcra::take(std::chrono::steady_clock::time_point now, std::chrono::microseconds max_wait) {
  const auto now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::lock_guard lock(mutex_);
  return gcra_step(tat_us_, now_us, shape_, max_wait);
}

void Gcra::reshape(BucketShape shape) {
  std::lock_guard lock(mutex_);
  shape_ = shape;
}

BucketShape Gcra::shape() const {
  std::lock_guard lock(mutex_);
  return shape_;
}

BucketShape divided(BucketShape shape, int replicas) {
  replicas = std::max(1, replicas);
  return {shape.rate / replicas, std::max(1.0, shape.burst / replicas)};
}

}  // namespace yxgate::ratelimit
