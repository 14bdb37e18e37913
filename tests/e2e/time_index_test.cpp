// Learned create_times (SPEC §11.5, §3.1.4): a lookup without message_time
// (the vendor SDKs' QueryMessage) joins the conversation's batch once the
// gateway has seen the message's create_time in an upstream answer, and
// gets exactly what upstream's single GET would give.
#include <future>
#include <latch>
#include <regex>
#include <thread>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

std::string untimed_path(std::string_view conversation, std::uint64_t id) {
  return "/im/v2/conversations/" + std::string(conversation) + "/messages/" + std::to_string(id);
}

// The value of a series (labels included in `series`) in a /metrics text, or -1.
double metric(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

class TimeIndex : public GatewayTest {
 protected:
  // Nothing cached (no local layer, no Redis): a second lookup of an id goes
  // upstream again. A batch leaves when it holds 3 ids (3 s window as the
  // bound), so the count of calls is deterministic.
  void start_with(std::string_view extra_coalesce = "",
                  std::string_view batching = "  window: 3s\n  max_batch: 3\n") {
    start({.extra_yaml = "cache:\n  local:\n    max_bytes: 0\ncoalesce:\n" + std::string(batching) +
                         std::string(extra_coalesce)});
  }
  HttpResponse modify(std::uint64_t id) {
    return request(
        gateway().port(), "POST", "/im/v2/messages/actions/modifyMsg",
        {{"Content-Type", "application/json"}},
        R"({"message":{"message_server_id":)" + std::to_string(id) + R"(,"text":"edited"}})");
  }
  HttpResponse direct_get(const std::string& target) {
    return request(emulator().port(), "GET", target, signed_headers());
  }
  std::string metrics() { return request(gateway().admin_port(), "GET", "/metrics").body; }
  double lookups(std::string_view result) {
    return metric(metrics(),
                  "yxgate_time_index_lookups_total{result=\"" + std::string(result) + "\"}");
  }
  // Single GETs without message_time: each unknown, each a single GET.
  void learn_by_single_gets(const std::vector<std::string>& targets) {
    for (const auto& target : targets) {
      const auto r = get(target);
      ASSERT_EQ(r.status, 200) << r.error;
      ASSERT_EQ(json_get_int(r.body, "/code"), 200) << r.body;
    }
  }
  // Concurrent lookups of `targets`; checks each answer against a direct
  // single GET (after the gateway's calls are counted).
  std::vector<HttpResponse> ask_together_and_compare(const std::vector<std::string>& targets) {
    auto responses = fire_together(gateway().port(), targets);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      EXPECT_TRUE(responses[i].ok()) << responses[i].error;
      EXPECT_EQ(responses[i].status, 200);
      EXPECT_EQ(responses[i].body, direct_get(targets[i]).body) << targets[i];
    }
    return responses;
  }
};

const std::vector<std::uint64_t> kIds = {4001, 4003, 4005};

std::vector<std::string> untimed_targets(std::string_view conversation = kAliceBob) {
  std::vector<std::string> targets;
  for (auto id : kIds) targets.push_back(untimed_path(conversation, id));
  return targets;
}

TEST_F(TimeIndex, LookupsWithoutMessageTimeBecomeOneBatchOnceTheirTimeIsKnown) {
  start_with();
  const auto targets = untimed_targets();
  learn_by_single_gets(targets);
  ASSERT_EQ(emulator().calls("get_message"), 3);
  EXPECT_EQ(emulator().calls("batch_messages"), 0);
  EXPECT_EQ(lookups("miss"), 3);
  EXPECT_EQ(metric(metrics(), "yxgate_time_index_entries"), 3);

  const auto batches_before = emulator().calls("batch_messages");
  const auto gets_before = emulator().calls("get_message");
  auto responses = fire_together(gateway().port(), targets);
  EXPECT_EQ(emulator().calls("batch_messages") - batches_before, 1) << "one batch for A, B, C";
  EXPECT_EQ(emulator().calls("get_message") - gets_before, 0);
  const auto asked = emulator().asked_ids("batch_messages");
  EXPECT_EQ(asked.size(), 3u);
  EXPECT_EQ(lookups("hit"), 3);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    ASSERT_TRUE(responses[i].ok()) << responses[i].error;
    EXPECT_EQ(responses[i].status, 200);
    EXPECT_EQ(responses[i].body, direct_get(targets[i]).body) << targets[i];
    EXPECT_EQ(responses[i].header("Content-Type"), direct_get(targets[i]).header("Content-Type"));
    EXPECT_EQ(responses[i].header("X-Yxgate-Cache"), "coalesced");
  }
}

