// deploy/grafana/yxgate-dashboard.json: parses, covers what an operator needs,
// and every PromQL expression selects only metrics yxgate declares (SPEC §8,
// src/metrics) plus process_* and up. prometheus_scrape_test.cpp runs the
// same expressions on a real Prometheus.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include "ops/ops_support.hpp"

namespace yxgate::ops {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string dashboard_json() {
  return read_text(source_dir() / "deploy/grafana/yxgate-dashboard.json");
}

TEST(DashboardPromqlTest, MetricNamesOfAnExpression) {
  EXPECT_THAT(
      promql_metric_names(
          R"(sum by (route, code) (rate(yxgate_http_requests_total{job=~"$job",code=~"5.."}[$__rate_interval])))"),
      ElementsAre("yxgate_http_requests_total"));
  EXPECT_THAT(
      promql_metric_names(
          R"(histogram_quantile(0.99, sum by (le) (rate(a_bucket{x="}"}[5m]))) / on (instance) group_left(version) b)"),
      ElementsAre("a_bucket", "b"));
  EXPECT_THAT(promql_metric_names("count(up == 0) or vector(0)"), ElementsAre("up"));
  EXPECT_THAT(promql_metric_names("sum by (decision) (rate(d[1m])) / min without (le) (e)"),
              ElementsAre("d", "e"));
  EXPECT_THAT(promql_metric_names("sum(rate(x[1m] offset 5m)) without (pod) > 1e3"),
              ElementsAre("x"));
  EXPECT_THAT(promql_metric_names("process_open_fds / process_max_fds and on (job) c"),
              ElementsAre("c", "process_max_fds", "process_open_fds"));
}

TEST(DashboardPromqlTest, GrafanaVariablesSubstituted) {
  EXPECT_EQ(
      substitute_grafana_variables(
          R"(rate(x{job=~"$job",instance=~"${instance}"}[$__rate_interval]) + increase(x[$__range]))"),
      R"(rate(x{job=~".+",instance=~".+"}[1m]) + increase(x[5m]))");
  EXPECT_THAT(variables_outside_regex_matchers(R"(x{job=~"$job", pod="$pod"}[$__range])"),
              ElementsAre("pod"));
}

TEST(DashboardTest, JsonParsesWithPanelsAndDatasourceVariable) {
  const auto json = dashboard_json();
  std::vector<DashboardQuery> queries;
  ASSERT_NO_THROW(queries = dashboard_queries(json));
  EXPECT_GE(queries.size(), 20u);
  // Portable across Grafana instances: every panel uses the datasource variable.
  EXPECT_NE(json.find(R"("type": "datasource")"), std::string::npos);
  EXPECT_EQ(json.find(R"("uid": "prometheus")"), std::string::npos);
  const std::regex kDatasourceUid(R"re("uid":\s*"([^"]*)")re");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), kDatasourceUid);
       it != std::sregex_iterator(); ++it) {
    const std::string uid = (*it)[1];
    if (uid != "${datasource}") {
      EXPECT_EQ(uid, "yxgate-overview") << "datasource uid " << uid;
    }
  }
}

TEST(DashboardTest, EveryExpressionSelectsOnlyDeclaredMetrics) {
  const auto allowed = selectable_series_names();
  // The families of SPEC §8 are all declared.
  for (const char* family :
       {"yxgate_http_requests_total", "yxgate_http_request_duration_seconds_bucket",
        "yxgate_upstream_requests_total", "yxgate_upstream_request_duration_seconds_bucket",
        "yxgate_cache_lookups_total", "yxgate_coalesced_requests_total",
        "yxgate_upstream_batch_size_bucket", "yxgate_ratelimit_decisions_total", "yxgate_redis_up",
        "yxgate_redis_errors_total", "yxgate_inflight_requests", "yxgate_cache_local_bytes",
        "yxgate_build_info", "process_resident_memory_bytes", "process_cpu_seconds_total",
        "process_open_fds"}) {
    EXPECT_TRUE(allowed.count(family)) << family << " is not declared in src/metrics";
  }

  // The SPEC, when it sits beside the repository as in development and CI.
  std::string spec_metrics;
  const auto spec_path = source_dir() / "../shared/SPEC.md";
  if (fs::exists(spec_path)) {
    const auto spec = read_text(spec_path);
    const auto begin = spec.find("## 8. Metrics");
    spec_metrics = spec.substr(begin, spec.find("## 9.", begin) - begin);
  }

  std::set<std::string> used;
  for (const auto& q : dashboard_queries(dashboard_json())) {
    ASSERT_FALSE(q.expr.empty()) << q.where << ": empty expression";
    EXPECT_THAT(variables_outside_regex_matchers(q.expr), IsEmpty())
        << q.where << ": variables belong in =~ matchers (All = .+): " << q.expr;
    const auto names = promql_metric_names(q.expr);
    EXPECT_FALSE(names.empty()) << q.where << ": selects no metric: " << q.expr;
    for (const auto& name : names) {
      used.insert(name);
      EXPECT_TRUE(allowed.count(name))
          << q.where << ": unknown metric " << name << " in " << q.expr;
      if (!spec_metrics.empty() && name.starts_with("yxgate_")) {
        const std::string family = std::regex_replace(name, std::regex("_(bucket|sum|count)$"), "");
        EXPECT_NE(spec_metrics.find("`" + family), std::string::npos)
            << q.where << ": " << family << " is not in SPEC §8";
      }
    }
  }

  // Covers what the operator needs (issue 6).
  for (const char* needed :
       {"yxgate_http_requests_total", "yxgate_http_request_duration_seconds_bucket",
        "yxgate_cache_lookups_total", "yxgate_coalesced_requests_total",
        "yxgate_ratelimit_decisions_total", "yxgate_upstream_requests_total", "yxgate_redis_up",
        "yxgate_inflight_requests", "yxgate_cache_local_bytes", "process_resident_memory_bytes",
        "process_cpu_seconds_total"}) {
    EXPECT_TRUE(used.count(needed)) << "no panel shows " << needed;
  }
}

TEST(DashboardTest, LatencyPanelsUseHistogramQuantileOnBuckets) {
  int quantiles = 0;
  for (const auto& q : dashboard_queries(dashboard_json())) {
    const bool uses_buckets = q.expr.find("_bucket") != std::string::npos;
    const bool quantile = q.expr.find("histogram_quantile(") != std::string::npos;
    if (quantile) {
      ++quantiles;
      EXPECT_TRUE(uses_buckets) << q.where;
      EXPECT_NE(q.expr.find("le)"), std::string::npos) << q.where << ": aggregate keeping le";
    }
    if (q.expr.find("yxgate_http_request_duration_seconds_bucket") != std::string::npos) {
      EXPECT_TRUE(quantile) << q.where;
    }
  }
  EXPECT_GE(quantiles, 4);
}

}  // namespace
}  // namespace yxgate::ops
