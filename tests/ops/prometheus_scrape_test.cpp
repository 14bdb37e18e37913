// A real Prometheus scrapes a real yxgate (in front of the emulator): the
// target comes up, the request counter adds up to the requests made, every
// Grafana dashboard expression runs without a query error, and
// `promtool check metrics` accepts the /metrics body after traffic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "e2e/gateway_test_env.hpp"
#include "ops/ops_support.hpp"

namespace yxgate::ops {
namespace {

using namespace std::chrono_literals;
using testing::ChildOptions;
using testing::ChildProcess;
using testing::GatewayTest;
using testing::HttpResponse;
using testing::TestDir;

// Calls `done` every 100 ms until it returns true or `timeout` passes.
bool poll_until(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

// Sum of every sample of `family` (no suffix) in Prometheus text format.
double sum_samples(const std::string& text, const std::string& family) {
  const std::regex line_re("^" + family + R"((\{[^}]*\})? (\S+)$)");
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, line_re)) sum += std::stod(m[2]);
  }
  return sum;
}

class PrometheusScrapeTest : public GatewayTest {
 protected:
  void SetUp() override {
    dir_ = std::make_shared<TestDir>();
    testing::GatewayOptions options;
    options.dir = dir_;
    start(std::move(options));
  }

  HttpResponse post(std::string_view target, std::string_view body) {
    return testing::request(gateway().port(), "POST", target,
                            {{"Content-Type", "application/json"}}, body);
  }

  // A few requests of different kinds; returns how many were answered.
  int drive_traffic() {
    const std::string messages = "/im/v2/conversations/alice%7C1%7Cbob/messages/";
    std::vector<HttpResponse> responses;
    responses.push_back(get(messages + "5"));  // miss
    responses.push_back(get(messages + "5"));  // hit
    responses.push_back(get(messages + "7?message_time=" +
                            std::to_string(testing::seeded_create_time(7))));  // via the batcher
    responses.push_back(get(messages + "0"));                                  // 414, not upstream
    responses.push_back(get("/not/routed"));                                   // 404
    responses.push_back(post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
                             R"({"messages":[{"message_server_id":9,"create_time":)" +
                                 std::to_string(testing::seeded_create_time(9)) + "}]}"));
    responses.push_back(get("/im/v2/conversations/alice%7C1%7Cbob/messages/9"));  // hit from batch
    int answered = 0;
    for (const auto& r : responses) {
      EXPECT_TRUE(r.ok()) << r.error;
      if (r.ok()) ++answered;
    }
    return answered;
  }

  void start_prometheus() {
    const auto binary = find_in_path("prometheus");
    ASSERT_FALSE(binary.empty()) << "prometheus not on PATH (scripts/install-deps.sh installs it)";
    const auto config = dir_->path() / "prometheus.yml";
    std::ofstream(config) << "global:\n"
                             "  scrape_interval: 1s\n"
                             "  scrape_timeout: 900ms\n"
                             "  evaluation_interval: 1s\n"
                             "scrape_configs:\n"
                             "  - job_name: yxgate\n"
                             "    metrics_path: /metrics\n"
                             "    static_configs:\n"
                             "      - targets: ['127.0.0.1:"
                          << gateway().admin_port() << "']\n";
    // free_port() can race with another process: try a few ports.
    for (int attempt = 0; attempt < 3; ++attempt) {
      prometheus_port_ = testing::free_port();
      prometheus_ = std::make_unique<ChildProcess>(ChildOptions{
          .binary = binary,
          .args = {"--config.file=" + config.string(),
                   "--storage.tsdb.path=" + (dir_->path() / "tsdb").string(),
                   "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_),
                   "--log.level=info"},
          .name = "prometheus",
          .dir = dir_});
      if (prometheus_->wait_for_line("Server is ready to receive web requests", 60s)) return;
      const auto log = prometheus_->read_stderr();
      prometheus_.reset();  // stopped by pid
      if (log.find("address already in use") == std::string::npos) {
        FAIL() << "prometheus did not start:\n" << log;
      }
    }
    FAIL() << "prometheus: no free port after 3 attempts";
  }

  // GET /api/v1/query; the raw JSON body.
  std::string query(const std::string& expr) {
    const auto r =
        testing::request(prometheus_port_, "GET", "/api/v1/query?query=" + url_encode(expr));
    if (!r.ok()) return R"({"status":"error","error":")" + r.error + "\"}";
    return r.body;
  }
  std::optional<double> query_scalar(const std::string& expr) {
    const auto body = query(expr);
    if (testing::json_get_string(body, "/status") != "success") return std::nullopt;
    const auto value = testing::json_get_string(body, "/data/result/0/value/1");
    if (!value) return std::nullopt;
    return std::stod(*value);
  }

  std::shared_ptr<TestDir> dir_;
  std::unique_ptr<ChildProcess> prometheus_;
  std::uint16_t prometheus_port_ = 0;
};

