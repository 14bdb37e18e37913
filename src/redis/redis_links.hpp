#pragma once
// The process's Redis connections (cache.redis): one pipelined connection per
// worker and one pub/sub connection, shared by the cache's Redis layer and
// the global rate limits.
#include <memory>
#include <vector>

#include "config/config.hpp"
#include "server/worker_pool.hpp"

namespace yxgate::redis {
class RedisConnection;
class RedisSubscriber;
}  // namespace yxgate::redis

namespace yxgate::redis {

class RedisLinks {
 public:
  // Throws std::invalid_argument on a bad URL (a validated config has none).
  RedisLinks(server::WorkerPool& pool, const config::RedisConfig& config);
  ~RedisLinks();

  redis::RedisConnection& connection(std::size_t worker) { return *connections_[worker]; }
  redis::RedisSubscriber& subscriber() { return *subscriber_; }
  bool up() const;
  const config::RedisConfig& config() const { return config_; }

 private:
  config::RedisConfig config_;
  std::vector<std::unique_ptr<redis::RedisConnection>> connections_;
  std::unique_ptr<redis::RedisSubscriber> subscriber_;
};

}  // namespace yxgate::redis
