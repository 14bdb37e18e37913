// The /metrics output of every yxgate family must pass `promtool check metrics` (SPEC §8).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "metrics/process_collector.hpp"
#include "metrics/yxgate_metrics.hpp"

namespace yxgate::metrics {
namespace {

namespace fs = std::filesystem;

std::string find_promtool() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / "promtool";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return {};
}

// Runs `promtool check metrics` on `text`: exit status (-1 if it did not exit) and output.
std::pair<int, std::string> promtool_check(const std::string& promtool, const std::string& text) {
  const fs::path dir = fs::temp_directory_path();
  const fs::path metrics_file = dir / ("yxgate_metrics_" + std::to_string(::getpid()) + ".prom");
  const fs::path output_file = dir / ("yxgate_promtool_" + std::to_string(::getpid()) + ".out");
  std::ofstream(metrics_file, std::ios::binary) << text;
  const std::string cmd = "'" + promtool + "' check metrics < '" + metrics_file.string() + "' > '" +
                          output_file.string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream out_stream(output_file);
  std::string output((std::istreambuf_iterator<char>(out_stream)), {});
  fs::remove(metrics_file);
  fs::remove(output_file);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::move(output)};
}

// Through the structs the components use, as a request would.
void exercise(YxgateMetrics& m) {
  using router::RouteClass;
  HttpMetrics http(m);
  http.record(RouteClass::kGetMessage, "hit", 200, 0.0004);
  http.record(RouteClass::kGetMessage, "hit", 200, 12);
  http.record(RouteClass::kBatchMessages, "partial", 200, 0.01);
  http.record(RouteClass::kGetMessage, "coalesced", 200, 0.02);
  http.record(RouteClass::kNone, "none", 404, 0.0001);
  UpstreamMetrics upstream(m);
  upstream.requests(RouteClass::kBatchMessages, UpstreamOutcome::kOk).Increment();
  upstream.requests(RouteClass::kGetMessage, UpstreamOutcome::kAuthError).Increment();
  upstream.duration(RouteClass::kBatchMessages).observe(0.03);
  CacheLookupMetrics lookups(m);
  lookups.lookups(CacheLayer::kLocal, LookupResult::kHit).Increment();
  lookups.lookups(CacheLayer::kRedis, LookupResult::kNegativeHit).Increment();
  m.upstream_batch_size.observe(17);
  RateLimitMetrics limits(m, "default");
  limits.decisions(RouteClass::kGetMessage, ratelimit::Decision::kDelayed).Increment();
  m.redis_up.Set(1);
  m.redis_errors_total.Increment();
  m.inflight_requests.Increment();
  m.cache_local_bytes.Set(123456);
  m.idempotent_replays_total.Increment();
  m.idempotent_joins_total.Increment(2);
  m.time_index_entries.Set(42);
  m.time_index_hits.Increment(3);
  m.time_index_misses.Increment();
}

TEST(MetricsPromtool, AllYxgateFamiliesPassPromtoolCheck) {
  const std::string promtool = find_promtool();
  ASSERT_FALSE(promtool.empty())
      << "promtool not found on PATH: install it with "
         "`apt-get install -y --no-install-recommends prometheus` (Debian package prometheus)";

  Registry registry;
  add_process_metrics(registry);
  YxgateMetrics metrics(registry);
  exercise(metrics);
  const std::string text = registry.render();
  for (const char* family : {"yxgate_http_requests_total",
                             "yxgate_http_request_duration_seconds",
                             "yxgate_upstream_requests_total",
                             "yxgate_upstream_request_duration_seconds",
                             "yxgate_cache_lookups_total",
                             "yxgate_coalesced_requests_total",
                             "yxgate_upstream_batch_size",
                             "yxgate_ratelimit_decisions_total",
                             "yxgate_redis_up",
                             "yxgate_redis_errors_total",
                             "yxgate_redis_redirects_total",
                             "yxgate_redis_failovers_total",
                             "yxgate_inflight_requests",
                             "yxgate_cache_local_bytes",
                             "yxgate_idempotent_replays_total",
                             "yxgate_idempotent_joins_total",
                             "yxgate_time_index_entries",
                             "yxgate_time_index_lookups_total",
                             "yxgate_build_info",
                             "process_resident_memory_bytes",
                             "process_cpu_seconds_total",
                             "process_open_fds"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
  EXPECT_NE(text.find("yxgate_build_info{version=\""), std::string::npos);

  const auto [status, output] = promtool_check(promtool, text);
  EXPECT_EQ(status, 0) << "promtool says:\n" << output << "\nmetrics:\n" << text;
}

TEST(MetricsPromtool, FreshRegistryWithNoSamplesYetPassesPromtoolCheck) {
  const std::string promtool = find_promtool();
  ASSERT_FALSE(promtool.empty())
      << "promtool not found on PATH: install the Debian package "
         "prometheus (apt-get install -y --no-install-recommends prometheus)";
  Registry registry;
  YxgateMetrics metrics(registry);
  const std::string text = registry.render();
  const auto [status, output] = promtool_check(promtool, text);
  EXPECT_EQ(status, 0) << "promtool says:\n" << output << "\nmetrics:\n" << text;
}

TEST(MetricsPromtool, ExercisedValuesAppearWithTheirLabels) {
  Registry registry;
  YxgateMetrics metrics(registry);
  exercise(metrics);
  const std::string text = registry.render();
  for (const char* line : {
           "yxgate_http_requests_total{route=\"get_message\",code=\"200\",cache=\"hit\"} 2\n",
           "yxgate_http_requests_total{route=\"none\",code=\"404\",cache=\"none\"} 1\n",
           "yxgate_http_request_duration_seconds_count{route=\"get_message\"} 3\n",
           "yxgate_coalesced_requests_total 1\n",
           "yxgate_upstream_requests_total{route=\"get_message\",outcome=\"auth_error\"} 1\n",
           "yxgate_upstream_requests_total{route=\"get_message\",outcome=\"ok\"} 0\n",
           "yxgate_cache_lookups_total{layer=\"redis\",result=\"negative_hit\"} 1\n",
           "yxgate_ratelimit_decisions_total{app=\"default\",route=\"get_message\",decision="
           "\"delayed\"} 1\n",
           "yxgate_time_index_lookups_total{result=\"hit\"} 3\n",
           "yxgate_idempotent_joins_total 2\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "in:\n" << text;
  }
  // Only the codes seen are children.
  EXPECT_EQ(text.find("code=\"500\""), std::string::npos);
}

TEST(MetricsPromtool, GlobalInstanceIsShared) {
  YxgateMetrics& a = yxgate_metrics();
  YxgateMetrics& b = yxgate_metrics();
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.redis_up, &b.redis_up);
  const auto text = Registry::global().render();
  EXPECT_NE(text.find("process_open_fds"), std::string::npos);
  EXPECT_NE(text.find("yxgate_redis_up 0"), std::string::npos);
}

}  // namespace
}  // namespace yxgate::metrics
