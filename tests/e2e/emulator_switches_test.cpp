// yxgate-emulator's upstream behaviours the gateway must survive, each on a
// switch (emulator/README.md, "Switches" and "Faults"), checked directly.

#include "e2e/emulator_test_env.hpp"
#include "support/gunzip.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

class EmulatorSwitches : public EmulatorDirectTest {};

TEST_F(EmulatorSwitches, ChunkedFaultSendsTheSameBodyInSeveralChunks) {
  const auto response = get(kMessage5Path, {{"X-Emulator-Fault", "chunked"}});
  EXPECT_EQ(response.header("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(response.header("Content-Length"));
  EXPECT_EQ(response.body, success_body_of(kSeededMessage5));
  // On the wire: more than one chunk (64 bytes each), then the last chunk
  // and a trailer field.
  const auto wire = raw_exchange(
      emu_.port(), raw_request("GET", kMessage5Path,
                               {{"X-Emulator-Fault", "chunked"}, {"Connection", "close"}}));
  EXPECT_NE(wire.find("\r\n\r\n40\r\n"), std::string::npos) << wire;
  EXPECT_TRUE(wire.ends_with("\r\n0\r\nX-Emulator-Trailer: sent-after-the-body\r\n\r\n")) << wire;
}

TEST_F(EmulatorSwitches, ChunkedOptionAppliesToEveryApiAnswer) {
  emu_.set_chunked(true);
  EXPECT_EQ(get(kMessage5Path).header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(get("/im/v2/chatrooms/1/messages?sender_id=a&limit=1").header("Transfer-Encoding"),
            "chunked");
  emu_.reset();  // back to the command line's switches
  EXPECT_FALSE(get(kMessage5Path).header("Transfer-Encoding"));
}

TEST_F(EmulatorSwitches, GzipOnlyWhenTheRequestAcceptsIt) {
  EXPECT_FALSE(get(kMessage5Path, {{"Accept-Encoding", "gzip"}}).header("Content-Encoding"));
  emu_.set_gzip(true);
  const auto gzipped = get(kMessage5Path, {{"Accept-Encoding", "deflate, gzip;q=0.5"}});
  EXPECT_EQ(gzipped.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gunzip(gzipped.body), success_body_of(kSeededMessage5));
  for (const auto* accept : {"", "identity", "gzip;q=0", "deflate", "*;q=0"}) {
    const auto plain = get(kMessage5Path, {{"Accept-Encoding", accept}});
    EXPECT_FALSE(plain.header("Content-Encoding")) << accept;
    EXPECT_EQ(plain.body, success_body_of(kSeededMessage5)) << accept;
  }
  EXPECT_EQ(get(kMessage5Path, {{"Accept-Encoding", "*"}}).header("Content-Encoding"), "gzip");
  // Control answers are never compressed (the test client reads them).
  EXPECT_TRUE(json_valid(emu_.stats()));
}

TEST(EmulatorSwitchesCli, GzipFlagTurnsGzipOn) {
  EmulatorProcess emu({.extra_args = {"--gzip"}});
  auto headers = signed_headers();
  headers.emplace_back("Accept-Encoding", "gzip");
  const auto response = request(emu.port(), "GET", kMessage5Path, headers);
  EXPECT_EQ(response.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gunzip(response.body), success_body_of(kSeededMessage5));
}

TEST_F(EmulatorSwitches, ConnectionCloseFaultAnswersThenCloses) {
  emu_.add_fault("get_message", "connection_close", 0, 1);
  KeepAliveClient client(emu_.port());
  const auto first = client.request("GET", kMessage5Path, signed_headers());
  EXPECT_EQ(first.body, success_body_of(kSeededMessage5));
  EXPECT_EQ(first.header("Connection"), "close");
  EXPECT_FALSE(client.connected());
  // The server really closed: a raw exchange ends with the answer, not a timeout.
  emu_.add_fault("get_message", "connection_close", 0, 1);
  const auto started = std::chrono::steady_clock::now();
  const auto wire = raw_exchange(emu_.port(), raw_request("GET", kMessage5Path), 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(wire.ends_with(std::string(kSeededMessage5) + "}")) << wire;
}

TEST(EmulatorSwitchesCli, IdleTimeoutClosesAnIdleKeepAliveConnection) {
  EmulatorProcess emu({.extra_args = {"--idle-timeout-ms", "200"}});
  std::string bytes = "GET /im/v2/conversations/alice%7C1%7Cbob/messages/5 HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [name, value] : signed_headers()) bytes += name + ": " + value + "\r\n";
  bytes += "\r\n";
  const auto started = std::chrono::steady_clock::now();
  const auto wire = raw_exchange(emu.port(), bytes, 5s);  // keep-alive: returns when closed
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(wire.starts_with("HTTP/1.1 200")) << wire;
  EXPECT_EQ(json_get_int(emu.stats(), "/idle_closed"), 1);
}

TEST_F(EmulatorSwitches, WithoutIdleTimeoutAKeepAliveConnectionStaysOpen) {
  const auto started = std::chrono::steady_clock::now();
  const auto wire = raw_exchange(emu_.port(), raw_request("GET", kMessage5Path), 700ms);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 700ms);
  EXPECT_TRUE(wire.starts_with("HTTP/1.1 200")) << wire;
  EXPECT_EQ(json_get_int(emu_.stats(), "/idle_closed"), 0);
}

TEST_F(EmulatorSwitches, WrongShapeFaultAnswersValidJsonOfTheWrongShape) {
  emu_.add_fault("get_message", "wrong_shape", 0, 1);
  const auto response = get(kMessage5Path);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"code":200,"msg":"success","data":[]})");
  emu_.add_fault({.route = "batch_messages",
                  .kind = "wrong_shape",
                  .count = 1,
                  .body = R"({"code":200,"msg":"success"})"});
  EXPECT_EQ(post(kAliceBobBatchPath,
                 R"({"messages":[{"message_server_id":5,"create_time":1700000005000}]})")
                .body,
            R"({"code":200,"msg":"success"})");
}

TEST_F(EmulatorSwitches, NotJsonFaultAnswersAnHtmlPageWithStatus200) {
  const auto response = get(kMessage5Path, {{"X-Emulator-Fault", "not_json"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_FALSE(json_valid(response.body)) << response.body;
  EXPECT_TRUE(response.header("Content-Type").value_or("").starts_with("text/html"));
}

TEST_F(EmulatorSwitches, StatusFaultAnswersAnyStatus) {
  emu_.add_fault({.route = "chatroom_messages",
                  .kind = "status",
                  .count = 1,
                  .status = 429,
                  .body = "slow down"});
  const auto ruled = get("/im/v2/chatrooms/1/messages?sender_id=a&limit=1");
  EXPECT_EQ(ruled.status, 429);
  EXPECT_EQ(ruled.body, "slow down");
  for (const int status : {201, 400, 404, 418, 500, 502, 504}) {
    const auto response =
        get(kMessage5Path, {{"X-Emulator-Fault", "status;status=" + std::to_string(status)}});
    EXPECT_EQ(response.status, status);
    EXPECT_EQ(body_code(response), status) << response.body;
  }
  EXPECT_EQ(get(kMessage5Path, {{"X-Emulator-Fault", "status;status=99"}}).status, 400);
}

TEST_F(EmulatorSwitches, FailedCodeFaultFailsEveryBatchItemWithThatCode) {
  emu_.add_fault({.route = "batch_messages",
                  .kind = "failed_code",
                  .count = 1,
                  .error_code = 108404,
                  .error_msg = "team not exist"});
  const auto response = post(
      kAliceBobBatchPath, R"({"messages":[{"message_server_id":5,"create_time":1700000005000}]})");
  EXPECT_EQ(
      response.body,
      success_body_of(
          R"({"success_list":[],"failed_list":[{"message_server_id":5,)"
          R"("create_time":1700000005000,"error_code":108404,"error_msg":"team not exist"}]})"));
  // On the single GET it is the whole answer.
  EXPECT_EQ(get(kMessage5Path,
                {{"X-Emulator-Fault", "failed_code;error_code=102404;error_msg=account not exist"}})
                .body,
            R"({"code":102404,"msg":"account not exist","data":{}})");
}

}  // namespace
}  // namespace yxgate::testing
