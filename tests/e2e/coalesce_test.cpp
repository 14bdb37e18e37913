// Coalescing (SPEC §3.1.4-5, issue 4): concurrent lookups folded into
// batch_messages calls, identical GETs sharing one call, failures fanned out.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <latch>
#include <regex>
#include <sstream>
#include <thread>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

std::string timed_path(std::string_view conversation, std::uint64_t id, std::uint64_t time) {
  return "/im/v2/conversations/" + std::string(conversation) + "/messages/" + std::to_string(id) +
         "?message_time=" + std::to_string(time);
}

// A plain TCP connection the test closes when it chooses (the HTTP clients
// close only on their own terms).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) close();
  }
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool send(std::string_view bytes) {
    return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                           static_cast<ssize_t>(bytes.size());
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// The value of an unlabelled series in a /metrics text, or -1.
double metric(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

class Coalescing : public GatewayTest {
 protected:
  void start_with(std::string coalesce_yaml = "  window: 20ms\n", std::string upstream_yaml = "") {
    start({.extra_yaml = "coalesce:\n" + coalesce_yaml, .upstream_yaml = std::move(upstream_yaml)});
  }
  HttpResponse direct_get(const std::string& target) {
    return request(emulator().port(), "GET", target, signed_headers());
  }
  std::string metrics() { return request(gateway().admin_port(), "GET", "/metrics").body; }
  // True once the gateway has `n` client requests in flight (they are
  // waiting on something the test holds).
  bool gateway_holds(int n) {
    return eventually([&] { return metric(metrics(), "yxgate_inflight_requests") == n; },
                      std::chrono::seconds(10));
  }
  // Starts a gateway, sends a lookup of `path` and returns once its batch
  // call is held by the emulator (its answer computed on arrival, unsent):
  // release it with emulator().release_all().
  std::future<HttpResponse> lookup_in_flight(const std::string& path) {
    start_with();
    emulator().hold("batch_messages", 1, "after");
    auto lookup = std::async(std::launch::async,
                             [this, path] { return request(gateway().port(), "GET", path); });
    EXPECT_EQ(emulator().wait_held(1).size(), 1u);
    return lookup;
  }
};

// A batch that leaves when it holds every distinct id the test sends (long
// window as the bound): the count of calls does not depend on how quickly a
// loaded machine delivers the clients' requests.
std::string batch_of(int distinct_ids) {
  return "  window: 3s\n  max_batch: " + std::to_string(distinct_ids) + "\n";
}

TEST_F(Coalescing, SixtyConcurrentLookupsOfTwelveIdsBecomeOneBatchCall) {
  start_with(batch_of(12));
  emulator().hold("batch_messages");
  std::vector<std::string> targets;
  for (int i = 0; i < 60; ++i) {
    const std::uint64_t id = 3001 + 2 * (i % 12);
    targets.push_back(timed_path(kAliceBob, id, seeded_create_time(id)));
  }
  auto fired =
      std::async(std::launch::async, [&] { return fire_together(gateway().port(), targets); });
  ASSERT_EQ(emulator().wait_held(1).size(), 1u);
  ASSERT_TRUE(gateway_holds(60)) << "every lookup waits on the one held call";
  emulator().release_all();
  const auto responses = fired.get();
  emulator().reset();  // the direct calls below are not the gateway's
  for (std::size_t i = 0; i < targets.size(); ++i) {
    ASSERT_TRUE(responses[i].ok()) << responses[i].error;
    EXPECT_EQ(responses[i].status, 200);
    EXPECT_EQ(responses[i].body, direct_get(targets[i]).body) << targets[i];
    EXPECT_EQ(responses[i].header("X-Yxgate-Cache"), "coalesced");
  }
  const auto text = metrics();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("yxgate_upstream_batch_size_count (\\d+)")));
  EXPECT_EQ(std::stoi(m[1]), 1);
  EXPECT_NE(text.find("yxgate_upstream_requests_total{route=\"batch_messages\",outcome=\"ok\"}"),
            std::string::npos);
  // Every (route, outcome) child exists from startup at 0: none for a single GET may have moved.
  EXPECT_FALSE(std::regex_search(
      text, std::regex("yxgate_upstream_requests_total\\{route=\"get_message\",[^}]*\\} [1-9]")))
      << "no single GET went upstream";
  ASSERT_TRUE(std::regex_search(text, m, std::regex("yxgate_coalesced_requests_total (\\d+)")));
  EXPECT_EQ(std::stoi(m[1]), 60);
  // SPEC §10: the access lines' upstream_calls add up to the calls made: one
  // line counts the batch call, the 59 others ride on it.
  const std::regex access_calls(
      "\"event\":\"access\".*\"route\":\"get_message\".*\"upstream_calls\":(\\d+)");
  int lines = 0;
  int calls = 0;
  ASSERT_TRUE(eventually(
      [&] {
        std::istringstream log(gateway().log());
        lines = calls = 0;
        for (std::string line; std::getline(log, line);) {
          if (!std::regex_search(line, m, access_calls)) continue;
          ++lines;
          calls += std::stoi(m[1]);
        }
        return lines == 60;
      },
      std::chrono::seconds(5)))
      << lines;
  EXPECT_EQ(calls, 1);
}

