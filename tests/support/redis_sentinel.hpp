#pragma once
// A Sentinel-managed Redis for a test (SPEC §11.6): one master, one replica
// and three redis-sentinel processes (redis-server --sentinel), all on free
// loopback ports, failing over within about two seconds of the master's
// death (down-after-milliseconds 400). The constructor returns once every
// sentinel knows the replica and the other sentinels, so a failover can
// start at once.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace yxgate::testing {

class RedisSentinelGroup {
 public:
  static constexpr const char* kMaster = "yxmaster";

  // Throws std::runtime_error if it does not come up within 20 s.
  // `password` non-empty: the servers and the sentinels all require it
  // (requirepass, masterauth; sentinel auth-pass and sentinel-pass).
  explicit RedisSentinelGroup(std::string password = "");
  ~RedisSentinelGroup();

  RedisServerProcess& master() { return *servers_[0]; }
  RedisServerProcess& replica() { return *servers_[1]; }
  // "127.0.0.1:PORT" of each sentinel, for cache.redis.nodes.
  std::vector<std::string> sentinel_addresses() const;
  // The master's port as the first sentinel that answers reports it (0: none).
  std::uint16_t reported_master_port() const;
  // The server now on that port (null if it is not one of ours or is dead).
  RedisServerProcess* current_master();

 private:
  std::string sentinel_cli(std::size_t i, const std::vector<std::string>& args) const;

  std::string password_;
  std::shared_ptr<TestDir> dir_;
  std::vector<std::unique_ptr<RedisServerProcess>> servers_;
  std::vector<std::uint16_t> sentinel_ports_;
  std::vector<std::unique_ptr<ChildProcess>> sentinels_;
};

}  // namespace yxgate::testing
