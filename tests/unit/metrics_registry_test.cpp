// metrics/: the registry on prometheus-cpp, our lock-free histogram behind
// the library's Collectable interface, and the process collector.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "metrics/process_collector.hpp"
#include "metrics/registry.hpp"

namespace yxgate::metrics {
namespace {

TEST(MetricsRegistry, CounterLabelsPrintInDeclaredOrderChildrenSorted) {
  Registry r;
  auto& requests = r.counter("test_requests_total", "Requests handled.", {"route", "code"});
  auto& ok = requests.Add({{"route", "get_message"}, {"code", "200"}});
  ok.Increment();
  ok.Increment(2);
  requests.Add({{"route", "default"}, {"code", "502"}}).Increment();
  // The library alone would print code before route.
  EXPECT_EQ(r.render(),
            "# HELP test_requests_total Requests handled.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{route=\"default\",code=\"502\"} 1\n"
            "test_requests_total{route=\"get_message\",code=\"200\"} 3\n");
}

TEST(MetricsRegistry, UnlabelledFamilyShowsZeroBeforeFirstUse) {
  Registry r;
  r.counter("test_errors_total", "Errors.");
  r.gauge("test_inflight", "In flight.");
  EXPECT_EQ(r.render(),
            "# HELP test_errors_total Errors.\n"
            "# TYPE test_errors_total counter\n"
            "test_errors_total 0\n"
            "# HELP test_inflight In flight.\n"
            "# TYPE test_inflight gauge\n"
            "test_inflight 0\n");
}

TEST(MetricsRegistry, HistogramWithLabelsRendersEveryBucket) {
  Registry r;
  auto& h = r.histogram("test_duration_seconds", "Latency.", {"route"}, {0.005, 0.1, 1});
  auto& child = h.add({"get_message"});
  child.observe(0.001);
  child.observe(0.005);  // le is inclusive
  child.observe(0.05);
  child.observe(3);
  const auto text = r.render();
  for (const char* line : {
           "# TYPE test_duration_seconds histogram\n",
           "test_duration_seconds_bucket{route=\"get_message\",le=\"0.005\"} 2\n",
           "test_duration_seconds_bucket{route=\"get_message\",le=\"0.1\"} 3\n",
           "test_duration_seconds_bucket{route=\"get_message\",le=\"1\"} 3\n",
           "test_duration_seconds_bucket{route=\"get_message\",le=\"+Inf\"} 4\n",
           "test_duration_seconds_sum{route=\"get_message\"} 3.056\n",
           "test_duration_seconds_count{route=\"get_message\"} 4\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "in:\n" << text;
  }
}

TEST(MetricsRegistry, UnlabelledHistogramExistsFromTheStart) {
  Registry r;
  r.histogram("test_batch_size", "Batch.", {}, {1, 10});
  const auto text = r.render();
  EXPECT_NE(text.find("test_batch_size_bucket{le=\"+Inf\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_batch_size_count 0\n"), std::string::npos) << text;
}

TEST(MetricsRegistry, FamiliesSortedByName) {
  Registry r;
  r.gauge("c_gauge", "C.");
  r.histogram("b_seconds", "B.", {}, {1});
  r.counter("a_total", "A.", {"x"}).Add({{"x", "1"}}).Increment();
  const auto text = r.render();
  const auto a = text.find("# HELP a_total");
  const auto b = text.find("# HELP b_seconds");
  const auto c = text.find("# HELP c_gauge");
  ASSERT_NE(c, std::string::npos) << text;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
}

TEST(MetricsRegistry, ChildReferencesAreStable) {
  Registry r;
  auto& family = r.counter("test_total", "T.", {"k"});
  Counter& c = family.Add({{"k", "a"}});
  for (int i = 0; i < 1000; ++i) family.Add({{"k", std::to_string(i)}});  // grow the map
  EXPECT_EQ(&c, &family.Add({{"k", "a"}}));
  auto& h = r.histogram("test_seconds", "T.", {"k"}, {1});
  Histogram& child = h.add({"a"});
  for (int i = 0; i < 1000; ++i) h.add({std::to_string(i)});
  EXPECT_EQ(&child, &h.add({"a"}));
}

TEST(MetricsRegistry, MisuseIsRejected) {
  Registry r;
  r.counter("test_total", "T.", {"k"});
  EXPECT_THROW(r.gauge("test_total", "T.", {"k"}), std::invalid_argument);
  EXPECT_THROW(r.counter("test_total", "T.", {"other"}), std::invalid_argument);
  EXPECT_THROW(r.counter("test_count", "No _total suffix."), std::invalid_argument);
  EXPECT_THROW(r.gauge("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(r.gauge("test_g", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("test_h", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("test_h", "x", {}, {2, 1}), std::invalid_argument);
  r.histogram("test_h2", "x", {}, {1, 2});
  EXPECT_THROW(r.histogram("test_h2", "x", {}, {1, 3}), std::invalid_argument);
  EXPECT_THROW(r.histogram("test_h3", "x", {"k"}, {1}).add({"a", "b"}), std::invalid_argument);
}

TEST(MetricsRegistry, ConcurrentUpdatesGiveExactTotals) {
  Registry r;
  auto& counters = r.counter("test_total", "T.", {"t"});
  Counter& even = counters.Add({{"t", "even"}});
  Counter& odd = counters.Add({{"t", "odd"}});
  auto& hist = r.histogram("test_seconds", "T.", {}, {0.5}).add({});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& mine = t % 2 ? odd : even;
      for (int i = 0; i < kPerThread; ++i) {
        mine.Increment();
        hist.observe(i % 2 ? 1.0 : 0.25);
      }
    });
  }
  for (int i = 0; i < 50; ++i) r.render();  // rendering concurrently is safe
  for (auto& th : threads) th.join();
  EXPECT_EQ(even.Value(), kThreads / 2 * kPerThread);
  EXPECT_EQ(odd.Value(), kThreads / 2 * kPerThread);
  const auto snap = hist.snapshot();
  EXPECT_EQ(snap.count, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(snap.cumulative[0], static_cast<std::uint64_t>(kThreads * kPerThread / 2));
  EXPECT_EQ(snap.sum, kThreads * kPerThread / 2 * 1.25);
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
  EXPECT_EQ(text.find("# TYPE process_open_fds"), text.rfind("# TYPE process_open_fds"));
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
