#pragma once
// A monotonically increasing value (Prometheus counter). Lock-free.
#include <atomic>

namespace yxgate::metrics {

class Counter {
 public:
  // Counters only go up: a negative or NaN increment is ignored.
  void inc(double amount = 1.0) {
    if (amount > 0) value_.fetch_add(amount, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

}  // namespace yxgate::metrics
