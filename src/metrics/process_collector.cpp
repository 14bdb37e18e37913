#include "metrics/process_collector.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace yxgate::metrics {
namespace {

std::optional<double> boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessStats> read_process_stats() {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // Field 2 (comm) is in parentheses and may itself hold spaces or ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (state) of proc(5)
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 22) return std::nullopt;
  auto field = [&](int number) { return std::stod(fields[static_cast<std::size_t>(number - 3)]); };

  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessStats s;
  s.cpu_seconds_total = (field(14) + field(15)) / ticks;  // utime + stime
  s.virtual_memory_bytes = field(23);
  s.resident_memory_bytes = field(24) * page;
  if (const auto btime = boot_time_seconds()) s.start_time_seconds = *btime + field(22) / ticks;
  return s;
}

double count_open_fds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n;
}

double max_fds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return NAN;
  return limit.rlim_cur == RLIM_INFINITY ? INFINITY : static_cast<double>(limit.rlim_cur);
}

namespace {

// One unlabelled sample. Named as Registry's makers are, so a reader (and
// tests/ops' dashboard check) finds every declaration the same way.
prometheus::MetricFamily sample(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family{std::move(name), std::move(help), type, {}};
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
  return family;
}
prometheus::MetricFamily gauge(std::string name, std::string help, double value) {
  return sample(std::move(name), std::move(help), prometheus::MetricType::Gauge, value);
}
prometheus::MetricFamily counter(std::string name, std::string help, double value) {
  return sample(std::move(name), std::move(help), prometheus::MetricType::Counter, value);
}

class ProcessCollector final : public prometheus::Collectable {
 public:
  // The start time never changes: read it once.
  ProcessCollector() {
    const auto s = read_process_stats();
    start_ = s ? s->start_time_seconds : NAN;
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    const auto s = read_process_stats();
    auto stat = [&](double ProcessStats::*member) { return s ? (*s).*member : NAN; };
    return {
        gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
              stat(&ProcessStats::resident_memory_bytes)),
        gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
              stat(&ProcessStats::virtual_memory_bytes)),
        counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                stat(&ProcessStats::cpu_seconds_total)),
        gauge("process_open_fds", "Number of open file descriptors.", count_open_fds()),
        gauge("process_max_fds", "Maximum number of open file descriptors.", max_fds()),
        gauge("process_start_time_seconds",
              "Start time of the process since unix epoch in seconds.", start_),
    };
  }

 private:
  double start_ = NAN;
};

}  // namespace

void add_process_metrics(Registry& registry) {
  registry.add_collectable("process", std::make_shared<ProcessCollector>());
}

}  // namespace yxgate::metrics
