#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metrics/process_collector.hpp"
#include "metrics/registry.hpp"

namespace yxgate::metrics {
namespace {

TEST(MetricsRegistry, CounterWithLabelsRendersExactText) {
  Registry r;
  auto& requests = r.counter("test_requests_total", "Requests handled.", {"route", "code"});
  requests.with({"get_message", "200"}).inc();
  requests.with({"get_message", "200"}).inc(2);
  requests.with({"default", "502"}).inc();
  EXPECT_EQ(r.render(),
            "# HELP test_requests_total Requests handled.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{route=\"default\",code=\"502\"} 1\n"
            "test_requests_total{route=\"get_message\",code=\"200\"} 3\n");
}

TEST(MetricsRegistry, CounterIgnoresNegativeIncrements) {
  Counter c;
  c.inc(2.5);
  c.inc(-1);
  EXPECT_EQ(c.value(), 2.5);
}

TEST(MetricsRegistry, GaugeSetAddSubRendersExactText) {
  Registry r;
  auto& g = r.gauge("test_inflight", "In flight.").with({});
  g.set(10);
  g.add(2.5);
  g.sub(0.5);
  g.dec();
  EXPECT_EQ(r.render(),
            "# HELP test_inflight In flight.\n"
            "# TYPE test_inflight gauge\n"
            "test_inflight 11\n");
}

TEST(MetricsRegistry, UnlabelledFamilyShowsZeroBeforeFirstUse) {
  Registry r;
  r.counter("test_errors_total", "Errors.");
  EXPECT_EQ(r.render(),
            "# HELP test_errors_total Errors.\n"
            "# TYPE test_errors_total counter\n"
            "test_errors_total 0\n");
}

TEST(MetricsRegistry, HistogramWithLabelsRendersExactText) {
  Registry r;
  auto& h = r.histogram("test_duration_seconds", "Latency.", {"route"}, {0.005, 0.1, 1});
  auto& child = h.with({"get_message"});
  child.observe(0.001);
  child.observe(0.005);  // le is inclusive
  child.observe(0.05);
  child.observe(3);
  EXPECT_EQ(r.render(),
            "# HELP test_duration_seconds Latency.\n"
            "# TYPE test_duration_seconds histogram\n"
            "test_duration_seconds_bucket{route=\"get_message\",le=\"0.005\"} 2\n"
            "test_duration_seconds_bucket{route=\"get_message\",le=\"0.1\"} 3\n"
            "test_duration_seconds_bucket{route=\"get_message\",le=\"1\"} 3\n"
            "test_duration_seconds_bucket{route=\"get_message\",le=\"+Inf\"} 4\n"
            "test_duration_seconds_sum{route=\"get_message\"} 3.056\n"
            "test_duration_seconds_count{route=\"get_message\"} 4\n");
}

TEST(MetricsRegistry, UnlabelledHistogram) {
  Registry r;
  r.histogram("test_batch_size", "Batch.", {}, {1, 10}).with({}).observe(7);
  EXPECT_EQ(r.render(),
            "# HELP test_batch_size Batch.\n"
            "# TYPE test_batch_size histogram\n"
            "test_batch_size_bucket{le=\"1\"} 0\n"
            "test_batch_size_bucket{le=\"10\"} 1\n"
            "test_batch_size_bucket{le=\"+Inf\"} 1\n"
            "test_batch_size_sum 7\n"
            "test_batch_size_count 1\n");
}

TEST(MetricsRegistry, LabelValuesAndHelpAreEscaped) {
  Registry r;
  r.counter("test_escape_total", "Back\\slash and\nnewline \"quotes\" stay.", {"v"})
      .with({"a\\b\"c\nd"})
      .inc();
  EXPECT_EQ(r.render(),
            "# HELP test_escape_total Back\\\\slash and\\nnewline \"quotes\" stay.\n"
            "# TYPE test_escape_total counter\n"
            "test_escape_total{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsRegistry, FamiliesSortedByNameEachWithOneHeader) {
  Registry r;
  r.gauge("b_gauge", "B.");
  r.counter("a_total", "A.", {"x"}).with({"1"}).inc();
  r.counter("a_total", "A.", {"x"}).with({"2"}).inc();
  EXPECT_EQ(r.render(),
            "# HELP a_total A.\n"
            "# TYPE a_total counter\n"
            "a_total{x=\"1\"} 1\n"
            "a_total{x=\"2\"} 1\n"
            "# HELP b_gauge B.\n"
            "# TYPE b_gauge gauge\n"
            "b_gauge 0\n");
}

TEST(MetricsRegistry, SameNameReturnsSameFamilyAndChildReferencesAreStable) {
  Registry r;
  auto& f1 = r.counter("test_total", "T.", {"k"});
  auto& f2 = r.counter("test_total", "T.", {"k"});
  EXPECT_EQ(&f1, &f2);
  Counter& c = f1.with({"a"});
  for (int i = 0; i < 1000; ++i) f1.with({std::to_string(i)});  // grow the map
  EXPECT_EQ(&c, &f2.with({"a"}));
}

TEST(MetricsRegistry, MisuseIsRejected) {
  Registry r;
  r.counter("test_total", "T.", {"k"});
  EXPECT_THROW(r.gauge("test_total", "T.", {"k"}), std::invalid_argument);
  EXPECT_THROW(r.counter("test_total", "T.", {"other"}), std::invalid_argument);
  EXPECT_THROW(r.counter("test_total", "T.", {"k"}).with({"a", "b"}), std::invalid_argument);
  EXPECT_THROW(r.counter("test_count", "No _total suffix."), std::invalid_argument);
  EXPECT_THROW(r.gauge("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(r.gauge("test_g", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("test_h", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("test_h", "x", {}, {2, 1}), std::invalid_argument);
  r.histogram("test_h2", "x", {}, {1, 2});
  EXPECT_THROW(r.histogram("test_h2", "x", {}, {1, 3}), std::invalid_argument);
}

TEST(MetricsRegistry, CallbackGaugeComputedAtRenderTime) {
  Registry r;
  double bytes = 1;
  r.gauge_callback("test_cache_bytes", "Bytes.", [&] { return bytes; });
  bytes = 4096;
  EXPECT_EQ(r.render(),
            "# HELP test_cache_bytes Bytes.\n"
            "# TYPE test_cache_bytes gauge\n"
            "test_cache_bytes 4096\n");
  r.gauge_callback("test_cache_bytes", "Bytes.", [] { return 0.25; });  // replaces
  EXPECT_NE(r.render().find("test_cache_bytes 0.25\n"), std::string::npos);
}

TEST(MetricsRegistry, ValueFormatting) {
  EXPECT_EQ(text::format_value(0), "0");
  EXPECT_EQ(text::format_value(100), "100");
  EXPECT_EQ(text::format_value(1e6), "1000000");
  EXPECT_EQ(text::format_value(0.0005), "0.0005");
  EXPECT_EQ(text::format_value(2.5), "2.5");
  EXPECT_EQ(text::format_value(-3), "-3");
  EXPECT_EQ(text::format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(text::format_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(text::format_value(0.0 / 0.0), "NaN");
}

TEST(MetricsRegistry, ConcurrentUpdatesGiveExactTotals) {
  Registry r;
  auto& counters = r.counter("test_total", "T.", {"t"});
  auto& hist = r.histogram("test_seconds", "T.", {}, {0.5}).with({});
  auto& gauge = r.gauge("test_gauge", "T.").with({});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& mine = counters.with({t % 2 ? "odd" : "even"});  // lookups race too
      for (int i = 0; i < kPerThread; ++i) {
        mine.inc();
        counters.with({"shared"}).inc(0.5);
        hist.observe(i % 2 ? 1.0 : 0.25);
        gauge.add(1);
        gauge.sub(1);
      }
    });
  }
  for (int i = 0; i < 50; ++i) r.render();  // rendering concurrently is safe
  for (auto& th : threads) th.join();
  EXPECT_EQ(counters.with({"even"}).value(), kThreads / 2 * kPerThread);
  EXPECT_EQ(counters.with({"odd"}).value(), kThreads / 2 * kPerThread);
  EXPECT_EQ(counters.with({"shared"}).value(), kThreads * kPerThread * 0.5);
  const auto snap = hist.snapshot();
  EXPECT_EQ(snap.count, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(snap.cumulative[0], static_cast<std::uint64_t>(kThreads * kPerThread / 2));
  EXPECT_EQ(snap.sum, kThreads * kPerThread / 2 * 1.25);
  EXPECT_EQ(gauge.value(), 0);
}

// Value of an unlabelled sample line "name value" in rendered text.
double sample_value(const std::string& text, const std::string& name) {
  const auto pos = text.find("\n" + name + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(text.substr(pos + name.size() + 2));
}

TEST(MetricsProcess, ProcessMetricsPresentAndPlausible) {
  Registry r;
  add_process_metrics(r);
  add_process_metrics(r);  // idempotent
  // Burn a little CPU so the counter is visibly non-negative and finite.
  volatile double x = 0;
  for (int i = 0; i < 1'000'000; ++i) x = x + i;
  const std::string text = r.render();
  const double rss = sample_value(text, "process_resident_memory_bytes");
  const double vsz = sample_value(text, "process_virtual_memory_bytes");
  EXPECT_GT(rss, 1 << 20);
  EXPECT_LT(rss, 16.0 * (1ull << 30));
  EXPECT_GE(vsz, rss);
  const double cpu = sample_value(text, "process_cpu_seconds_total");
  EXPECT_GE(cpu, 0);
  EXPECT_LT(cpu, 3600);
  const double fds = sample_value(text, "process_open_fds");
  EXPECT_GE(fds, 3);  // stdin, stdout, stderr
  EXPECT_LE(fds, sample_value(text, "process_max_fds"));
  const double start = sample_value(text, "process_start_time_seconds");
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 24 * 3600);  // the test binary started less than a day ago
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_open_fds gauge\n"), std::string::npos);
}

}  // namespace
}  // namespace yxgate::metrics
