// What the vendor SDKs call beyond api-docs' v2 pages goes through the gateway
// unchanged (SPEC §3.4): the /im/v2.1/ thread page with root_message_* and
// conversations by id as a POST. Pages the gateway relays teach it
// create_times (SPEC §11.5): a later lookup without message_time of one of
// their ids joins a batch and gets what the single GET gives, byte for byte.
#include <latch>
#include <thread>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

class SdkPassThrough : public GatewayTest {
 protected:
  void SetUp() override { start(); }
  HttpResponse direct(std::string_view method, std::string_view target,
                      std::string_view body = {}) {
    return request(emulator().port(), method, target, signed_headers(), body);
  }
  std::int64_t calls(std::string_view route) { return emulator().calls(route); }
};

const std::string kThreadV21 =
    "/im/v2.1/messages/actions/thread_messages?begin_time=1700000000000&end_time=1700000009000"
    "&limit=5&conversation_type=1&sender_id=alice&receiver_id=bob&root_message_id=7"
    "&root_message_client_id=seed1-7&root_message_time=1700000007000&descending=false";

TEST_F(SdkPassThrough, ThreadV21WithRootParamsArrivesUnchanged) {
  const auto via = get(kThreadV21);
  ASSERT_EQ(via.status, 200) << via.error;
  EXPECT_EQ(json_get_int(via.body, "/code"), 200) << via.body;
  EXPECT_EQ(via.body, direct("GET", kThreadV21).body);
  EXPECT_EQ(json_get_string(last_upstream_request(1), "/target"), kThreadV21);
  EXPECT_EQ(calls("thread_messages"), 2);
}

TEST_F(SdkPassThrough, ThreadV21ParameterErrorIsPassedBack) {
  const auto via = get("/im/v2.1/messages/actions/thread_messages?root_message_id=7&limit=5");
  EXPECT_EQ(via.status, 200);
  EXPECT_EQ(json_get_int(via.body, "/code"), 414) << via.body;
  EXPECT_EQ(calls("thread_messages"), 1);  // upstream's answer, not the gateway's
}

constexpr std::string_view kConversationsV21 = "/im/v2.1/conversations/actions/conversation_ids";
constexpr std::string_view kConversationsBody =
    R"({"conversation_ids":["bob|1|alice","zed|1|bob","carol|2|1001"]})";

TEST_F(SdkPassThrough, ConversationsPostFormArrivesUnchanged) {
  const Headers json = {{"Content-Type", "application/json"}};
  const auto via = request(gateway().port(), "POST", kConversationsV21, json, kConversationsBody);
  ASSERT_EQ(via.status, 200) << via.error;
  EXPECT_EQ(json_get_int(via.body, "/code"), 200) << via.body;
  EXPECT_EQ(json_array_size(via.body, "/data/success_list"), 2u);
  const auto seen = last_upstream_request();
  EXPECT_EQ(json_get_string(seen, "/method"), "POST");
  EXPECT_EQ(json_get_string(seen, "/body"), kConversationsBody);
  EXPECT_EQ(via.body, direct("POST", kConversationsV21, kConversationsBody).body);
}

TEST_F(SdkPassThrough, ConversationsPostFormRetriedWithItsTraceIdIsAnsweredOnce) {
  // A POST is a write to the gateway (SPEC §11.4): the SDK's retry with the
  // same trace id gets the first answer again.
  const Headers headers = {{"Content-Type", "application/json"},
                           {"X-custom-traceid", "sdk-conv-retry-1"}};
  const auto first =
      request(gateway().port(), "POST", kConversationsV21, headers, kConversationsBody);
  const auto again =
      request(gateway().port(), "POST", kConversationsV21, headers, kConversationsBody);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("X-Yxgate-Replayed"), "1");
  EXPECT_EQ(calls("conversations"), 1);
}

