#pragma once
// A Redis Cluster for a test (SPEC §11.6): six redis-server
// --cluster-enabled nodes on free loopback ports, joined by
// `redis-cli --cluster create ... --cluster-replicas 1` into three masters
// with a replica each; cluster-node-timeout 1000 ms, so a killed master's
// replica takes over within about two seconds.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace yxgate::testing {

class RedisClusterGroup {
 public:
  // Throws std::runtime_error if the cluster is not ok within 30 s.
  RedisClusterGroup();

  std::vector<std::unique_ptr<RedisServerProcess>>& nodes() { return nodes_; }
  // "127.0.0.1:PORT" of every node, for cache.redis.nodes.
  std::vector<std::string> addresses() const;
  // A gateway's `cache:` section for this cluster (mode: cluster, every node).
  std::string gateway_cache_yaml(std::string_view timeout) const;
  // The running node that serves `key` as master (asks CLUSTER KEYSLOT/SLOTS).
  RedisServerProcess* master_of(const std::string& key);
  // The last running master other than `not_this` (null if none). In a
  // fresh cluster that is the highest config epoch: a slot handed to it by
  // CLUSTER SETSLOT ... NODE is not taken back by the old owner's gossip.
  RedisServerProcess* another_master(const RedisServerProcess* not_this);
  // Moves `key`'s slot from its master to `to` while clients keep using it,
  // as `redis-cli --cluster reshard` moves each slot: IMPORTING on `to`,
  // MIGRATING on the source, MIGRATE of the keys in batches (again until
  // none is left: clients keep adding keys through ASK meanwhile), then
  // SETSLOT NODE on `to` (epoch bumped, see another_master), the source and
  // the rest. Returns how many keys it moved; throws if a step fails.
  int migrate_slot(const std::string& key, RedisServerProcess& to);
  // `redis-cli -c` (follows redirects) against a running node.
  std::string cli(const std::vector<std::string>& args);
  // True once every running node reports cluster_state:ok.
  bool ok();

 private:
  std::shared_ptr<TestDir> dir_;
  std::vector<std::unique_ptr<RedisServerProcess>> nodes_;
};

}  // namespace yxgate::testing
