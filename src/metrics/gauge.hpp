#pragma once
// A value that goes up and down (Prometheus gauge). Lock-free.
#include <atomic>

namespace yxgate::metrics {

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v = 1.0) { value_.fetch_add(v, std::memory_order_relaxed); }
  void sub(double v = 1.0) { value_.fetch_sub(v, std::memory_order_relaxed); }
  void inc() { add(1.0); }
  void dec() { sub(1.0); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

}  // namespace yxgate::metrics
