// SPEC §5 gateway-made errors for upstream failures, and failover to
// upstream.backup_url (§7), through the real binaries.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

constexpr std::string_view kMessage = "/im/v2/conversations/alice%7C1%7Cbob/messages/1001";

class UpstreamFailure : public GatewayTest {};

// A loopback port whose connects hang: a listener that never accepts, with
// its accept queue filled, so the kernel drops further SYNs.
class BlackholePort {
 public:
  BlackholePort() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < 4; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      fillers_.push_back(fd);
    }
  }
  ~BlackholePort() {
    for (int fd : fillers_) ::close(fd);
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  std::vector<int> fillers_;
  std::uint16_t port_ = 0;
};

void expect_gateway_error(const HttpResponse& res, int status, int code, std::string_view reason) {
  ASSERT_TRUE(res.ok()) << res.error;
  EXPECT_EQ(res.status, status);
  EXPECT_EQ(json_get_int(res.body, "/code"), code) << res.body;
  EXPECT_TRUE(json_get_string(res.body, "/msg").has_value()) << res.body;
  EXPECT_EQ(json_get_raw(res.body, "/data"), "{}") << res.body;
  EXPECT_EQ(res.header("X-Yxgate-Error"), std::string(reason));
  EXPECT_TRUE(res.header("X-custom-traceid").has_value());
}

TEST_F(UpstreamFailure, ClosedUpstreamPortGives502) {
  start({.upstream_url = "http://127.0.0.1:" + std::to_string(free_port())});
  expect_gateway_error(get(kMessage), 502, 500, "upstream_connect_failed");
}

TEST_F(UpstreamFailure, HangingUpstreamGives504WithinTheTimeout) {
  start({.upstream_yaml = "  timeout: 300ms\n"});
  emulator().add_fault("any", "hang");
  const auto started = std::chrono::steady_clock::now();
  const auto res = get(kMessage);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  expect_gateway_error(res, 504, 500, "upstream_timeout");
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(UpstreamFailure, MalformedUpstreamHttpGives502) {
  start();
  emulator().add_fault("any", "close");
  expect_gateway_error(get(kMessage), 502, 500, "upstream_bad_reply");
}

// A GET answered through a batch_messages call (a POST upstream) failed with
// a write's wording: 504 "the outcome of this write is unknown", which the
// SDKs do not retry. The client sent a read: 502, as its single GET gets.
TEST_F(UpstreamFailure, AGetAnsweredThroughABatchCallFailsAsARead) {
  start();
  for (const auto* kind : {"close", "switching"}) {
    emulator().add_fault("batch_messages", kind, 0, 1);
    const auto res = get(std::string(kMessage) + "?message_time=1700001001000");
    expect_gateway_error(res, 502, 500, "upstream_bad_reply");
    EXPECT_EQ(res.body.find("write"), std::string::npos) << res.body;
  }
  EXPECT_EQ(emulator().calls("batch_messages"), 2);
}

// Audit 13: a reply's chunk extensions and trailer section are held whole
// while read, and no limit counted them. Past the bound the reply is
// malformed: 502, on parsed routes and on pass-through alike.
TEST_F(UpstreamFailure, BloatedChunkFramingFromUpstreamIsABadReply) {
  start();
  emulator().add_fault("any", "bloated_chunks", 0, 2);
  expect_gateway_error(get(kMessage), 502, 500, "upstream_bad_reply");
  expect_gateway_error(get("/im/v2/chatrooms/12/messages?sender_id=a&limit=1"), 502, 500,
                       "upstream_bad_reply");
  EXPECT_EQ(get(kMessage).status, 200);  // the connection pool is fine afterwards
}

// An upstream reply carrying the gateway's own fields is not believed: a
// client must be able to trust X-Yxgate-Cache and X-Yxgate-Error.
TEST_F(UpstreamFailure, UpstreamCannotSpeakInTheGatewaysName) {
  start();
  emulator().add_fault("any", "foreign_fields");
  const auto page = get("/im/v2/chatrooms/12/messages?sender_id=a&limit=1");
  EXPECT_EQ(page.status, 200);
  EXPECT_FALSE(page.header("X-Yxgate-Error").has_value());
  EXPECT_FALSE(page.header("X-Yxgate-Replayed").has_value());
  EXPECT_FALSE(page.header("X-Yxgate-Cache").has_value());
  const auto miss = get(kMessage);
  EXPECT_EQ(miss.status, 200);
  EXPECT_EQ(miss.header("X-Yxgate-Cache"), "miss");
  EXPECT_FALSE(miss.header("X-Yxgate-Error").has_value());
}

// Audit 15 (SPEC §11.4): a DELETE or PUT whose connection died after
// upstream had it was resent on a fresh connection like a GET (they are
// idempotent by the RFC): upstream ran the recall twice and the client got
// the second answer, "message not exist", for a delete that worked. A
// write reaches upstream once; its unknown outcome is a 504.
TEST_F(UpstreamFailure, AWriteWhoseAnswerWasLostIsNotResent) {
  start({.threads = 1});                 // one worker, one pool
  ASSERT_EQ(get(kMessage).status, 200);  // a pooled connection to reuse
  emulator().add_fault("delete_message", "close", 0, 1);
  const auto recall = request(gateway().port(), "DELETE", std::string(kMessage) + "?type=1",
                              {{"X-custom-traceid", "t-del"}});
  expect_gateway_error(recall, 504, 500, "upstream_bad_reply");
  EXPECT_EQ(emulator().calls("delete_message"), 1);
  emulator().add_fault("other", "close", 0, 1);
  const auto put = request(gateway().port(), "PUT", "/im/v2/custom/thing", {}, "x");
  EXPECT_EQ(put.status, 504) << put.body;
  EXPECT_EQ(emulator().calls("other"), 1);
  // (A read on a dead pooled connection is still resent once: UpstreamBehaviour.*Stale*.)
}

TEST_F(UpstreamFailure, UpstreamHttp503IsPassedThroughUnchanged) {
  start();
  emulator().add_fault("chatroom_messages", "http503", 0, 1);
  const auto res = get("/im/v2/chatrooms/12/messages?sender_id=a&limit=1");
  EXPECT_EQ(res.status, 503);
  EXPECT_FALSE(res.header("X-Yxgate-Error").has_value());
}

TEST_F(UpstreamFailure, UpstreamBodyErrorsArePassedBackAsHttp200) {
  start();
  emulator().add_fault("any", "code500", 0, 1);
  const auto res = get(kMessage);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(json_get_int(res.body, "/code"), 500);
}

TEST_F(UpstreamFailure, FailsOverToBackupWhenPrimaryRefuses) {
  start({.upstream_url = "http://127.0.0.1:" + std::to_string(free_port())});
  gateway_.reset();
  GatewayOptions options{.upstream_url = "http://127.0.0.1:" + std::to_string(free_port()),
                         .upstream_yaml = "  backup_url: " + emulator().base_url() + "\n"};
  gateway_ = std::make_unique<GatewayProcess>(options);
  for (int i = 0; i < 3; ++i) {
    // Distinct ids: a repeated one would be answered from the cache.
    const auto res =
        get("/im/v2/conversations/alice%7C1%7Cbob/messages/" + std::to_string(1001 + i));
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  }
  EXPECT_EQ(emulator().calls("get_message"), 3);
}

TEST_F(UpstreamFailure, FailsOverToBackupWhenPrimaryConnectTimesOut) {
  BlackholePort blackhole;
  start();
  gateway_.reset();
  GatewayOptions options{
      .upstream_url = "http://127.0.0.1:" + std::to_string(blackhole.port()),
      .upstream_yaml = "  connect_timeout: 200ms\n  backup_url: " + emulator().base_url() + "\n"};
  gateway_ = std::make_unique<GatewayProcess>(options);
  const auto started = std::chrono::steady_clock::now();
  const auto res = get(kMessage);
  EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(150))
      << "the primary's connect should have hung until connect_timeout";
}

