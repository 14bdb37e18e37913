#include "support/redis_sentinel.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace yxgate::testing {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(20);

// Polls `ready` every 20 ms until it holds or the deadline passes: the
// sentinels learn of each other by a 2 s hello broadcast that no log line
// announces per peer in a form we can count reliably.
template <class F>
bool poll_until(F ready, std::chrono::steady_clock::time_point deadline) {
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

int count_entries(const std::string& raw_cli_output, const std::string& field) {
  // redis-cli raw mode prints one field per line; each entry has one "ip".
  int count = 0;
  std::size_t at = 0;
  while ((at = raw_cli_output.find(field + "\n", at)) != std::string::npos) {
    ++count;
    at += field.size();
  }
  return count;
}

}  // namespace

RedisSentinelGroup::RedisSentinelGroup(std::string password)
    : password_(std::move(password)), dir_(std::make_shared<TestDir>()) {
  // A replica authenticates to its master with masterauth.
  std::vector<std::string> auth;
  if (!password_.empty()) auth = {"--masterauth", password_};
  servers_.push_back(std::make_unique<RedisServerProcess>(RedisServerOptions{
      .password = password_, .dir = dir_, .extra_args = auth, .name = "master"}));
  auth.insert(auth.end(), {"--replicaof", "127.0.0.1", std::to_string(master().port())});
  servers_.push_back(std::make_unique<RedisServerProcess>(RedisServerOptions{
      .password = password_, .dir = dir_, .extra_args = auth, .name = "replica"}));
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  if (!poll_until(
          [&] {
            return replica().cli({"INFO", "replication"}).find("master_link_status:up") !=
                   std::string::npos;
          },
          deadline)) {
    throw std::runtime_error("replica did not sync");
  }
  for (int i = 0; i < 3; ++i) {
    const auto port = free_port();
    const auto conf = dir_->path() / ("sentinel-" + std::to_string(i) + ".conf");
    std::ofstream(conf) << "port " << port << "\nbind 127.0.0.1\ndir " << dir_->path().string()
                        << "\nsentinel monitor " << kMaster << " 127.0.0.1 " << master().port()
                        << " 2\nsentinel down-after-milliseconds " << kMaster
                        << " 400\nsentinel failover-timeout " << kMaster
                        << " 4000\nsentinel parallel-syncs " << kMaster << " 1\n";
    if (!password_.empty()) {
      // Its own clients (yxgate, redis-cli), the master and replicas, and
      // the other sentinels (which require the same password).
      std::ofstream(conf, std::ios::app)
          << "requirepass " << password_ << "\nsentinel auth-pass " << kMaster << " " << password_
          << "\nsentinel sentinel-pass " << password_ << "\n";
    }
    sentinel_ports_.push_back(port);
    sentinels_.push_back(std::make_unique<ChildProcess>(ChildOptions{
        .binary = "/usr/bin/redis-server",
        .args = {conf.string(), "--sentinel"},
        .name = "sentinel-" + std::to_string(i),
        .dir = dir_,
        .expect_clean_exit = false}));  // redis' exit code on SIGTERM is not ours to judge
  }
  for (std::size_t i = 0; i < sentinels_.size(); ++i) {
    if (!sentinels_[i]->wait_for_line("+monitor master", kReadyTimeout)) {
      throw std::runtime_error("sentinel did not start: " + sentinels_[i]->read_stdout());
    }
  }
  const bool ready = poll_until(
      [&] {
        for (std::size_t i = 0; i < sentinels_.size(); ++i) {
          if (count_entries(sentinel_cli(i, {"SENTINEL", "replicas", kMaster}), "ip") < 1 ||
              count_entries(sentinel_cli(i, {"SENTINEL", "sentinels", kMaster}), "ip") < 2) {
            return false;
          }
        }
        return true;
      },
      deadline);
  if (!ready) throw std::runtime_error("sentinels did not discover each other and the replica");
}

RedisSentinelGroup::~RedisSentinelGroup() {
  sentinels_.clear();  // first: no failover while the servers stop
  servers_.clear();
}

std::vector<std::string> RedisSentinelGroup::sentinel_addresses() const {
  std::vector<std::string> out;
  for (const auto port : sentinel_ports_) out.push_back("127.0.0.1:" + std::to_string(port));
  return out;
}

std::uint16_t RedisSentinelGroup::reported_master_port() const {
  for (std::size_t i = 0; i < sentinels_.size(); ++i) {
    const auto out = sentinel_cli(i, {"SENTINEL", "get-master-addr-by-name", kMaster});
    const auto newline = out.find('\n');
    if (newline == std::string::npos) continue;
    return static_cast<std::uint16_t>(std::stoi(out.substr(newline + 1)));
  }
  return 0;
}

RedisServerProcess* RedisSentinelGroup::current_master() {
  const auto port = reported_master_port();
  for (auto& server : servers_) {
    if (server->running() && server->port() == port) return server.get();
  }
  return nullptr;
}

std::string RedisSentinelGroup::sentinel_cli(std::size_t i,
                                             const std::vector<std::string>& args) const {
  ChildOptions child{.binary = "/usr/bin/redis-cli",
                     .args = {"-p", std::to_string(sentinel_ports_[i])},
                     .name = "sentinel-cli",
                     .dir = dir_};
  if (!password_.empty()) {
    child.args.insert(child.args.end(), {"-a", password_, "--no-auth-warning"});
  }
  child.args.insert(child.args.end(), args.begin(), args.end());
  ChildProcess process(std::move(child));
  if (!process.wait_exit(std::chrono::seconds(10))) throw std::runtime_error("redis-cli hung");
  auto out = process.read_stdout();
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace yxgate::testing
