#pragma once
// Helpers shared by the operations tests (tests/ops): shell commands, the
// Grafana dashboard's PromQL, the metric families yxgate declares.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace yxgate::ops {

std::filesystem::path source_dir();  // the repository root (YXGATE_SOURCE_DIR)
std::string read_text(const std::filesystem::path& path);

struct CommandResult {
  int status = -1;     // exit status, -1 if it did not exit normally
  std::string output;  // stdout and stderr
};
// Runs `command` through /bin/sh (stderr merged into stdout).
CommandResult run_command(const std::string& command);
// Single-quotes `s` for /bin/sh.
std::string shell_quote(std::string_view s);
// The executable `name` on $PATH, or empty.
std::string find_in_path(std::string_view name);

// Every PromQL expression of deploy/grafana/yxgate-dashboard.json: panel
// targets and the metric selectors of template variables (label_values).
struct DashboardQuery {
  std::string where;  // "panel 'Title' A" or "variable job"
  std::string expr;
};
// Throws std::runtime_error when the JSON does not parse or lacks panels.
std::vector<DashboardQuery> dashboard_queries(const std::string& json);

// Metric names an expression selects (identifiers that are not functions,
// keywords, label names, strings, durations or numbers).
std::set<std::string> promql_metric_names(std::string_view expr);
// Grafana's variables replaced so the expression runs on plain Prometheus:
// $__rate_interval -> 1m, $__interval -> 15s, $__range -> 5m, other $var /
// ${var} -> .+ (they only appear in =~ matchers).
std::string substitute_grafana_variables(std::string expr);
// Names of Grafana variables used other than in a `=~"..."` matcher.
std::vector<std::string> variables_outside_regex_matchers(std::string_view expr);

// Families declared in src/metrics (name -> counter|gauge|histogram), read
// from yxgate_metrics.cpp and process_collector.cpp.
std::map<std::string, std::string> declared_metric_families();
// Series names a query may select: families, histogram _bucket/_sum/_count,
// and Prometheus' own `up`.
std::set<std::string> selectable_series_names();

std::string url_encode(std::string_view s);

}  // namespace yxgate::ops