TEST_F(Coalescing, EachDistinctIdIsAskedOnce) {
  start_with(batch_of(2));
  emulator().add_fault("batch_messages", "latency", 50);
  std::vector<std::string> targets;
  for (int i = 0; i < 20; ++i)
    targets.push_back(timed_path(kAliceBob, 3001, seeded_create_time(3001)));
  targets.push_back(timed_path(kAliceBob, 3003, seeded_create_time(3003)));
  fire_together(gateway().port(), targets);
  const auto asked = emulator().asked_ids("batch_messages");
  EXPECT_EQ(std::count(asked.begin(), asked.end(), 3001), 1);
  EXPECT_EQ(std::count(asked.begin(), asked.end(), 3003), 1);
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
}

TEST_F(Coalescing, ALookupArrivingWhileItsIdIsInFlightWaitsForThatCall) {
  const auto path = timed_path(kAliceBob, 3201, seeded_create_time(3201));
  auto first = lookup_in_flight(path);
  ASSERT_EQ(emulator().calls("batch_messages"), 1);
  auto joining = std::async(std::launch::async, [&] { return get(path); });
  ASSERT_TRUE(gateway_holds(2));
  emulator().release_all();
  const auto second = joining.get();
  const auto first_response = first.get();
  EXPECT_EQ(emulator().calls("batch_messages"), 1) << "the id in flight was asked again";
  EXPECT_EQ(second.header("X-Yxgate-Cache"), "coalesced");
  EXPECT_EQ(first_response.header("X-Yxgate-Cache"), "coalesced");
  emulator().reset();
  const auto direct = direct_get(path).body;
  EXPECT_EQ(first_response.body, direct);
  EXPECT_EQ(second.body, direct);
}

TEST_F(Coalescing, AfterAModifyALookupDoesNotWaitForTheOlderInFlightCall) {
  const auto path = timed_path(kAliceBob, 3203, seeded_create_time(3203));
  auto first = lookup_in_flight(path);
  ASSERT_EQ(emulator().calls("batch_messages"), 1);
  const auto modified = request(gateway().port(), "POST", "/im/v2/messages/actions/modifyMsg",
                                {{"Content-Type", "application/json"}},
                                R"({"message":{"message_server_id":3203,"text":"new"}})");
  ASSERT_EQ(json_get_int(modified.body, "/code"), 200) << modified.body;
  const auto second = request(gateway().port(), "GET", path);
  emulator().release_all();
  EXPECT_EQ(json_get_string(first.get().body, "/data/text"), "message 3203");
  EXPECT_EQ(json_get_string(second.body, "/data/text"), "new") << "served the pre-modify call";
  EXPECT_EQ(emulator().calls("batch_messages"), 2);
}

TEST_F(Coalescing, DifferentConversationsNeverShareABatch) {
  start_with();
  emulator().add_fault("batch_messages", "latency", 50);
  const std::uint64_t team_id = 100011;
  fire_together(gateway().port(),
                {timed_path(kAliceBob, 3001, seeded_create_time(3001)),
                 timed_path("bob%7C1%7Calice", 3003, seeded_create_time(3003)),
                 timed_path("alice%7C2%7C1001", team_id, seeded_create_time(team_id))});
  EXPECT_EQ(emulator().calls("batch_messages"), 3);
  for (const auto& request :
       {last_upstream_request(0), last_upstream_request(1), last_upstream_request(2)}) {
    const auto body = json_get_string(request, "/body").value_or("");
    EXPECT_EQ(json_array_size(body, "/messages"), 1u) << body;
  }
}

