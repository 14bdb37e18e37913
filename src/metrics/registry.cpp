#include "metrics/registry.hpp"

#include <prometheus/check_names.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace yxgate::metrics {
namespace {

void check_names(const std::string& name, std::string_view type,
                 const std::vector<std::string>& label_names) {
  if (!prometheus::CheckMetricName(name))
    throw std::invalid_argument("invalid metric name: " + name);
  // promtool lints a counter without the suffix.
  if (type == "counter" && !name.ends_with("_total")) {
    throw std::invalid_argument("counter name must end in _total: " + name);
  }
  std::set<std::string> seen;
  for (const auto& label : label_names) {
    if (!prometheus::CheckLabelName(label) || (type == "histogram" && label == "le")) {
      throw std::invalid_argument(name + ": invalid label name: " + label);
    }
    if (!seen.insert(label).second)
      throw std::invalid_argument(name + ": duplicate label " + label);
  }
}

// Position of each label in the declared order; unknown ones (none today) last.
void order_labels(prometheus::MetricFamily& family, const std::vector<std::string>& order) {
  auto rank = [&](const prometheus::ClientMetric::Label& l) {
    return std::find(order.begin(), order.end(), l.name) - order.begin();
  };
  for (auto& metric : family.metric) {
    std::stable_sort(metric.label.begin(), metric.label.end(),
                     [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  }
  // The library keeps children in a hash map: sort them for a stable output.
  std::sort(family.metric.begin(), family.metric.end(), [](const auto& a, const auto& b) {
    return std::lexicographical_compare(
        a.label.begin(), a.label.end(), b.label.begin(), b.label.end(),
        [](const auto& x, const auto& y) { return x.value < y.value; });
  });
}

}  // namespace

Registry::Registry() : families_(prometheus::Registry::InsertBehavior::Merge) {}
Registry::~Registry() = default;

void Registry::declare(const std::string& name, std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  const auto [it, inserted] = label_order_.emplace(name, label_names);
  if (!inserted && it->second != label_names) {
    throw std::invalid_argument(name + ": registered again with other labels");
  }
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> label_names) {
  check_names(name, "counter", label_names);
  declare(name, label_names);
  auto& family = prometheus::BuildCounter().Name(name).Help(help).Register(families_);
  // A family without labels has exactly one child: it shows as 0 from the start.
  if (label_names.empty()) family.Add({});
  return family;
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> label_names) {
  check_names(name, "gauge", label_names);
  declare(name, label_names);
  auto& family = prometheus::BuildGauge().Name(name).Help(help).Register(families_);
  if (label_names.empty()) family.Add({});
  return family;
}

HistogramFamily& Registry::histogram(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> buckets) {
  check_names(name, "histogram", label_names);
  declare(name, label_names);
  std::lock_guard lock(mu_);
  if (const auto it = collectables_.find(name); it != collectables_.end()) {
    auto* existing = dynamic_cast<HistogramFamily*>(it->second.get());
    if (existing == nullptr || existing->buckets() != buckets) {
      throw std::invalid_argument(name + ": registered again with another type or buckets");
    }
    return *existing;
  }
  auto family =
      std::make_shared<HistogramFamily>(name, help, std::move(label_names), std::move(buckets));
  collectables_.emplace(name, family);
  return *family;
}

void Registry::add_collectable(const std::string& key, std::shared_ptr<prometheus::Collectable> c) {
  std::lock_guard lock(mu_);
  collectables_.emplace(key, std::move(c));
}

std::string Registry::render() const {
  auto families = families_.Collect();
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, c] : collectables_) {
      for (auto& f : c->Collect()) families.push_back(std::move(f));
    }
    for (auto& family : families) {
      if (const auto it = label_order_.find(family.name); it != label_order_.end()) {
        order_labels(family, it->second);
      }
    }
  }
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return prometheus::TextSerializer().Serialize(families);
}

Registry& Registry::global() {
  static Registry registry;
  return registry;
}

}  // namespace yxgate::metrics
