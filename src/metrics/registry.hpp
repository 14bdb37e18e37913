#pragma once
// The /metrics registry on prometheus-cpp (core): counter and gauge families
// are the library's; histograms are ours (histogram.hpp: the library's
// Histogram::Observe takes a mutex), as is the process collector. render()
// collects all of them and serialises with the library's TextSerializer.
//
// Families are created at startup (yxgate_metrics.cpp is the one list), and
// their children resolved once by the components that use them: a hot path
// holds Counter&, Gauge& and Histogram& and never looks a child up (the
// library's Family::Add takes a mutex).
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/histogram.hpp"

namespace yxgate::metrics {

using Counter = prometheus::Counter;
using Gauge = prometheus::Gauge;
template <class T>
using Family = prometheus::Family<T>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // `label_names` in the order they are printed (today's /metrics and the
  // tests that read it; the library alone would sort them). A counter's
  // name must end in _total (promtool). Invalid or clashing names throw
  // std::invalid_argument: a programming error at startup.
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> label_names = {});
  HistogramFamily& histogram(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names, std::vector<double> buckets);

  // A collector of its own families (process_*). Once per `key`: adding the
  // same key again keeps the first.
  void add_collectable(const std::string& key, std::shared_ptr<prometheus::Collectable> c);

  // Text exposition format 0.0.4: families sorted by name, children by
  // label values, labels in declared order.
  std::string render() const;

  // The process-wide registry behind GET /metrics: the one global mutable object.
  static Registry& global();

 private:
  void declare(const std::string& name, std::vector<std::string> label_names);

  prometheus::Registry families_;
  mutable std::mutex mu_;  // startup and scrapes only, never a request
  std::map<std::string, std::vector<std::string>> label_order_;
  std::map<std::string, std::shared_ptr<prometheus::Collectable>> collectables_;
};

}  // namespace yxgate::metrics
