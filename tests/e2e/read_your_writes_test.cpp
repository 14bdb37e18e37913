// SPEC §11.2 (issue 16, defects 1-2): a lookup that arrives after a mutation
// of its message returned never shares an upstream call that left before
// it — single GET or batch — with the in-process layer on or off. The
// emulator holds the earlier call (its answer read on arrival, the old
// text), so the interleaving is exact, not a timing window.
#include <future>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

class ReadYourWrites : public GatewayTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    const bool local_layer = GetParam();
    start({.extra_yaml = std::string("cache:\n  local:\n    max_bytes: ") +
                         (local_layer ? "64MiB" : "0") +
                         "\ncoalesce:\n  window: 5ms\n"
                         // Without learned create_times a lookup without
                         // message_time is a single GET: the path under test.
                         "  time_index_entries: 0\n"});
  }
  HttpResponse modify(std::uint64_t id, std::string_view text) {
    return request(gateway().port(), "POST", "/im/v2/messages/actions/modifyMsg",
                   {{"Content-Type", "application/json"}},
                   R"({"message":{"message_server_id":)" + std::to_string(id) + R"(,"text":")" +
                       std::string(text) + R"("}})");
  }
  // Sends `path`, waits until its upstream call is held, modifies the
  // message through the gateway, then asks `path` again: the second answer
  // must be the new text, from a call of its own.
  void check_no_join_after_modify(std::string_view route, std::uint64_t id,
                                  const std::string& path) {
    emulator().hold(route, 1, "after");
    auto before = std::async(std::launch::async, [&] { return get(path); });
    ASSERT_EQ(emulator().wait_held(1).size(), 1u);
    ASSERT_EQ(json_get_int(modify(id, "edited").body, "/code"), 200);
    auto after = std::async(std::launch::async, [&] { return get(path); });
    // The later lookup makes its own call (not held). A lookup that joined
    // the held call would still be waiting on it: release only afterwards.
    const bool own_call =
        eventually([&] { return emulator().calls(route) == 2; }, std::chrono::seconds(10));
    const auto answer = own_call ? after.get() : HttpResponse{};
    emulator().release_all();
    ASSERT_TRUE(own_call) << "the lookup after the modify joined the call that left before it";
    EXPECT_EQ(json_get_string(answer.body, "/data/text"), "edited") << answer.body;
    EXPECT_EQ(json_get_string(before.get().body, "/data/text"), "message " + std::to_string(id));
    EXPECT_EQ(json_get_string(get(path).body, "/data/text"), "edited") << "old version cached";
  }
};

TEST_P(ReadYourWrites, ASingleGetAfterAModifyDoesNotJoinTheEarlierCall) {
  check_no_join_after_modify("get_message", 1201,
                             "/im/v2/conversations/alice%7C1%7Cbob/messages/1201");
}

TEST_P(ReadYourWrites, ABatchedLookupAfterAModifyDoesNotJoinTheEarlierBatch) {
  check_no_join_after_modify("batch_messages", 1203,
                             "/im/v2/conversations/alice%7C1%7Cbob/messages/1203?message_time=" +
                                 std::to_string(seeded_create_time(1203)));
}

// A mutation whose reply is lost after upstream applied it (here: a 101
// nobody asked for, then the answer) ends in a 504 whose outcome is unknown.
// A lookup that read the old version while the mutation was in flight must
// not stay cached: the gateway invalidates again, as after a success.
TEST_P(ReadYourWrites, AMutationWithAnUnknownOutcomeLeavesNoOldVersionCached) {
  const std::uint64_t id = 1205;
  const auto path = "/im/v2/conversations/alice%7C1%7Cbob/messages/" + std::to_string(id);
  emulator().hold("modify_message", 1, "before");
  auto mutation = std::async(std::launch::async, [&] { return modify(id, "edited"); });
  ASSERT_EQ(emulator().wait_held(1).size(), 1u);
  // Read while the modify waits upstream: the old version, cached.
  EXPECT_EQ(json_get_string(get(path).body, "/data/text"), "message " + std::to_string(id));
  emulator().add_fault("modify_message", "switching", 0, 1);
  emulator().release_all();
  const auto answer = mutation.get();
  EXPECT_EQ(answer.status, 504) << answer.body;
  EXPECT_EQ(answer.header("X-Yxgate-Error"), "upstream_bad_reply");
  EXPECT_EQ(json_get_string(get(path).body, "/data/text"), "edited") << "old version cached";
}

INSTANTIATE_TEST_SUITE_P(LocalLayer, ReadYourWrites, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

}  // namespace
}  // namespace yxgate::testing