TEST_F(PrometheusScrapeTest, PromtoolAcceptsMetricsAfterTraffic) {
  const int requests = drive_traffic();
  ASSERT_EQ(requests, 7);
  const auto metrics = testing::request(gateway().admin_port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.error;
  EXPECT_EQ(sum_samples(metrics.body, "yxgate_http_requests_total"), requests) << metrics.body;

  const auto promtool = find_in_path("promtool");
  ASSERT_FALSE(promtool.empty()) << "promtool not on PATH (Debian package prometheus)";
  const auto file = dir_->path() / "metrics.prom";
  std::ofstream(file, std::ios::binary) << metrics.body;
  const auto r =
      run_command(shell_quote(promtool) + " check metrics < " + shell_quote(file.string()));
  EXPECT_EQ(r.status, 0) << r.output << "\n" << metrics.body;
}

TEST_F(PrometheusScrapeTest, PrometheusScrapesAndDashboardQueriesRun) {
  const int requests = drive_traffic();
  ASSERT_EQ(requests, 7);
  ASSERT_NO_FATAL_FAILURE(start_prometheus());

  // The target is up.
  EXPECT_TRUE(poll_until(30s, [&] { return query_scalar(R"(up{job="yxgate"})") == 1.0; }))
      << query(R"(up{job="yxgate"})") << "\n"
      << prometheus_->read_stderr();

  // Every request was counted once; scrapes of /metrics are not requests.
  std::optional<double> total;
  EXPECT_TRUE(poll_until(15s,
                         [&] {
                           total = query_scalar(R"(sum(yxgate_http_requests_total{job="yxgate"}))");
                           return total == static_cast<double>(requests);
                         }))
      << "sum(yxgate_http_requests_total) = " << (total ? std::to_string(*total) : "none");

  // rate() needs two samples in its window: wait for a few scrapes.
  EXPECT_TRUE(poll_until(30s, [&] {
    return query_scalar(R"(count_over_time(up{job="yxgate"}[1m]))").value_or(0) >= 3;
  }));

  // Every dashboard expression is valid PromQL here; those that select only by
  // job/instance and only series yxgate already exports return data.
  const auto scraped = testing::request(gateway().admin_port(), "GET", "/metrics").body;
  const std::regex kMatcher(R"(\{[^}]*\})");
  const std::string kDashboardSelector = R"({job=~".+",instance=~".+"})";
  int with_data = 0;
  const auto queries =
      dashboard_queries(read_text(source_dir() / "deploy/grafana/yxgate-dashboard.json"));
  ASSERT_FALSE(queries.empty());
  for (const auto& q : queries) {
    const auto expr = substitute_grafana_variables(q.expr);
    const auto body = query(expr);
    EXPECT_EQ(testing::json_get_string(body, "/status"), "success")
        << q.where << "\n  " << expr << "\n  " << body;

    bool plain = true;
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kMatcher);
         it != std::sregex_iterator(); ++it) {
      plain = plain && it->str() == kDashboardSelector;
    }
    for (const auto& name : promql_metric_names(expr)) {
      plain = plain && (name == "up" || scraped.find("\n" + name) != std::string::npos);
    }
    if (plain && q.where.starts_with("panel")) {
      EXPECT_GT(testing::json_array_size(body, "/data/result").value_or(0), 0u)
          << q.where << ": no data\n  " << expr << "\n  " << body;
      ++with_data;
    }
  }
  EXPECT_GE(with_data, 10);
}

}  // namespace
}  // namespace yxgate::ops
