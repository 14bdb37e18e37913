// The emulator's faults (emulator/README.md, "Faults"): what tests inject
// upstream — latency, 500s, 503s, resets, malformed JSON, 416, hangs — and
// that each applies to exactly the requests it names.
#include <chrono>
#include <future>
#include <thread>

#include "e2e/emulator_test_env.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

class EmulatorFaults : public EmulatorDirectTest {
 protected:
  // Polls the emulator until it has seen `n` calls of `route` (it has
  // received a request another thread is still waiting on).
  void wait_for_calls(std::string_view route, std::int64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (emu_.calls(route) < n) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "emulator never saw " << route;
      std::this_thread::sleep_for(5ms);
    }
  }
};

// --- faults ------------------------------------------------------------------

TEST_F(EmulatorFaults, LatencyFaultDelaysAnswerWithoutBlockingOtherConnections) {
  const auto target = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
  const auto started = std::chrono::steady_clock::now();
  auto slow = std::async(std::launch::async, [&] {
    return call("GET", target, {}, {{"X-Emulator-Fault", "latency;latency_ms=800"}});
  });
  wait_for_calls("get_message", 1);
  const auto fast_start = std::chrono::steady_clock::now();
  EXPECT_EQ(body_code(get("/im/v2/chatrooms/1/messages?sender_id=a&limit=1")), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - fast_start, 400ms);  // one io thread, not blocked
  const auto delayed = slow.get();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 800ms);
  EXPECT_EQ(delayed.body, success_body_of(kSeededMessage5));
}

TEST_F(EmulatorFaults, Code500FaultAppliesToTheNextCountRequests) {
  emu_.add_fault("get_message", "code500", 0, 2);
  const auto target = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
  EXPECT_EQ(get(target).body, R"({"code":500,"msg":"internal server error","data":{}})");
  EXPECT_EQ(get(target).status, 200);
  EXPECT_EQ(get(target).body, success_body_of(kSeededMessage5));
}

TEST_F(EmulatorFaults, Http503FaultAnswersStatus503WithJsonBody) {
  emu_.add_fault("any", "http503");
  const auto response = get("/im/v2/conversations/alice%7C1%7Cbob/messages/5");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(body_code(response), 503);
  EXPECT_EQ(post("/im/v2/x", "").status, 503);  // until reset
  emu_.reset();
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5").status, 200);
}

TEST_F(EmulatorFaults, CloseFaultClosesConnectionWithoutAnswer) {
  emu_.add_fault("batch_messages", "close", 0, 1);
  const auto response = post("/im/v2/conversations/alice%7C1%7Cbob/batch_messages",
                             R"({"messages":[{"message_server_id":5,"create_time":1}]})");
  EXPECT_TRUE(response.closed()) << response.error << " " << response.body;
}

TEST_F(EmulatorFaults, MalformedFaultAnswersUnparseableJson) {
  emu_.add_fault("get_message", "malformed", 0, 1);
  const auto response = get("/im/v2/conversations/alice%7C1%7Cbob/messages/5");
  EXPECT_EQ(response.status, 200);
  EXPECT_FALSE(json_valid(response.body)) << response.body;
}

TEST_F(EmulatorFaults, RateLimitFaultAnswers416) {
  const auto response = get("/im/v2/conversations/alice%7C1%7Cbob/messages/5",
                            {{"X-Emulator-Fault", "ratelimit416"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"code":416,"msg":"api freq control","data":{}})");
}

TEST_F(EmulatorFaults, HangFaultTimesOutClientWhileSecondConnectionIsServed) {
  emu_.add_fault("get_message", "hang", 0, 1);
  const auto target = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
  auto hung = std::async(std::launch::async, [&] { return call("GET", target, {}, {}, 1500ms); });
  wait_for_calls("get_message", 1);
  EXPECT_EQ(get(target).body,
            success_body_of(kSeededMessage5));  // the fault was used up by the first
  const auto response = hung.get();
  EXPECT_TRUE(response.timed_out()) << response.error;
}

TEST_F(EmulatorFaults, InterimAndSwitchingFaultsSend1xxBeforeTheAnswer) {
  const auto target = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
  const auto interim = raw_exchange(
      emu_.port(),
      raw_request("GET", target, {{"X-Emulator-Fault", "interim"}, {"Connection", "close"}}));
  EXPECT_TRUE(
      interim.starts_with("HTTP/1.1 103 Early Hints\r\nLink: </im/v2/>; rel=preconnect\r\n\r\n"
                          "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"))
      << interim;
  EXPECT_TRUE(interim.ends_with(success_body_of(kSeededMessage5))) << interim;
  const auto switching = raw_exchange(
      emu_.port(),
      raw_request("GET", target, {{"X-Emulator-Fault", "switching"}, {"Connection", "close"}}));
  EXPECT_TRUE(switching.starts_with("HTTP/1.1 101 Switching Protocols\r\n")) << switching;
}

TEST_F(EmulatorFaults, FaultHeaderAppliesToThatRequestOnly) {
  const auto target = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
  EXPECT_EQ(get(target, {{"X-Emulator-Fault", "http503"}}).status, 503);
  EXPECT_EQ(get(target).body, success_body_of(kSeededMessage5));
  EXPECT_EQ(get(target, {{"X-Emulator-Fault", "nonsense"}}).status, 400);
}

TEST_F(EmulatorFaults, FaultForAnotherRouteDoesNotApply) {
  emu_.add_fault("batch_messages", "code500");
  EXPECT_EQ(body_code(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5")), 200);
}

TEST_F(EmulatorFaults, FailedMutationLeavesMessageUnchanged) {
  emu_.add_fault("modify_message", "code500", 0, 1);
  EXPECT_EQ(body_code(post("/im/v2/messages/actions/modifyMsg",
                           R"({"message":{"message_server_id":5,"text":"edited"}})")),
            500);
  EXPECT_EQ(get("/im/v2/conversations/alice%7C1%7Cbob/messages/5").body,
            success_body_of(kSeededMessage5));
}

TEST_F(EmulatorFaults, DelayedReadAnswersStateAtArrival) {
  // A read racing a write: the answer reflects the state when it arrived.
  const auto target = "/im/v2/conversations/alice%7C1%7Cbob/messages/5";
  auto slow = std::async(std::launch::async, [&] {
    return call("GET", target, {}, {{"X-Emulator-Fault", "latency;latency_ms=500"}});
  });
  wait_for_calls("get_message", 1);
  EXPECT_EQ(body_code(post("/im/v2/messages/actions/modifyMsg",
                           R"({"message":{"message_server_id":5,"text":"new"}})")),
            200);
  EXPECT_EQ(slow.get().body, success_body_of(kSeededMessage5));
  EXPECT_EQ(json_get_string(get(target).body, "/data/text"), "new");
}

TEST_F(EmulatorFaults, BadFaultRuleIsRejected) {
  EXPECT_THROW(emu_.add_fault("nowhere", "code500"), std::runtime_error);
  EXPECT_THROW(emu_.add_fault("any", "explode"), std::runtime_error);
}

}  // namespace
}  // namespace yxgate::testing