TEST_F(TimeIndex, LearnedFromAClientBatchReply) {
  start_with();
  std::string body = R"({"messages":[)";
  for (std::size_t i = 0; i < kIds.size(); ++i) {
    if (i) body += ',';
    body += R"({"message_server_id":)" + std::to_string(kIds[i]) + R"(,"create_time":)" +
            std::to_string(seeded_create_time(kIds[i])) + "}";
  }
  body += "]}";
  const auto batch = request(gateway().port(), "POST",
                             "/im/v2/conversations/" + std::string(kAliceBob) + "/batch_messages",
                             {{"Content-Type", "application/json"}}, body);
  ASSERT_EQ(json_get_int(batch.body, "/code"), 200) << batch.body;
  ASSERT_EQ(emulator().calls("batch_messages"), 1);

  ask_together_and_compare(untimed_targets());
  EXPECT_EQ(emulator().calls("batch_messages"), 2);
  EXPECT_EQ(emulator().calls("get_message"), 3) << "only the direct comparison GETs";
}

TEST_F(TimeIndex, LearnedFromAModifyReply) {
  start_with();
  for (auto id : kIds) {
    const auto r = request(
        gateway().port(), "POST", "/im/v2/messages/actions/modifyMsg",
        {{"Content-Type", "application/json"}},
        R"({"message":{"message_server_id":)" + std::to_string(id) + R"(,"text":"edited"}})");
    ASSERT_EQ(json_get_int(r.body, "/code"), 200) << r.body;
  }
  const auto responses = ask_together_and_compare(untimed_targets());
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  EXPECT_EQ(emulator().calls("get_message"), 3) << "only the direct comparison GETs";
  for (const auto& r : responses) EXPECT_NE(r.body.find("edited"), std::string::npos) << r.body;
}

TEST_F(TimeIndex, AnUnknownIdStillGoesAsASingleGet) {
  start_with();
  learn_by_single_gets({untimed_path(kAliceBob, 4001)});
  const auto r = get(untimed_path(kAliceBob, 4007));
  EXPECT_EQ(r.body, direct_get(untimed_path(kAliceBob, 4007)).body);
  EXPECT_EQ(emulator().calls("batch_messages"), 0);
  EXPECT_EQ(lookups("miss"), 2);
  EXPECT_EQ(lookups("hit"), 0);
}

TEST_F(TimeIndex, AMessageOfAnotherConversationIsNotFoundAsTheSingleGetSays) {
  start_with("", "  window: 5ms\n");
  learn_by_single_gets({untimed_path(kAliceBob, 4001)});
  // Known id, asked in a conversation it does not belong to: the batch says
  // 107404 for it, as the single GET does.
  const auto target = untimed_path("alice%7C1%7Ccarol", 4001);
  const auto r = get(target);
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  const auto direct = direct_get(target);
  EXPECT_EQ(json_get_int(direct.body, "/code"), 107404) << direct.body;
  EXPECT_EQ(r.status, direct.status);
  EXPECT_EQ(r.body, direct.body);
}

TEST_F(TimeIndex, ZeroEntriesDisablesIt) {
  start_with("  time_index_entries: 0\n");
  const auto targets = untimed_targets();
  learn_by_single_gets(targets);
  ask_together_and_compare(targets);
  EXPECT_EQ(emulator().calls("batch_messages"), 0);
  EXPECT_EQ(emulator().calls("get_message"), 9) << "3 + 3 through the gateway, 3 direct";
  EXPECT_EQ(lookups("hit"), 0);
  EXPECT_EQ(lookups("miss"), 0);
  EXPECT_EQ(metric(metrics(), "yxgate_time_index_entries"), 0);
}

TEST_F(TimeIndex, ANotFoundAnswerIsNegativeCachedForTheQuestionWithoutTime) {
  // The local layer on: upstream's 107404 to a batched lookup without
  // message_time is cached for that question, as the single GET's would be.
  // Learned from a modify reply, so no positive entry is cached (a positive
  // entry of another conversation is kept over a negative one).
  start({.extra_yaml = "coalesce:\n  window: 5ms\n"});
  ASSERT_EQ(json_get_int(modify(4001).body, "/code"), 200);
  const auto target = untimed_path("alice%7C1%7Ccarol", 4001);
  const auto first = get(target);
  EXPECT_EQ(json_get_int(first.body, "/code"), 107404) << first.body;
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
  const auto second = get(target);
  EXPECT_EQ(second.header("X-Yxgate-Cache"), "hit");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(emulator().calls("batch_messages"), 1);
}

}  // namespace
}  // namespace yxgate::testing
