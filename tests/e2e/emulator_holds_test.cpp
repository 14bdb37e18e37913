// yxgate-emulator holds (emulator/README.md, "Holds"): a test learns that a
// request reached upstream and decides when it is answered, without sleeps.
#include <csignal>
#include <future>

#include "e2e/emulator_test_env.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

class EmulatorHolds : public EmulatorDirectTest {
 protected:
  std::future<HttpResponse> get_async(std::string target) {
    return std::async(std::launch::async, [this, target] { return get(target); });
  }
  HttpResponse modify_text(std::string_view text) {
    return post("/im/v2/messages/actions/modifyMsg",
                R"({"message":{"message_server_id":5,"text":")" + std::string(text) + R"("}})");
  }
};

TEST_F(EmulatorHolds, ArrivalIsReportedAndReleaseAnswers) {
  emu_.hold("get_message", 1);
  auto held_call = get_async(std::string(kMessage5Path) + "?message_time=1700000005000");
  const auto held = emu_.wait_held(1);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].route, "get_message");
  EXPECT_EQ(held[0].target, std::string(kMessage5Path) + "?message_time=1700000005000");
  EXPECT_EQ(held_call.wait_for(100ms), std::future_status::timeout);  // still unanswered
  emu_.release(held[0].id);
  EXPECT_EQ(held_call.get().body, success_body_of(kSeededMessage5));
  EXPECT_TRUE(emu_.wait_held(0, 0ms).empty());
}

TEST_F(EmulatorHolds, HeldListCarriesTheBody) {
  emu_.hold("batch_messages", 1);
  const std::string body = R"({"messages":[{"message_server_id":5,"create_time":1700000005000}]})";
  auto held_call = std::async(std::launch::async, [&] { return post(kAliceBobBatchPath, body); });
  const auto held = emu_.wait_held(1);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].body, body);
  emu_.release_all();
  EXPECT_EQ(json_get_int(held_call.get().body, "/data/success_list/0/message_server_id"), 5);
}

TEST_F(EmulatorHolds, AHeldRequestDoesNotBlockOtherConnections) {
  emu_.hold("get_message", 1);  // the emulator has one io thread
  auto held_call = get_async(std::string(kMessage5Path));
  ASSERT_EQ(emu_.wait_held(1).size(), 1u);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(get(kMessage5Path).body, success_body_of(kSeededMessage5));  // the rule was used up
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  emu_.release_all();
  EXPECT_EQ(held_call.get().status, 200);
}

TEST_F(EmulatorHolds, PhaseAfterAnswersTheStateAtArrival) {
  emu_.hold("get_message", 1, "after");
  auto held_call = get_async(std::string(kMessage5Path));
  ASSERT_EQ(emu_.wait_held(1).size(), 1u);
  EXPECT_EQ(body_code(modify_text("new")), 200);  // a write racing the held read
  emu_.release_all();
  EXPECT_EQ(held_call.get().body, success_body_of(kSeededMessage5));
  EXPECT_EQ(json_get_string(get(kMessage5Path).body, "/data/text"), "new");
}

TEST_F(EmulatorHolds, PhaseBeforeReadsTheStateAtRelease) {
  emu_.hold("get_message", 1, "before");
  auto held_call = get_async(std::string(kMessage5Path));
  ASSERT_EQ(emu_.wait_held(1).size(), 1u);
  EXPECT_EQ(body_code(modify_text("new")), 200);
  emu_.release_all();
  EXPECT_EQ(json_get_string(held_call.get().body, "/data/text"), "new");
}

TEST_F(EmulatorHolds, WaitHeldReturnsWhatIsHeldAtTimeout) {
  emu_.hold("get_message", 0);  // every call until reset
  auto first = get_async(std::string(kMessage5Path));
  ASSERT_EQ(emu_.wait_held(1).size(), 1u);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(emu_.wait_held(2, 300ms).size(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  auto second = get_async("/im/v2/conversations/bob%7C1%7Calice/messages/6");
  const auto both = emu_.wait_held(2);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_LT(both[0].id, both[1].id);
  emu_.release(both[1].id);
  EXPECT_EQ(json_get_int(second.get().body, "/data/message_server_id"), 6);
  EXPECT_EQ(emu_.wait_held(0, 0ms).size(), 1u);
  emu_.release(both[0].id);
  EXPECT_EQ(first.get().status, 200);
}

TEST_F(EmulatorHolds, OnlyTheMatchingRouteIsHeldAndFaultsApplyOnRelease) {
  emu_.hold("batch_messages", 1);
  EXPECT_EQ(get(kMessage5Path).body, success_body_of(kSeededMessage5));
  emu_.hold("get_message", 1);
  auto held_call = std::async(std::launch::async, [&] {
    return get(kMessage5Path, {{"X-Emulator-Fault", "http503"}});
  });
  ASSERT_EQ(emu_.wait_held(1).size(), 1u);
  emu_.release_all();
  EXPECT_EQ(held_call.get().status, 503);
}

TEST_F(EmulatorHolds, ResetDropsHeldRequests) {
  emu_.hold("get_message", 1);
  auto held_call = get_async(std::string(kMessage5Path));
  ASSERT_EQ(emu_.wait_held(1).size(), 1u);
  emu_.reset();
  const auto response = held_call.get();
  EXPECT_TRUE(response.closed()) << response.error << " " << response.body;
  EXPECT_TRUE(emu_.wait_held(0, 0ms).empty());
  EXPECT_EQ(get(kMessage5Path).status, 200);  // rules gone too
}

TEST_F(EmulatorHolds, BadHoldOrReleaseIsRejected) {
  EXPECT_THROW(emu_.hold("nowhere"), std::runtime_error);
  EXPECT_THROW(emu_.hold("any", 1, "during"), std::runtime_error);
  EXPECT_THROW(emu_.release(12345), std::runtime_error);
}

TEST(EmulatorHoldsShutdown, SigtermWithHeldRequestsExitsZero) {
  EmulatorProcess emu;
  emu.hold("get_message", 1);
  auto held_call = std::async(std::launch::async, [&] {
    return request(emu.port(), "GET", kMessage5Path, signed_headers(), {}, 5s);
  });
  ASSERT_EQ(emu.wait_held(1).size(), 1u);
  emu.process().signal(SIGTERM);
  EXPECT_EQ(emu.process().wait_exit(5s), 0);
  EXPECT_FALSE(held_call.get().ok());
}

}  // namespace
}  // namespace yxgate::testing
