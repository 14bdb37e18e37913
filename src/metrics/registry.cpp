#include "metrics/registry.hpp"

#include <set>

namespace yxgate::metrics {
namespace {

void check_names(const std::string& name, const std::string& type,
                 const std::vector<std::string>& label_names) {
  if (!text::valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  // promtool lints a counter without the suffix.
  if (type == "counter" && !name.ends_with("_total")) {
    throw std::invalid_argument("counter name must end in _total: " + name);
  }
  std::set<std::string> seen;
  for (const auto& label : label_names) {
    if (!text::valid_label_name(label) || (type == "histogram" && label == "le")) {
      throw std::invalid_argument(name + ": invalid label name: " + label);
    }
    if (!seen.insert(label).second)
      throw std::invalid_argument(name + ": duplicate label " + label);
  }
}

}  // namespace

template <class F, class Make>
F& Registry::find_or_add(const std::string& name, const std::string& type,
                         const std::vector<std::string>& label_names, Make make) {
  check_names(name, type, label_names);
  std::lock_guard lock(mu_);
  if (const auto it = families_.find(name); it != families_.end()) {
    auto* existing = dynamic_cast<F*>(it->second.get());
    if (existing == nullptr || existing->type() != type || existing->label_names() != label_names) {
      throw std::invalid_argument(name + ": registered again with another type or labels");
    }
    return *existing;
  }
  auto family = make();
  F& ref = *family;
  families_.emplace(name, std::move(family));
  return ref;
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> label_names) {
  return find_or_add<Family<Counter>>(name, "counter", label_names, [&] {
    return std::make_unique<Family<Counter>>(name, help, "counter", label_names,
                                             [] { return std::make_unique<Counter>(); });
  });
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> label_names) {
  return find_or_add<Family<Gauge>>(name, "gauge", label_names, [&] {
    return std::make_unique<Family<Gauge>>(name, help, "gauge", label_names,
                                           [] { return std::make_unique<Gauge>(); });
  });
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> buckets) {
  check_bucket_bounds(buckets);
  auto& family = find_or_add<Family<Histogram>>(name, "histogram", label_names, [&] {
    return std::make_unique<Family<Histogram>>(name, help, "histogram", label_names, [buckets] {
      return std::make_unique<Histogram>(buckets);
    });
  });
  std::lock_guard lock(mu_);
  const auto [it, inserted] = histogram_buckets_.emplace(name, buckets);
  if (!inserted && it->second != buckets) {
    throw std::invalid_argument(name + ": registered again with other buckets");
  }
  return family;
}

void Registry::add_callback(const std::string& name, const std::string& help,
                            const std::string& type, std::function<double()> fn) {
  check_names(name, type, {});
  std::lock_guard lock(mu_);
  if (const auto it = families_.find(name); it != families_.end()) {
    auto* existing = dynamic_cast<CallbackFamily*>(it->second.get());
    if (existing == nullptr || existing->type() != type) {
      throw std::invalid_argument(name + ": registered again with another type");
    }
    existing->set_callback(std::move(fn));
    return;
  }
  families_.emplace(name, std::make_unique<CallbackFamily>(name, help, type, std::move(fn)));
}

void Registry::gauge_callback(const std::string& name, const std::string& help,
                              std::function<double()> fn) {
  add_callback(name, help, "gauge", std::move(fn));
}

void Registry::counter_callback(const std::string& name, const std::string& help,
                                std::function<double()> fn) {
  add_callback(name, help, "counter", std::move(fn));
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) family->render(out);
  return out;
}

Registry& Registry::global() {
  static Registry registry;
  return registry;
}

}  // namespace yxgate::metrics