TEST_F(SdkPassThrough, QueryMessageOnV21IsCachedAndByteEqualToUpstreamsAnswer) {
  // The SDKs' QueryMessage: /im/v2.1/, no message_time.
  const std::string path = "/im/v2.1/conversations/alice%7C1%7Cbob/messages/1041";
  const auto first = get(path);
  const auto second = get(path);
  ASSERT_EQ(json_get_int(first.body, "/code"), 200) << first.body;
  EXPECT_EQ(json_get_string(last_upstream_request(), "/target"), path);
  EXPECT_EQ(first.header("X-Yxgate-Cache"), "miss");
  EXPECT_EQ(second.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(calls("get_message"), 1);
  EXPECT_EQ(first.body, direct("GET", path).body);
  EXPECT_EQ(second.body, first.body);
}

class PageLearning : public GatewayTest {
 protected:
  // No local layer: every lookup goes upstream, as a single GET or in a batch.
  void SetUp() override {
    start({.extra_yaml = "cache:\n  local:\n    max_bytes: 0\ncoalesce:\n  window: 3s\n"
                         "  max_batch: 3\n"});
  }
  std::string lookup_path(std::uint64_t id) {
    return "/im/v2/conversations/alice%7C1%7Cbob/messages/" + std::to_string(id);
  }
  // Lookups of `ids` at once, from pre-connected clients.
  std::vector<HttpResponse> together(const std::vector<std::uint64_t>& ids) {
    std::vector<std::unique_ptr<KeepAliveClient>> clients;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      clients.push_back(std::make_unique<KeepAliveClient>(gateway().port()));
      clients.back()->request("GET", "/warmup");
    }
    std::vector<HttpResponse> responses(ids.size());
    std::latch start(static_cast<std::ptrdiff_t>(ids.size()));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        responses[i] = clients[i]->request("GET", lookup_path(ids[i]));
      });
    }
    for (auto& t : threads) t.join();
    return responses;
  }
};

TEST_F(PageLearning, HistoryPageTeachesCreateTimesSoLookupsWithoutTimeBatch) {
  // The page (ids 21..23) goes through the gateway as the Go SDK sends it.
  const auto page =
      get("/im/v2.1/conversations/alice%7C1%7Cbob/messages?begin_time=1700000021000"
          "&end_time=1700000023000&limit=10");
  ASSERT_EQ(json_array_size(page.body, "/data/items"), 3u) << page.body;
  EXPECT_EQ(page.body, request(emulator().port(), "GET",
                               "/im/v2.1/conversations/alice%7C1%7Cbob/messages?begin_time="
                               "1700000021000&end_time=1700000023000&limit=10",
                               signed_headers())
                           .body);  // relayed unchanged
  const auto responses = together({21, 22, 23});
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  EXPECT_EQ(emulator().calls("get_message"), 0);
  // Control: an id no page showed goes upstream as a single GET.
  const auto cold = get(lookup_path(24));
  EXPECT_EQ(json_get_int(cold.body, "/code"), 200) << cold.body;
  EXPECT_EQ(emulator().calls("get_message"), 1);
  for (std::size_t i = 0; i < responses.size(); ++i) {
    const auto id = 21 + i;
    EXPECT_EQ(responses[i].header("X-Yxgate-Cache"), "coalesced") << id;
    const auto single = request(emulator().port(), "GET", lookup_path(id), signed_headers());
    EXPECT_EQ(responses[i].body, single.body) << id;
  }
}

TEST_F(PageLearning, CompressedHistoryPageIsRelayedAsSentAndStillTeaches) {
  // The Go SDK's net/http asks for gzip; the page is relayed compressed, and
  // the gateway decodes its own copy to learn from it.
  emulator().set_gzip(true);
  const std::string page_path =
      "/im/v2.1/conversations/alice%7C1%7Cbob/messages?begin_time=1700000031000"
      "&end_time=1700000033000&limit=10";
  const Headers gzip = {{"Accept-Encoding", "gzip"}};
  const auto page = get(page_path, gzip);
  EXPECT_EQ(page.header("Content-Encoding"), "gzip");
  EXPECT_EQ(page.body, request(emulator().port(), "GET", page_path,
                               [&] {
                                 auto headers = signed_headers();
                                 headers.insert(headers.end(), gzip.begin(), gzip.end());
                                 return headers;
                               }())
                           .body);
  emulator().set_gzip(false);
  const auto responses = together({31, 32, 33});
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  EXPECT_EQ(emulator().calls("get_message"), 0);
  for (const auto& response : responses) EXPECT_EQ(json_get_int(response.body, "/code"), 200);
}

TEST_F(PageLearning, ThreadPageTeachesItsRootsCreateTime) {
  const auto page = get(kThreadV21);
  ASSERT_EQ(json_get_int(page.body, "/code"), 200) << page.body;
  // Two lookups of the root, three of a cold id: the root's pair fills no
  // batch of 3, so it leaves at the 3 s window; here only the count matters.
  const auto responses = together({7, 7, 7});
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  EXPECT_EQ(emulator().calls("get_message"), 0);
  const auto single = request(emulator().port(), "GET", lookup_path(7), signed_headers());
  for (const auto& response : responses) EXPECT_EQ(response.body, single.body);
}

}  // namespace
}  // namespace yxgate::testing
