#include "support/redis_cluster.hpp"

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace yxgate::testing {
namespace {

template <class F>
bool poll_until(F ready, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

}  // namespace

RedisClusterGroup::RedisClusterGroup() : dir_(std::make_shared<TestDir>()) {
  for (int i = 0; i < 6; ++i) {
    // Each node its own directory (nodes.conf); --cluster-port explicit:
    // the default, port + 10000, overflows for high free ports.
    nodes_.push_back(std::make_unique<RedisServerProcess>(
        // Validity factor 0: a replica of an idle master (no recent
        // replication traffic) may still take over.
        RedisServerOptions{.extra_args = {"--cluster-enabled", "yes", "--cluster-node-timeout",
                                          "1000", "--cluster-replica-validity-factor", "0",
                                          "--cluster-port", std::to_string(free_port())},
                           .name = "node" + std::to_string(i)}));
  }
  ChildOptions create{.binary = "/usr/bin/redis-cli",
                      .args = {"--cluster", "create"},
                      .name = "cluster-create",
                      .dir = dir_};
  for (const auto& address : addresses()) create.args.push_back(address);
  create.args.insert(create.args.end(), {"--cluster-replicas", "1", "--cluster-yes"});
  ChildProcess creating(std::move(create));
  const auto status = creating.wait_exit(std::chrono::seconds(30));
  if (!status || *status != 0) {
    throw std::runtime_error("redis-cli --cluster create failed: " + creating.read_stdout());
  }
  if (!poll_until([&] { return ok(); }, std::chrono::seconds(30))) {
    throw std::runtime_error("cluster did not become ok");
  }
}

std::vector<std::string> RedisClusterGroup::addresses() const {
  std::vector<std::string> out;
  for (const auto& node : nodes_) out.push_back("127.0.0.1:" + std::to_string(node->port()));
  return out;
}

std::string RedisClusterGroup::gateway_cache_yaml(std::string_view timeout) const {
  std::string nodes;
  for (const auto& address : addresses()) nodes += (nodes.empty() ? "" : ", ") + address;
  return "cache:\n  redis:\n    url: redis://127.0.0.1:6379/0\n    mode: cluster\n    nodes: [" +
         nodes + "]\n    timeout: " + std::string(timeout) + "\n";
}

bool RedisClusterGroup::ok() {
  for (auto& node : nodes_) {
    if (!node->running()) continue;
    if (node->cli({"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) return false;
  }
  return true;
}

std::string RedisClusterGroup::cli(const std::vector<std::string>& args) {
  for (auto& node : nodes_) {
    if (!node->running()) continue;
    std::vector<std::string> with_c{"-c"};
    with_c.insert(with_c.end(), args.begin(), args.end());
    return node->cli(with_c);
  }
  throw std::runtime_error("no node running");
}

RedisServerProcess* RedisClusterGroup::another_master(const RedisServerProcess* not_this) {
  for (auto& node : nodes_) {
    if (node.get() != not_this && node->running() && node->cli({"ROLE"}).starts_with("master")) {
      return node.get();
    }
  }
  return nullptr;
}

int RedisClusterGroup::migrate_slot(const std::string& key, RedisServerProcess& to) {
  auto* from = master_of(key);
  if (from == nullptr || from == &to) throw std::runtime_error("no slot to move for " + key);
  const auto slot = cli({"CLUSTER", "KEYSLOT", key});
  const auto from_id = from->cli({"CLUSTER", "MYID"});
  const auto to_id = to.cli({"CLUSTER", "MYID"});
  const auto expect_ok = [](const std::string& step, const std::string& answer) {
    if (answer != "OK") throw std::runtime_error(step + ": " + answer);
  };
  expect_ok("IMPORTING", to.cli({"CLUSTER", "SETSLOT", slot, "IMPORTING", from_id}));
  expect_ok("MIGRATING", from->cli({"CLUSTER", "SETSLOT", slot, "MIGRATING", to_id}));
  int moved = 0;
  // Bounded: each round moves what the source holds; new keys go to `to`.
  for (int round = 0; round < 1000; ++round) {
    std::istringstream lines(from->cli({"CLUSTER", "GETKEYSINSLOT", slot, "100"}));
    std::vector<std::string> migrate{
        "MIGRATE", "127.0.0.1", std::to_string(to.port()), "", "0", "5000", "REPLACE", "KEYS"};
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) migrate.push_back(line);
    }
    if (migrate.size() == 8) break;
    const auto answer = from->cli(migrate);
    // NOKEY: the keys expired or were deleted since GETKEYSINSLOT.
    if (answer != "OK" && answer != "NOKEY") throw std::runtime_error("MIGRATE: " + answer);
    moved += static_cast<int>(migrate.size() - 8);
  }
  expect_ok("NODE on the target", to.cli({"CLUSTER", "SETSLOT", slot, "NODE", to_id}));
  to.cli({"CLUSTER", "BUMPEPOCH"});
  expect_ok("NODE on the source", from->cli({"CLUSTER", "SETSLOT", slot, "NODE", to_id}));
  for (auto& node : nodes_) {
    if (node->running() && node.get() != from && node.get() != &to) {
      node->cli({"CLUSTER", "SETSLOT", slot, "NODE", to_id});
    }
  }
  return moved;
}

RedisServerProcess* RedisClusterGroup::master_of(const std::string& key) {
  const auto slot = std::stoi(cli({"CLUSTER", "KEYSLOT", key}));
  // Raw CLUSTER SLOTS: start, end, ip, port, id, (replica ip, port, id)...
  // per range, one field per line; ranges are told apart by re-reading.
  for (auto& node : nodes_) {
    if (!node->running()) continue;
    // CLUSTER NODES: "<id> <ip:port@cport> <flags> ... <slot ranges>".
    std::istringstream lines(node->cli({"CLUSTER", "NODES"}));
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string id, address, flags, master, ping, pong, epoch, link;
      fields >> id >> address >> flags >> master >> ping >> pong >> epoch >> link;
      if (flags.find("master") == std::string::npos || flags.find("fail") != std::string::npos) {
        continue;
      }
      std::string range;
      while (fields >> range) {
        if (range.starts_with("[")) continue;  // a migration in progress
        const auto dash = range.find('-');
        const int a = std::stoi(range.substr(0, dash));
        const int b = dash == std::string::npos ? a : std::stoi(range.substr(dash + 1));
        if (slot < a || slot > b) continue;
        const auto port = std::stoi(address.substr(address.find(':') + 1));
        for (auto& candidate : nodes_) {
          if (candidate->running() && candidate->port() == port) return candidate.get();
        }
      }
    }
    break;  // one node's view is enough
  }
  return nullptr;
}

}  // namespace yxgate::testing
