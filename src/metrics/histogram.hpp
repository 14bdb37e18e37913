#pragma once
// Fixed-bucket histogram, lock-free: prometheus-cpp 1.0's Histogram::Observe
// takes a mutex per observation (every request observes one), so ours stays
// and is exposed through the library's Collectable interface. observe() is
// one atomic increment for the bucket and one atomic add for the sum.
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
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

// One histogram family: a child per distinct combination of label values.
class HistogramFamily final : public prometheus::Collectable {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> buckets);

  // The child for these values (label-name order), created on first call;
  // the reference lives as long as the family. Takes a mutex: resolve at
  // construction, never per request. Wrong arity: std::invalid_argument.
  Histogram& add(const std::vector<std::string>& label_values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& buckets() const { return buckets_; }

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> buckets_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Histogram>> children_;
};

}  // namespace yxgate::metrics