TEST_F(Coalescing, MoreThanMaxBatchDistinctIdsAreSplit) {
  start_with("  window: 20ms\n  max_batch: 5\n");
  emulator().add_fault("batch_messages", "latency", 30);
  std::vector<std::string> targets;
  for (int i = 0; i < 12; ++i) {
    const std::uint64_t id = 3101 + 2 * i;
    targets.push_back(timed_path(kAliceBob, id, seeded_create_time(id)));
  }
  const auto responses = fire_together(gateway().port(), targets);
  for (const auto& r : responses) EXPECT_EQ(json_get_int(r.body, "/code"), 200) << r.body;
  EXPECT_GE(emulator().calls("batch_messages"), 3);
  const auto stats = emulator().stats();
  const auto sizes =
      json_get_int_array(stats, "/batch_sizes").value_or(std::vector<std::int64_t>{});
  ASSERT_FALSE(sizes.empty()) << stats;
  for (auto size : sizes) EXPECT_LE(size, 5) << stats;
}

TEST_F(Coalescing, FailedListEntriesAnswerExactlyThoseWaiters) {
  start_with(batch_of(3));
  emulator().add_fault("batch_messages", "latency", 50);
  const auto responses =
      fire_together(gateway().port(), {timed_path(kAliceBob, 3001, seeded_create_time(3001)),
                                       timed_path(kAliceBob, 3003, 12345),  // wrong create_time
                                       timed_path(kAliceBob, 3005, seeded_create_time(3005))});
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  EXPECT_EQ(json_get_int(responses[0].body, "/code"), 200);
  EXPECT_EQ(responses[1].body, R"({"code":107404,"msg":"message not exist","data":{}})");
  EXPECT_EQ(json_get_int(responses[2].body, "/code"), 200);
}

TEST_F(Coalescing, WholeBatchRateLimitFansOutToEveryWaiter) {
  start_with();
  emulator().add_fault("batch_messages", "ratelimit416", 20);
  const auto responses =
      fire_together(gateway().port(), {timed_path(kAliceBob, 3001, seeded_create_time(3001)),
                                       timed_path(kAliceBob, 3003, seeded_create_time(3003))});
  for (const auto& r : responses) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(json_get_int(r.body, "/code"), 416) << r.body;
  }
  // Never cached: the next lookup goes upstream again.
  emulator().reset();
  EXPECT_EQ(json_get_int(get(timed_path(kAliceBob, 3001, seeded_create_time(3001))).body, "/code"),
            200);
}

TEST_F(Coalescing, WholeBatchCode500FansOut) {
  start_with();
  emulator().add_fault("batch_messages", "code500", 20);
  const auto responses =
      fire_together(gateway().port(), {timed_path(kAliceBob, 3001, seeded_create_time(3001)),
                                       timed_path(kAliceBob, 3003, seeded_create_time(3003))});
  for (const auto& r : responses) EXPECT_EQ(json_get_int(r.body, "/code"), 500) << r.body;
}

TEST_F(Coalescing, WholeBatchTimeoutFansOutAs504) {
  start_with("  window: 20ms\n", "  timeout: 300ms\n");
  emulator().add_fault("batch_messages", "hang");
  const auto responses =
      fire_together(gateway().port(), {timed_path(kAliceBob, 3001, seeded_create_time(3001)),
                                       timed_path(kAliceBob, 3003, seeded_create_time(3003))});
  for (const auto& r : responses) {
    EXPECT_EQ(r.status, 504);
    EXPECT_EQ(r.header("X-Yxgate-Error"), "upstream_timeout");
  }
}

// Three waiters on one batch (two ids, one of them asked twice).
std::vector<std::string> three_waiters() {
  return {timed_path(kAliceBob, 3001, seeded_create_time(3001)),
          timed_path(kAliceBob, 3003, seeded_create_time(3003)),
          timed_path(kAliceBob, 3001, seeded_create_time(3001))};
}

TEST_F(Coalescing, WholeBatchMalformedReplyIs502ForEveryWaiter) {
  start_with();
  emulator().add_fault("batch_messages", "malformed", 20);
  const auto responses = fire_together(gateway().port(), three_waiters());
  for (const auto& r : responses) {
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 502);
    EXPECT_EQ(r.body, R"({"code":500,"msg":"malformed upstream reply","data":{}})");
    EXPECT_EQ(r.header("X-Yxgate-Error"), "upstream_bad_reply");
  }
  emulator().reset();  // never cached
  EXPECT_EQ(json_get_int(get(three_waiters()[0]).body, "/code"), 200);
}

