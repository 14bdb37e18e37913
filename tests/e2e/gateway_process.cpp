#include "e2e/gateway_process.hpp"

#include <fstream>
#include <regex>
#include <stdexcept>

namespace yxgate::testing {

std::string gateway_config_yaml(const GatewayOptions& o) {
  std::string yaml = "server:\n  listen: 127.0.0.1:0\n  admin_listen: 127.0.0.1:0\n";
  yaml += "  threads: " + std::to_string(o.threads) + "\n" + o.server_yaml;
  // A test's teardown SIGTERMs the gateway and expects exit 0 well within
  // ChildOptions::stop_grace, even with a request still hung upstream.
  if (o.server_yaml.find("drain_timeout:") == std::string::npos) yaml += "  drain_timeout: 3s\n";
  yaml += "upstream:\n  base_url: " + o.upstream_url + "\n" + o.upstream_yaml;
  if (o.apps_yaml.empty()) {
    yaml +=
        "apps:\n  - name: default\n    app_key_env: TEST_YX_APP_KEY\n"
        "    app_secret_env: TEST_YX_APP_SECRET\n" +
        o.app_yaml;
  } else {
    yaml += o.apps_yaml;
  }
  yaml += "log:\n  format: json\n  level: info\n";
  yaml += o.extra_yaml;
  return yaml;
}

GatewayProcess::GatewayProcess(GatewayOptions options) {
  auto dir = options.dir ? options.dir : std::make_shared<TestDir>();
  config_path_ = (dir->path() / "yxgate.yaml").string();
  std::ofstream(config_path_) << gateway_config_yaml(options);

  ChildOptions child;
  child.binary = YXGATE_BIN;
  child.args = {"--config", config_path_};
  child.env = {{"TEST_YX_APP_KEY", options.app_key}, {"TEST_YX_APP_SECRET", options.app_secret}};
  child.env.insert(child.env.end(), options.env.begin(), options.env.end());
  child.name = "yxgate";
  child.dir = dir;
  process_ = std::make_unique<ChildProcess>(std::move(child));

  static const std::regex kListening(
      R"re("event":"listening".*"data_port":(\d+),"admin_port":(\d+))re");
  const auto line = process_->wait_for_line(kListening, std::chrono::seconds(10));
  if (!line) throw std::runtime_error("yxgate did not start:\n" + process_->read_stderr());
  std::smatch m;
  std::regex_search(*line, m, kListening);
  port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
  admin_port_ = static_cast<std::uint16_t>(std::stoi(m[2]));
}

}  // namespace yxgate::testing