TEST_F(UpstreamFailure, ConnectTimeoutWithoutBackupGives504) {
  BlackholePort blackhole;
  start({.upstream_url = "http://127.0.0.1:" + std::to_string(blackhole.port()),
         .upstream_yaml = "  connect_timeout: 200ms\n"});
  expect_gateway_error(get(kMessage), 504, 500, "upstream_timeout");
}

TEST_F(UpstreamFailure, UpstreamOutcomesAreCountedPerRoute) {
  start();
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(
        json_get_int(
            get("/im/v2/conversations/alice%7C1%7Cbob/messages/" + std::to_string(1001 + i)).body,
            "/code"),
        200);
  }
  EXPECT_EQ(emulator().calls("get_message"), 20);
  const auto metrics = request(gateway().admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("yxgate_upstream_requests_total{route=\"get_message\",outcome=\"ok\"} 20"),
            std::string::npos)
      << metrics;
}

TEST_F(UpstreamFailure, UpstreamConnectionsAreKeptAliveAndReused) {
  start();
  // Each control call of the test is a connection of its own too.
  const auto before = json_get_int(emulator().stats(), "/connections").value_or(-1);
  KeepAliveClient client(gateway().port());
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(json_get_int(client
                               .request("GET", "/im/v2/conversations/alice%7C1%7Cbob/messages/" +
                                                   std::to_string(1001 + i))
                               .body,
                           "/code"),
              200);
  }
  const auto after = json_get_int(emulator().stats(), "/connections").value_or(-1);
  EXPECT_EQ(after - before, 2) << "one upstream connection for 20 requests, plus this stats call";
  EXPECT_EQ(emulator().calls("get_message"), 20);
}

TEST_F(UpstreamFailure, CallersWaitingForAPooledConnectionAreServedInTurn) {
  // One upstream connection, five concurrent calls of 100 ms each: every call
  // waits for the connection the previous one hands back (not for a timeout).
  start({.upstream_yaml = "  max_connections: 1\n  timeout: 2s\n", .threads = 1});
  emulator().add_fault("chatroom_messages", "latency", 100);
  std::vector<std::future<HttpResponse>> calls;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      return get("/im/v2/chatrooms/12/messages?sender_id=a&limit=1");
    }));
  }
  for (auto& call : calls) EXPECT_EQ(call.get().status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
}

TEST_F(UpstreamFailure, WrongSecretIsCountedAsAuthErrorAndLoggedLoudly) {
  start({.app_secret = "not-the-secret"});
  const auto res = get(kMessage);
  EXPECT_EQ(json_get_int(res.body, "/code"), 414);
  const auto metrics = request(gateway().admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(
                "yxgate_upstream_requests_total{route=\"get_message\",outcome=\"auth_error\"} 1"),
            std::string::npos)
      << metrics;
  const auto log = gateway().log();
  EXPECT_NE(log.find("\"level\":\"error\",\"event\":\"upstream_auth_error\""), std::string::npos)
      << log;
  EXPECT_EQ(log.find("not-the-secret"), std::string::npos);
}

}  // namespace
}  // namespace yxgate::testing
