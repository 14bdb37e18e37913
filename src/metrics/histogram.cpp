#include "metrics/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace yxgate::metrics {

void check_bucket_bounds(const std::vector<double>& upper_bounds) {
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i])) {
      throw std::invalid_argument("histogram bucket bounds must be finite (+Inf is implicit)");
    }
    if (i > 0 && !(upper_bounds[i - 1] < upper_bounds[i])) {
      throw std::invalid_argument("histogram bucket bounds must be strictly increasing");
    }
  }
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  check_bucket_bounds(bounds_);
}

void Histogram::observe(double value) {
  if (std::isnan(value)) return;  // would poison _sum for good
  // le is inclusive: a value equal to a bound falls into that bound's bucket.
  const auto index = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)) {
  check_bucket_bounds(buckets_);
  // Without labels there is exactly one child: it shows as 0 from the start.
  if (label_names_.empty()) add({});
}

Histogram& HistogramFamily::add(const std::vector<std::string>& label_values) {
  if (label_values.size() != label_names_.size()) {
    throw std::invalid_argument(name_ + ": expected " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(label_values.size()));
  }
  std::lock_guard lock(mu_);
  auto& child = children_[label_values];
  if (!child) child = std::make_unique<Histogram>(buckets_);
  return *child;
}

std::vector<prometheus::MetricFamily> HistogramFamily::Collect() const {
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = prometheus::MetricType::Histogram;
  std::lock_guard lock(mu_);
  family.metric.reserve(children_.size());
  for (const auto& [values, child] : children_) {
    prometheus::ClientMetric metric;
    for (std::size_t i = 0; i < values.size(); ++i) {
      metric.label.push_back({label_names_[i], values[i]});
    }
    const auto snap = child->snapshot();
    metric.histogram.sample_count = snap.count;
    metric.histogram.sample_sum = snap.sum;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      metric.histogram.bucket.push_back({snap.cumulative[i], buckets_[i]});
    }
    metric.histogram.bucket.push_back({snap.count, std::numeric_limits<double>::infinity()});
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

}  // namespace yxgate::metrics
