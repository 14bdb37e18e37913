#pragma once
// Fixed-bucket histogram (Prometheus histogram). observe() is lock-free: one
// atomic increment for the bucket and one atomic add for the sum.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace yxgate::metrics {

class Histogram {
 public:
  // `upper_bounds`: strictly increasing, finite; the +Inf bucket is implicit.
  // Throws std::invalid_argument otherwise (a programming error at startup).
  explicit Histogram(std::vector<double> upper_bounds);

  void observe(double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;  // == cumulative.back(), so _count always matches le="+Inf"
  };
  Snapshot snapshot() const;
  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Checks `upper_bounds` as the constructor does; throws std::invalid_argument.
void check_bucket_bounds(const std::vector<double>& upper_bounds);

}  // namespace yxgate::metrics
