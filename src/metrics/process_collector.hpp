#pragma once
// Standard process_* metrics (Prometheus client conventions), read from
// /proc/self at render time. prometheus-cpp 1.0 core has no process
// collector: this is one, as a prometheus::Collectable.
#include <optional>

#include "metrics/registry.hpp"

namespace yxgate::metrics {

struct ProcessStats {
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double cpu_seconds_total = 0;   // user + system
  double start_time_seconds = 0;  // since the Unix epoch
};

// Parsed /proc/self/stat (+ btime from /proc/stat); nullopt if unreadable.
std::optional<ProcessStats> read_process_stats();
double count_open_fds();
double max_fds();

// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_cpu_seconds_total, process_open_fds, process_max_fds,
// process_start_time_seconds. Idempotent.
void add_process_metrics(Registry& registry);

}  // namespace yxgate::metrics
