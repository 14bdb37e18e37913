#pragma once
// The set of metric families /metrics renders (SPEC §8). Registering is done
// at startup; rendering may run concurrently with updates from any thread.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/family.hpp"

namespace yxgate::metrics {

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registering a name again returns the same family. Invalid names, a
  // counter not ending in "_total", or re-registering a name with another
  // type, labels or buckets throw std::invalid_argument (a programming error).
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               std::vector<std::string> label_names, std::vector<double> buckets);

  // Unlabelled values computed when rendering. Registering the name again
  // replaces the callback. The callback must be thread-safe and cheap.
  void gauge_callback(const std::string& name, const std::string& help, std::function<double()> fn);
  void counter_callback(const std::string& name, const std::string& help,
                        std::function<double()> fn);

  // Text exposition format 0.0.4, families sorted by name.
  std::string render() const;

  // The process-wide registry behind GET /metrics: the one global mutable object.
  static Registry& global();

 private:
  template <class F, class Make>
  F& find_or_add(const std::string& name, const std::string& type,
                 const std::vector<std::string>& label_names, Make make);
  void add_callback(const std::string& name, const std::string& help, const std::string& type,
                    std::function<double()> fn);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;
  std::map<std::string, std::vector<double>> histogram_buckets_;
};

}  // namespace yxgate::metrics
