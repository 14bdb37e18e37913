// The command line of SPEC §1: --version, --check-config, startup refusals.
#include <fstream>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Run run_yxgate(std::vector<std::string> args,
               std::vector<std::pair<std::string, std::string>> env = {}) {
  auto dir = std::make_shared<TestDir>();
  ChildProcess child({.binary = YXGATE_BIN,
                      .args = std::move(args),
                      .env = std::move(env),
                      .name = "yxgate",
                      .dir = dir});
  Run run;
  run.exit_code = child.wait_exit(std::chrono::seconds(10)).value_or(-1);
  run.out = child.read_stdout();
  run.err = child.read_stderr();
  return run;
}

std::string write_config(const TestDir& dir, const std::string& yaml) {
  const auto path = (dir.path() / "config.yaml").string();
  std::ofstream(path) << yaml;
  return path;
}

TEST(Cli, VersionPrintsTheVersion) {
  const auto run = run_yxgate({"--version"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(run.out.starts_with("yxgate 0.")) << run.out;
}

TEST(Cli, CheckConfigAcceptsTheShippedConfigs) {
  for (auto file : {"/config/yxgate.yaml", "/config/demo.yaml"}) {
    const auto run = run_yxgate({"--check-config", std::string(YXGATE_SOURCE_DIR) + file});
    EXPECT_EQ(run.exit_code, 0) << file << ": " << run.err;
  }
}

TEST(Cli, CheckConfigNamesTheKeyPathOfAnError) {
  TestDir dir;
  const auto path = write_config(dir,
                                 "apps:\n  - name: a\n    app_key_env: K\n"
                                 "    app_secret_env: S\n    rate_limits:\n"
                                 "      get_message: { rate: 0 }\n");
  const auto run = run_yxgate({"--check-config", path});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("apps[0].rate_limits.get_message.rate"), std::string::npos) << run.err;
}

TEST(Cli, CheckConfigRejectsUnknownKeys) {
  TestDir dir;
  const auto run = run_yxgate({"--check-config", write_config(dir, "server:\n  listn: x\n")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("server.listn"), std::string::npos) << run.err;
}

TEST(Cli, CheckConfigOfAMissingFileFails) {
  const auto run = run_yxgate({"--check-config", "/nonexistent/yxgate.yaml"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("/nonexistent/yxgate.yaml"), std::string::npos) << run.err;
}

TEST(Cli, RefusesToStartWithoutItsSecret) {
  TestDir dir;
  const auto path = write_config(
      dir,
      "server:\n  listen: 127.0.0.1:0\n  admin_listen: 127.0.0.1:0\n"
      "apps:\n  - name: default\n    app_key_env: T_KEY\n    app_secret_env: T_SECRET_UNSET\n");
  const auto run = run_yxgate({"--config", path}, {{"T_KEY", "k"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("T_SECRET_UNSET"), std::string::npos) << run.err;
}

TEST(Cli, RefusesNonLoopbackBindWithoutClients) {
  TestDir dir;
  const auto run =
      run_yxgate({"--check-config", write_config(dir, "server:\n  listen: 0.0.0.0:8080\n")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("server.listen"), std::string::npos) << run.err;
}

TEST(Cli, RefusesAPortInUse) {
  EmulatorProcess emulator;
  TestDir dir;
  const auto path =
      write_config(dir, "server:\n  listen: 127.0.0.1:" + std::to_string(emulator.port()) +
                            "\n  admin_listen: 127.0.0.1:0\n");
  const auto run = run_yxgate({"--config", path}, {{"YX_APP_KEY", "k"}, {"YX_APP_SECRET", "s"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("listen_failed"), std::string::npos) << run.err;
  // It names the listener and the address, not Asio's source location.
  EXPECT_NE(run.err.find("data listener 127.0.0.1:" + std::to_string(emulator.port()) +
                         ": bind: Address already in use"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("reactive_socket_service"), std::string::npos) << run.err;
}

TEST(Cli, HelpPrintsUsageAndSucceeds) {
  for (const auto* flag : {"--help", "-h"}) {
    const auto run = run_yxgate({flag});
    EXPECT_EQ(run.exit_code, 0) << flag;
    EXPECT_NE(run.out.find("usage: yxgate"), std::string::npos) << flag;
  }
}

TEST(Cli, UnknownArgumentsPrintUsage) {
  const auto run = run_yxgate({"--bogus"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("usage"), std::string::npos);
}

}  // namespace
}  // namespace yxgate::testing
