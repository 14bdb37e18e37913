#include "support/redis_server.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace yxgate::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);

// ChildProcess spawns a path, not a name: look it up like a shell would.
std::string find_binary(const char* env_override, const std::string& name) {
  if (const char* path = std::getenv(env_override); path != nullptr && *path != '\0') return path;
  std::istringstream dirs(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  throw std::runtime_error(name + " not found in PATH (set " + env_override + ")");
}

}  // namespace

RedisServerProcess::RedisServerProcess(RedisServerOptions options)
    : options_(std::move(options)),
      server_bin_(find_binary("YXGATE_REDIS_SERVER", "redis-server")),
      cli_bin_(find_binary("YXGATE_REDIS_CLI", "redis-cli")) {
  if (!options_.dir) options_.dir = std::make_shared<TestDir>();
  // free_port() can race with other tests: try a few ports.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    if (start()) return;
  }
  throw std::runtime_error("redis-server did not start");
}

RedisServerProcess::~RedisServerProcess() { stop(); }

bool RedisServerProcess::start() {
  ChildOptions child;
  child.binary = server_bin_;
  child.name = options_.name + "-" + std::to_string(++starts_);
  child.dir = options_.dir;
  child.args = {"--bind",       "127.0.0.1", "--save", "",
                "--appendonly", "no",        "--dir",  options_.dir->path().string()};
  if (options_.tls) {
    const auto& tls = *options_.tls;
    child.args.insert(child.args.end(),
                      {"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file",
                       tls.cert_file, "--tls-key-file", tls.key_file, "--tls-ca-cert-file",
                       tls.ca_file, "--tls-auth-clients", tls.auth_clients ? "yes" : "no"});
  } else {
    child.args.insert(child.args.end(), {"--port", std::to_string(port_)});
  }
  if (!options_.password.empty()) {
    child.args.push_back("--requirepass");
    child.args.push_back(options_.password);
  }
  child.args.insert(child.args.end(), options_.extra_args.begin(), options_.extra_args.end());
  process_ = std::make_unique<ChildProcess>(std::move(child));
  if (process_->wait_for_line("Ready to accept connections", kStartTimeout)) return true;
  process_.reset();  // SIGTERM/SIGKILL by pid, reaped
  return false;
}

std::string RedisServerProcess::url() const {
  std::string url = options_.tls ? "rediss://" : "redis://";
  if (!options_.password.empty()) url += ":" + options_.password + "@";
  return url + "127.0.0.1:" + std::to_string(port_) + "/0";
}

void RedisServerProcess::stop() {
  if (!process_) return;
  resume();  // a stopped process cannot act on SIGTERM
  process_->stop();
  process_.reset();
}

void RedisServerProcess::kill() {
  if (!process_) return;
  resume();
  process_->signal(SIGKILL);
  process_->wait_exit(std::chrono::seconds(5));
  process_.reset();
}

void RedisServerProcess::restart() {
  stop();
  if (!start()) throw std::runtime_error("redis-server did not restart on its port");
}

void RedisServerProcess::pause() {
  if (!process_ || paused_) return;
  process_->signal(SIGSTOP);
  paused_ = true;
}

void RedisServerProcess::resume() {
  if (!process_ || !paused_) return;
  process_->signal(SIGCONT);
  paused_ = false;
}

std::string RedisServerProcess::cli(const std::vector<std::string>& args) const {
  ChildOptions child;
  child.binary = cli_bin_;
  child.name = "redis-cli";
  child.dir = options_.dir;
  child.args = {"-p", std::to_string(port_)};
  if (options_.tls) {
    child.args.insert(child.args.end(), {"--tls", "--cacert", options_.tls->ca_file});
    if (!options_.tls->client_cert_file.empty()) {
      child.args.insert(child.args.end(), {"--cert", options_.tls->client_cert_file, "--key",
                                           options_.tls->client_key_file});
    }
  }
  if (!options_.password.empty()) {
    child.args.insert(child.args.end(), {"-a", options_.password, "--no-auth-warning"});
  }
  child.args.insert(child.args.end(), args.begin(), args.end());
  ChildProcess process(std::move(child));
  if (!process.wait_exit(std::chrono::seconds(10))) {
    throw std::runtime_error("redis-cli did not finish");
  }
  auto out = process.read_stdout();
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

int RedisServerProcess::command_calls(const std::vector<std::string>& commands) const {
  const auto stats = cli({"INFO", "commandstats"});
  int calls = 0;
  for (const auto& command : commands) {
    std::smatch m;
    if (std::regex_search(stats, m, std::regex("cmdstat_" + command + ":calls=(\\d+)"))) {
      calls += std::stoi(m[1]);
    }
  }
  return calls;
}

}  // namespace yxgate::testing
