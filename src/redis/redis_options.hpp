#pragma once
// Where and how a RedisConnection / RedisSubscriber connects (SPEC §7
// `cache.redis`). Plain values; the backoff knobs exist for tests.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "config/config.hpp"
#include "config/net_address.hpp"
#include "redis/redis_liveness.hpp"

namespace boost::asio::ssl {
class context;
}

namespace yxgate::redis {

class RedisHealth;

// rediss:// (SPEC §7 cache.redis.tls).
struct RedisTls {
  // Non-null: connect with TLS. One per process, shared by its links.
  std::shared_ptr<boost::asio::ssl::context> context;
  std::string server_name;  // SNI and the name verified; empty: the host
  bool verify = true;
};

// cache.redis.mode: sentinel (SPEC §11.6): the master is whatever the
// sentinels name; the URL's host:port is not used.
struct RedisSentinel {
  std::vector<config::HostPort> nodes;  // sentinel addresses, asked in turn
  std::string master;                   // the monitored master's name
};

struct RedisOptions {
  std::string host = "127.0.0.1";  // name or IP; resolved asynchronously
  std::uint16_t port = 6379;
  std::string username;  // ACL user; empty = the default user
  std::string password;  // empty = no AUTH
  int db = 0;            // SELECT when not 0
  RedisTls tls;
  std::optional<RedisSentinel> sentinel;  // set: discover the master (mode sentinel)
  // mode cluster: seed nodes. A RedisConnection routes by slot over them
  // (redis_cluster.hpp); a RedisSubscriber connects to them in turn
  // (PUBLISH reaches every node of a cluster).
  std::vector<config::HostPort> cluster_seeds;
  // Cluster mode, RedisSubscriber: connect to the master of this key's slot
  // (the invalidation channel), where every replica's subscriber meets and
  // where a PUBLISH routed by that channel counts them all.
  std::string pubsub_pin;
  // Bound on every command, including the connect handshake (cache.redis.timeout).
  std::chrono::milliseconds timeout{50};
  // TCP connect (a blackholed host never answers the SYN).
  std::chrono::milliseconds connect_timeout{500};
  // Reconnect delays: first retry at once, then min doubling to max, each
  // with up to 50% jitter so workers and replicas do not stampede.
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{2000};
  // A command that times out means a hung (or paused) Redis: links sharing
  // `liveness` (one process's links to one Redis; from_config makes one)
  // all fail fast until a PING sent after it is answered (SPEC §11.3).
  // Null: the session makes its own.
  std::shared_ptr<RedisLiveness> liveness;
  // The links sharing `health` make up yxgate_redis_up together
  // (redis_health.hpp; from_config makes one on the registry's gauge).
  // Null: the link counts towards no gauge.
  std::shared_ptr<RedisHealth> health;

  // From the validated config: URL parsed, timeout copied, connect timeout
  // max(timeout, 500ms), TLS context built for rediss:// (an unreadable
  // ca_file/cert_file/key_file is an error).
  static Result<RedisOptions> from_config(const config::RedisConfig& config);
};

}  // namespace yxgate::redis
