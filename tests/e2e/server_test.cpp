// The listener itself: limits, malformed HTTP, keep-alive, admin endpoints
// and draining on SIGTERM (SPEC §1, §5, §9).
#include <csignal>
#include <future>
#include <thread>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

constexpr std::string_view kMessage = "/im/v2/conversations/alice%7C1%7Cbob/messages/1001";

class Server : public GatewayTest {
 protected:
  void expect_graceful_drain(int signo, std::string_view name);
};

TEST_F(Server, BodyOverTheLimitGets413AndNothingGoesUpstream) {
  start({.server_yaml = "  max_body_bytes: 1KiB\n"});
  const auto res = request(gateway().port(), "POST", "/im/v2/messages/actions/modifyMsg",
                           {{"Content-Type", "application/json"}}, std::string(2000, 'x'));
  ASSERT_TRUE(res.ok()) << res.error;
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(json_get_int(res.body, "/code"), 414) << res.body;
  EXPECT_EQ(res.header("X-Yxgate-Error"), "body_too_large");
  EXPECT_EQ(emulator().total_requests(), 0);
}

TEST_F(Server, ChunkedBodyOverTheLimitGets413) {
  start({.server_yaml = "  max_body_bytes: 1KiB\n"});
  std::string raw =
      "POST /im/v2/messages/actions/modifyMsg HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw += "200\r\n" + std::string(512, 'x') + "\r\n";
  raw += "0\r\n\r\n";
  const auto reply = raw_exchange(gateway().port(), raw);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply;
}

