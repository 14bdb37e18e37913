// Access control (SPEC §6) and request hardening (issue 7), through the real
// binary, with raw sockets where a well-behaved client could not send it.
#include <future>
#include <thread>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

constexpr std::string_view kMessage = "/im/v2/conversations/alice%7C1%7Cbob/messages/1001";
// printf '%s' test-token | sha256sum
constexpr std::string_view kTokenHash =
    "4c5dc9b7708905f77f5e5d16316b5dfb425e68cb326dcd55a860e90a7707031e";

std::string clients_yaml() {
  return "clients:\n  - name: billing-service\n    token_sha256: " + std::string(kTokenHash) +
         "\n    allow: [\"GET /im/v2/conversations/*/messages/*\", "
         "\"POST /im/v2/conversations/*/batch_messages\"]\n";
}

class AccessControl : public GatewayTest {
 protected:
  void SetUp() override { start({.extra_yaml = clients_yaml()}); }
};

TEST_F(AccessControl, RequestsWithoutATokenGet401EvenOnLoopback) {
  const auto res = get(kMessage);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(json_get_int(res.body, "/code"), 401);
  EXPECT_EQ(res.header("X-Yxgate-Error"), "unauthorized");
  EXPECT_TRUE(res.header("WWW-Authenticate").has_value());
  EXPECT_EQ(get(kMessage, {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(emulator().total_requests(), 0);
}

// RFC 9110 §11.6.2: Authorization holds one credential. Two fields (a valid
// one among them) are no credential: which one a proxy in front checked is
// unknown.
TEST_F(AccessControl, TwoAuthorizationFieldsAreNoCredential) {
  for (const Headers& headers :
       {Headers{{"Authorization", "Bearer test-token"}, {"Authorization", "Bearer wrong"}},
        Headers{{"Authorization", "Bearer wrong"}, {"Authorization", "Bearer test-token"}},
        Headers{{"Authorization", "Bearer test-token"}, {"Authorization", "Bearer test-token"}}}) {
    const auto res = get(kMessage, headers);
    EXPECT_EQ(res.status, 401);
    EXPECT_EQ(res.header("X-Yxgate-Error"), "unauthorized");
  }
  EXPECT_EQ(emulator().total_requests(), 0);
}

TEST_F(AccessControl, AllowedRoutePassesAndTheTokenIsNotForwarded) {
  const auto res = get(kMessage, {{"Authorization", "Bearer test-token"}});
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
  EXPECT_FALSE(json_get_string(last_upstream_request(), "/headers/authorization").has_value());
  EXPECT_NE(gateway().log().find("\"client_name\":\"billing-service\""), std::string::npos);
}

TEST_F(AccessControl, RouteOutsideTheAllowlistGets403) {
  const auto res = request(gateway().port(), "DELETE",
                           "/im/v2/conversations/alice%7C1%7Cbob/messages/1001?type=1",
                           {{"Authorization", "Bearer test-token"}});
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(json_get_int(res.body, "/code"), 403);
  EXPECT_EQ(res.header("X-Yxgate-Error"), "forbidden");
  EXPECT_EQ(emulator().total_requests(), 0);
}

TEST_F(AccessControl, PathTricksCannotReachARouteOutsideTheAllowlist) {
  for (auto target :
       {"/im/v2/conversations/a/messages/..%2F..%2Faccounts",
        "/im/v2/conversations/a/messages/%2e%2e",
        "/im/v2/conversations/a/../../accounts/messages/1",
        "/im/v2/conversations/a%252Fb/messages/1", "/im/v2/conversations//messages/1"}) {
    const auto res = get(target, {{"Authorization", "Bearer test-token"}});
    EXPECT_TRUE(res.status == 400 || res.status == 403) << target << " -> " << res.status;
  }
  EXPECT_EQ(emulator().total_requests(), 0);
}

// A Java servlet stack (Tomcat) drops `;params` from each segment before
// routing: `/chatrooms/..;/messages/actions/modifyMsg` is modifyMsg there.
// Matched as written, it would pass an allowlist of chatroom routes.
TEST_F(AccessControl, PathParametersCannotReachARouteOutsideTheAllowlist) {
  for (auto target : {"/im/v2/conversations/a/messages/..;/..;/accounts",
                      "/im/v2/conversations/alice%7C1%7Cbob/messages/1001;x",
                      "/im/v2/conversations/a/messages/%2E%2E%3B/1"}) {
    const auto res = get(target, {{"Authorization", "Bearer test-token"}});
    EXPECT_EQ(res.status, 400) << target;
    EXPECT_EQ(res.header("X-Yxgate-Error"), "bad_path") << target;
  }
  EXPECT_EQ(emulator().total_requests(), 0);
}

class Hardening : public GatewayTest {
 protected:
  // Each (method, target) is refused 400 bad_path with nothing sent upstream
  // (a POST carries a modifyMsg body that would change message 1001).
  void expect_bad_path(const std::vector<std::pair<std::string, std::string>>& requests) {
    const auto before = emulator().total_requests();
    for (const auto& [method, target] : requests) {
      const auto res = request(
          gateway().port(), method, target, {{"Content-Type", "application/json"}},
          method == "POST" ? R"({"message":{"message_server_id":1001,"text":"changed"}})" : "");
      EXPECT_EQ(res.status, 400) << target;
      EXPECT_EQ(res.header("X-Yxgate-Error"), "bad_path") << target;
    }
    EXPECT_EQ(emulator().total_requests(), before);
  }
};

TEST_F(Hardening, PathTraversalIsRefusedWith400) {
  start();
  const auto res = get("/im/v2/../metrics");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.header("X-Yxgate-Error"), "bad_path");
  EXPECT_EQ(emulator().total_requests(), 0);
}

// `modifyMsg;` is modifyMsg to a servlet stack: relayed as an unrouted
// pass-through it would change the message upstream and leave the cached
// version in place (SPEC §11.1, §11.2). Refused, it changes nothing.
TEST_F(Hardening, AMutationWithPathParametersIsRefusedAndTheCacheStaysRight) {
  start();
  ASSERT_EQ(get(kMessage).header("X-Yxgate-Cache"), "miss");
  const auto before = emulator().total_requests();
  for (auto target : {"/im/v2/messages/actions/modifyMsg;", "/im/v2/messages/actions/modifyMsg;a=1",
                      "/im/v2/messages/actions/modifyMsg%3B"}) {
    const auto res =
        request(gateway().port(), "POST", target, {{"Content-Type", "application/json"}},
                R"({"message":{"message_server_id":1001,"text":"changed"}})");
    EXPECT_EQ(res.status, 400) << target;
    EXPECT_EQ(res.header("X-Yxgate-Error"), "bad_path") << target;
  }
  EXPECT_EQ(emulator().total_requests(), before);
  const auto again = get(kMessage);
  EXPECT_EQ(again.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(again.body.find("changed"), std::string::npos);
}

// A trailing '/' on a mutation route: upstream's stack drops the empty
// segment and runs the mutation (the emulator does too), so relayed as an
// unrouted pass-through it would leave the old version cached (SPEC §3.3,
// §11.1, §11.2). Refused, it changes nothing.
TEST_F(Hardening, AMutationWithATrailingSlashIsRefusedAndTheCacheStaysRight) {
  start();
  ASSERT_EQ(get(kMessage).header("X-Yxgate-Cache"), "miss");
  const std::string conversation = "/im/v2/conversations/alice%7C1%7Cbob/messages/";
  expect_bad_path({{"POST", "/im/v2/messages/actions/modifyMsg/"},
                   {"DELETE", conversation + "?type=1"},
                   {"DELETE", conversation + "1001/?type=1"}});
  const auto again = get(kMessage);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(again.body.find("changed"), std::string::npos);
  EXPECT_EQ(again.body.find("107404"), std::string::npos);
}

// Spring MVC before 5.3 matched `/modifyMsg.json` as `/modifyMsg` (suffix
// pattern matching): a mutation there, an unrouted pass-through here.
TEST_F(Hardening, AMutationsPathWithASuffixIsRefused) {
  start();
  ASSERT_EQ(get(kMessage).header("X-Yxgate-Cache"), "miss");
  expect_bad_path({{"POST", "/im/v2/messages/actions/modifyMsg.json"},
                   {"POST", "/im/v2/messages/actions/modify%4Dsg.do"},
                   {"POST", "/im/v2/messages/actions/modifyMsg%20"},
                   {"DELETE", "/im/v2/conversations/alice%7C1%7Cbob/messages.json?type=1"}});
  EXPECT_EQ(get(kMessage).header("X-Yxgate-Cache"), "hit");
  // A suffix elsewhere passes (a read of another route).
  EXPECT_NE(get("/im/v2/chatrooms/12/messages.json?sender_id=a&limit=1").status, 400);
}

// A POST asking to be run as another method (override headers, Spring's
// `_method` parameter in the query or a form body) would be a recall to a
// stack that honours it, relayed here as an unrouted POST without
// invalidating. Refused; nothing goes upstream and the cache stays right.
TEST_F(Hardening, MethodOverridesAreRefused) {
  start();
  ASSERT_EQ(get(kMessage).header("X-Yxgate-Cache"), "miss");
  const auto before = emulator().total_requests();
  const std::string target = std::string(kMessage) + "?type=1";
  const std::vector<std::pair<Headers, std::string>> overrides{
      {{{"X-HTTP-Method-Override", "DELETE"}}, ""},
      {{{"X-HTTP-Method", "DELETE"}}, ""},
      {{{"X-Method-Override", "DELETE"}}, ""},
      {{}, "&_method=DELETE"},
      {{}, "&%5Fmethod=DELETE"},
      {{{"Content-Type", "application/x-www-form-urlencoded"}}, "form"}};
  for (const auto& [headers, extra] : overrides) {
    const bool form = extra == "form";
    const auto res = request(gateway().port(), "POST", form ? target : target + extra, headers,
                             form ? "a=1&_method=DELETE" : "");
    EXPECT_EQ(res.status, 400) << extra;
    EXPECT_EQ(res.header("X-Yxgate-Error"), "bad_request") << extra;
  }
  EXPECT_EQ(emulator().total_requests(), before);
  EXPECT_EQ(get(kMessage).header("X-Yxgate-Cache"), "hit");
  // A form POST without it is relayed as ever.
  const auto plain = request(gateway().port(), "POST", "/im/v2/custom/x",
                             {{"Content-Type", "application/x-www-form-urlencoded"}}, "a=1&b=2");
  EXPECT_NE(plain.status, 400);
}

TEST_F(Hardening, ConflictingContentLengthAndTransferEncodingAreRejected) {
  start();
  const auto reply = raw_exchange(
      gateway().port(),
      "POST /im/v2/things HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /im/v2/smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
  EXPECT_EQ(reply.find("smuggled"), std::string::npos);
  EXPECT_EQ(emulator().total_requests(), 0);
}

TEST_F(Hardening, DifferingContentLengthsAreRejected) {
  start();
  const auto reply = raw_exchange(gateway().port(),
                                  "POST /im/v2/things HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                  "Content-Length: 10\r\n\r\nabcd");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
  EXPECT_EQ(emulator().total_requests(), 0);
}

TEST_F(Hardening, CrLfNeverReachesAForwardedHeader) {
  start();
  for (auto injection :
       {"X-A: a\rX-Injected: 1\r\n", "X-A: a\nX-Injected: 1\r\n", "X-A: a\r\n X-Injected: 1\r\n"}) {
    const auto reply = raw_exchange(
        gateway().port(), std::string("GET /im/v2/chatrooms/1/messages?sender_id=a&limit=1 "
                                      "HTTP/1.1\r\nHost: x\r\n") +
                              injection + "Connection: close\r\n\r\n");
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400") || reply.starts_with("HTTP/1.1 200")) << reply;
  }
  const auto log = emulator().requests();
  EXPECT_EQ(log.find("x-injected"), std::string::npos) << log;
}

TEST_F(Hardening, TooManyHeaderLinesGet431) {
  start();
  std::string raw = "GET /im/v2/chatrooms/1/messages HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) raw += "X-H" + std::to_string(i) + ": v\r\n";
  const auto reply = raw_exchange(gateway().port(), raw + "\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 431")) << reply;
}

TEST_F(Hardening, ConnectionsBeyondMaxConnectionsAreClosedAtOnce) {
  start({.server_yaml = "  max_connections: 2\n"});
  KeepAliveClient first(gateway().port());
  KeepAliveClient second(gateway().port());
  ASSERT_EQ(json_get_int(first.request("GET", kMessage).body, "/code"), 200);
  ASSERT_EQ(json_get_int(second.request("GET", kMessage).body, "/code"), 200);
  const auto third = get(kMessage);
  EXPECT_FALSE(third.ok()) << "a third connection is closed without an answer";
  EXPECT_EQ(json_get_int(first.request("GET", kMessage).body, "/code"), 200);
  second.close();
  // Once a slot frees up, new connections are served again.
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    served = get(kMessage).status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(served);
}

TEST_F(Hardening, RequestsBeyondMaxInflightGet503) {
  start({.server_yaml = "  max_inflight: 1\n"});
  emulator().hold("chatroom_messages");
  auto slow = std::async(std::launch::async,
                         [&] { return get("/im/v2/chatrooms/1/messages?sender_id=a&limit=1"); });
  ASSERT_EQ(emulator().wait_held(1).size(), 1u);
  const auto shed = get(kMessage);
  emulator().release_all();
  EXPECT_EQ(shed.status, 503);
  EXPECT_EQ(json_get_int(shed.body, "/code"), 503);
  EXPECT_EQ(shed.header("X-Yxgate-Error"), "overloaded");
  EXPECT_EQ(slow.get().status, 200);
  EXPECT_EQ(get(kMessage).status, 200);
}

}  // namespace
}  // namespace yxgate::testing
