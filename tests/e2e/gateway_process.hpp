#pragma once
// A running yxgate binary for end-to-end tests: writes its config into the
// test's directory, starts it on free loopback ports and waits until it logs
// that it listens.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/process.hpp"

namespace yxgate::testing {

struct GatewayOptions {
  // YAML appended to the generated config. The generated part sets
  // server.listen/admin_listen to 127.0.0.1:0, the app's env names and
  // log.format json; `upstream_url` fills upstream.base_url.
  std::string upstream_url{};
  std::string extra_yaml{};     // further top-level sections (not server:/upstream:)
  std::string server_yaml{};    // extra keys under server:, indented by 2
  std::string upstream_yaml{};  // extra keys under upstream:, indented by 2
  // Replaces the generated apps: section (then `env` must hold its secrets).
  std::string apps_yaml{};
  // Extra keys under the generated app, indented by 4 (e.g. rate_limits).
  std::string app_yaml{};
  std::string app_key = "demo-app-key";
  std::string app_secret = "demo-app-secret";
  int threads = 2;
  std::vector<std::pair<std::string, std::string>> env{};  // extra environment
  std::shared_ptr<TestDir> dir{};
};

class GatewayProcess {
 public:
  // Throws std::runtime_error (with the log) if it does not come up.
  explicit GatewayProcess(GatewayOptions options);

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  ChildProcess& process() { return *process_; }
  std::string config_path() const { return config_path_; }
  std::string log() const { return process_->read_stderr(); }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string config_path_;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
};

// The generated YAML (for tests of the config itself).
std::string gateway_config_yaml(const GatewayOptions& options);

}  // namespace yxgate::testing