TEST_F(Server, MalformedHttpGets400AndOthersAreStillServed) {
  start();
  KeepAliveClient other(gateway().port());
  ASSERT_EQ(json_get_int(other.request("GET", kMessage).body, "/code"), 200);
  for (auto garbage :
       {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /im/v2/x HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST /im/v2/x HTTP/1.1\r\nContent-Length: abc\r\n\r\n"}) {
    const auto reply = raw_exchange(gateway().port(), garbage, std::chrono::seconds(3));
    EXPECT_TRUE(reply.empty() || reply.starts_with("HTTP/1.1 400")) << garbage << " -> " << reply;
  }
  // The existing keep-alive connection and new ones keep working.
  EXPECT_EQ(json_get_int(other.request("GET", kMessage).body, "/code"), 200);
  EXPECT_EQ(other.connections_opened(), 1);
  EXPECT_EQ(json_get_int(get(kMessage).body, "/code"), 200);
}

TEST_F(Server, OversizedHeadersAreRejected) {
  start();
  const auto reply = raw_exchange(gateway().port(), "GET " + std::string(kMessage) +
                                                        " HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                                        std::string(64 * 1024, 'a') + "\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 431")) << reply.substr(0, 200);
  EXPECT_EQ(emulator().total_requests(), 0);
  EXPECT_EQ(json_get_int(get(kMessage).body, "/code"), 200);
}

TEST_F(Server, KeepAliveServesManyRequestsOnOneConnection) {
  start();
  KeepAliveClient client(gateway().port());
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(json_get_int(client.request("GET", kMessage).body, "/code"), 200) << i;
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(Server, ExpectContinueIsAnswered) {
  start();
  const std::string body = R"({"a":1})";
  const auto reply = raw_exchange(
      gateway().port(),
      "POST /im/v2/things HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200")) << reply;
}

TEST_F(Server, PipelinedRequestsAreAnsweredInOrder) {
  start();
  const std::string get =
      std::string("GET ") + std::string(kMessage) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string body = R"({"a":1})";
  const std::string post =
      "POST /im/v2/things HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  const std::string last = "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const auto reply = raw_exchange(gateway().port(), get + post + get + last);
  // Four answers in request order: the message, the echoed POST, the same
  // message again (now cached), the 404.
  const auto first = reply.find("HTTP/1.1 200");
  const auto echoed = reply.find(R"("body":"{\"a\":1}")");
  const auto hit = reply.find("X-Yxgate-Cache: hit");
  const auto not_found = reply.find("HTTP/1.1 404");
  ASSERT_NE(first, std::string::npos) << reply;
  ASSERT_NE(echoed, std::string::npos) << reply;
  ASSERT_NE(hit, std::string::npos) << reply;
  ASSERT_NE(not_found, std::string::npos) << reply;
  EXPECT_LT(first, echoed);
  EXPECT_LT(echoed, hit);
  EXPECT_LT(hit, not_found);
}

TEST_F(Server, IdleKeepAliveConnectionsAreClosed) {
  start({.server_yaml = "  idle_timeout: 200ms\n"});
  const auto started = std::chrono::steady_clock::now();
  const auto reply =
      raw_exchange(gateway().port(),
                   std::string("GET ") + std::string(kMessage) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                   std::chrono::seconds(5));
  // The server answered, then closed the idle connection well before 5 s.
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST_F(Server, AdminEndpoints) {
  start();
  get(kMessage);
  EXPECT_EQ(request(gateway().admin_port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(request(gateway().admin_port(), "GET", "/readyz").status, 200);
  const auto metrics = request(gateway().admin_port(), "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.header("Content-Type").value_or("").starts_with("text/plain"));
  for (auto family :
       {"# TYPE yxgate_http_requests_total counter",
        "# TYPE yxgate_http_request_duration_seconds histogram",
        "# TYPE yxgate_upstream_requests_total counter",
        "# TYPE yxgate_upstream_request_duration_seconds histogram",
        "yxgate_http_requests_total{route=\"get_message\",code=\"200\",cache=\"miss\"} 1",
        "yxgate_build_info{version=", "process_resident_memory_bytes", "process_cpu_seconds_total",
        "process_open_fds"}) {
    EXPECT_NE(metrics.body.find(family), std::string::npos) << family;
  }
  EXPECT_EQ(request(gateway().admin_port(), "GET", "/nope").status, 404);
  EXPECT_EQ(request(gateway().admin_port(), "POST", "/healthz").status, 405);
}

TEST_F(Server, ConfigEndpointRedactsSecrets) {
  start({.app_secret = "super-secret-value"});
  const auto config = request(gateway().admin_port(), "GET", "/config");
  EXPECT_EQ(config.status, 200);
  EXPECT_TRUE(json_valid(config.body)) << config.body;
  EXPECT_EQ(config.body.find("super-secret-value"), std::string::npos);
  EXPECT_EQ(config.body.find("demo-app-key"), std::string::npos);
  EXPECT_NE(config.body.find("TEST_YX_APP_SECRET"), std::string::npos);
  EXPECT_EQ(json_get_string(config.body, "/upstream/base_url"), emulator().base_url());
}

// Drains on `signo` with one request in flight upstream (held by a latency
// fault longer than everything checked meanwhile) and one idle keep-alive
// connection: new connections are refused, the idle one is not served, the
// in-flight request completes, and the process exits 0. drain_timeout is
// well above the 3 s latency: with the harness's 3 s default the request's
// end raced the drain deadline by milliseconds (lost under ThreadSanitizer).
void Server::expect_graceful_drain(int signo, std::string_view name) {
  start({.server_yaml = "  drain_timeout: 10s\n"});
  KeepAliveClient idle(gateway().port());
  ASSERT_EQ(json_get_int(idle.request("GET", kMessage).body, "/code"), 200);
  emulator().add_fault("get_message", "latency", 3000, 1);
  const std::string slow_path = "/im/v2/conversations/alice%7C1%7Cbob/messages/1003";
  auto slow = std::async(std::launch::async, [&] { return get(slow_path); });
  ASSERT_TRUE(
      eventually([&] { return emulator().calls("get_message") == 2; }, std::chrono::seconds(5)))
      << "the slow request never reached upstream";

  gateway().process().signal(signo);
  ASSERT_TRUE(gateway().process().wait_for_line(
      "\"event\":\"draining\",\"signal\":\"" + std::string(name) + "\"", std::chrono::seconds(5)));
  // New connections are refused (the listener is closed, not just idle).
  HttpResponse fresh;
  EXPECT_TRUE(eventually(
      [&] {
        fresh =
            request(gateway().port(), "GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/1005");
        return fresh.error.starts_with("connect");
      },
      std::chrono::seconds(1)))
      << "status " << fresh.status << " error " << fresh.error;
  // A request on a connection opened before the signal is not served: the
  // idle connection is closed (or, at most, answered 503).
  const auto late = idle.request("GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/1007");
  EXPECT_TRUE(!late.ok() || late.status == 503) << late.status << " " << late.body;
  EXPECT_TRUE(slow.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      << "the checks above ran after the in-flight request ended";

  const auto res = slow.get();
  EXPECT_EQ(res.status, 200) << res.error;
  EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  EXPECT_EQ(gateway().process().wait_exit(std::chrono::seconds(10)), 0);
  EXPECT_NE(gateway().log().find("\"event\":\"drained\""), std::string::npos);
  EXPECT_EQ(emulator().calls("get_message"), 2) << "nothing after the signal went upstream";
}

TEST_F(Server, SigtermLetsInFlightRequestFinishAndExitsZero) {
  expect_graceful_drain(SIGTERM, "SIGTERM");
}

TEST_F(Server, SigintDrainsAndExitsZeroLikeSigterm) { expect_graceful_drain(SIGINT, "SIGINT"); }

// A connection opened to the admin listener while draining is answered
// (it used to be closed unanswered): /readyz says 503 in the SPEC §5 shape.
TEST_F(Server, ReadyzAnswers503WhileDraining) {
  start();
  emulator().hold("get_message");
  auto slow = std::async(std::launch::async, [&] { return get(kMessage); });
  ASSERT_EQ(emulator().wait_held(1).size(), 1u);
  EXPECT_EQ(request(gateway().admin_port(), "GET", "/readyz").status, 200);
  gateway().process().signal(SIGTERM);
  ASSERT_TRUE(gateway().process().wait_for_line("\"event\":\"draining\"", std::chrono::seconds(5)));
  const auto ready = request(gateway().admin_port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.error;
  EXPECT_EQ(json_get_int(ready.body, "/code"), 503) << ready.body;
  EXPECT_EQ(ready.header("X-Yxgate-Error"), "draining");
  EXPECT_TRUE(slow.wait_for(std::chrono::seconds(0)) != std::future_status::ready);
  emulator().release_all();
  EXPECT_EQ(slow.get().status, 200);
}

TEST_F(Server, DrainTimeoutBoundsShutdown) {
  start({.server_yaml = "  drain_timeout: 300ms\n"});
  emulator().add_fault("get_message", "hang");
  auto stuck = std::async(std::launch::async, [&] { return get(kMessage); });
  ASSERT_TRUE(
      eventually([&] { return emulator().calls("get_message") == 1; }, std::chrono::seconds(5)));
  const auto started = std::chrono::steady_clock::now();
  gateway().process().signal(SIGTERM);
  EXPECT_EQ(gateway().process().wait_exit(std::chrono::seconds(10)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_NE(gateway().log().find("\"event\":\"drain_timeout\",\"abandoned_requests\":1"),
            std::string::npos);
  stuck.get();
}

}  // namespace
}  // namespace yxgate::testing