TEST_F(Coalescing, WholeBatchHttp503IsRelayedToEveryWaiter) {
  start_with();
  emulator().add_fault("batch_messages", "http503", 20);
  const auto responses = fire_together(gateway().port(), three_waiters());
  for (const auto& r : responses) {
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, R"({"code":503,"msg":"service unavailable","data":{}})");
    EXPECT_FALSE(r.header("X-Yxgate-Error").has_value()) << "upstream's own answer";
  }
  emulator().reset();  // never cached
  EXPECT_EQ(json_get_int(get(three_waiters()[0]).body, "/code"), 200);
}

TEST_F(Coalescing, IdenticalGetsWithoutMessageTimeShareOneSingleGet) {
  start_with();
  emulator().hold("get_message");
  std::vector<std::string> targets(20, "/im/v2/conversations/alice%7C1%7Cbob/messages/3201");
  auto fired =
      std::async(std::launch::async, [&] { return fire_together(gateway().port(), targets); });
  ASSERT_EQ(emulator().wait_held(1).size(), 1u);
  ASSERT_TRUE(gateway_holds(20));
  emulator().release_all();
  const auto responses = fired.get();
  for (const auto& r : responses) {
    EXPECT_EQ(json_get_int(r.body, "/code"), 200);
    EXPECT_EQ(r.header("X-Yxgate-Cache"), "coalesced");
  }
  EXPECT_EQ(emulator().calls("get_message"), 1);
  EXPECT_EQ(emulator().calls("batch_messages"), 0);
}

TEST_F(Coalescing, ADisconnectingClientLeavesTheOthersIntact) {
  start_with();
  emulator().add_fault("batch_messages", "latency", 1500, 1);  // the first call only
  const auto path = timed_path(kAliceBob, 3301, seeded_create_time(3301));
  // This client sends its lookup and hangs up once its batch call is upstream.
  RawConnection gone(gateway().port());
  ASSERT_TRUE(gone.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(
      eventually([&] { return emulator().calls("batch_messages") == 1; }, std::chrono::seconds(5)));
  // One waiter joins before the hang-up, one after: both share the call.
  auto before = std::async(std::launch::async, [&] { return get(path); });
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "yxgate_inflight_requests") == 2; },
                         std::chrono::seconds(5)));
  gone.close();
  const auto after = get(path);
  const auto joined = before.get();
  EXPECT_EQ(emulator().calls("batch_messages"), 1) << "the hang-up cancelled the shared call";
  emulator().reset();
  const auto direct = direct_get(path).body;
  for (const auto& r : {joined, after}) {
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.body, direct);
    EXPECT_EQ(r.header("X-Yxgate-Cache"), "coalesced");
  }
  // The call completed and filled the cache before answering its waiters.
  EXPECT_EQ(get(path).header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(emulator().calls("batch_messages"), 0);
}

TEST_F(Coalescing, BatchCallsCarryAFreshTraceIdLinkedInTheAccessLog) {
  start_with();
  emulator().add_fault("batch_messages", "latency", 30);
  fire_together(gateway().port(), {timed_path(kAliceBob, 3001, seeded_create_time(3001))},
                {{"X-custom-traceid", "client-trace-7"}});
  const auto upstream_trace =
      json_get_string(last_upstream_request(), "/headers/x-custom-traceid").value_or("");
  EXPECT_FALSE(upstream_trace.empty());
  EXPECT_NE(upstream_trace, "client-trace-7");
  const auto log = gateway().log();
  EXPECT_NE(log.find("\"upstream_trace_id\":\"" + upstream_trace + "\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"client_trace_ids\":[\"client-trace-7\"]"), std::string::npos) << log;
}

TEST_F(Coalescing, BatchPathIsConfigurable) {
  start_with(
      "  window: 5ms\n  batch_path: /im/v2.1/conversations/{conversation_id}/batch_messages\n");
  const auto res = get(timed_path(kAliceBob, 3001, seeded_create_time(3001)));
  EXPECT_EQ(json_get_int(res.body, "/code"), 200);
  EXPECT_EQ(json_get_string(last_upstream_request(), "/target"),
            "/im/v2.1/conversations/alice%7C1%7Cbob/batch_messages");
}

}  // namespace
}  // namespace yxgate::testing
