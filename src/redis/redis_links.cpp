#include "redis/redis_links.hpp"

#include <stdexcept>

#include "redis/redis_connection.hpp"
#include "redis/redis_options.hpp"
#include "redis/redis_subscriber.hpp"

namespace yxgate::redis {

RedisLinks::RedisLinks(server::WorkerPool& pool, const config::RedisConfig& config)
    : config_(config) {
  auto options = redis::RedisOptions::from_config(config);
  if (!options) throw std::invalid_argument(options.error().message);
  for (std::size_t i = 0; i < pool.size(); ++i) {
    connections_.push_back(
        std::make_unique<redis::RedisConnection>(pool.context(i).get_executor(), *options));
  }
  // Cluster mode: the subscriber meets the other replicas' on the node of
  // the invalidation channel's slot (message_cache::RedisMessageStore's channel name).
  auto subscriber_options = *options;
  subscriber_options.pubsub_pin = config.key_prefix + "invalidate";
  subscriber_ = std::make_unique<redis::RedisSubscriber>(pool.context(0).get_executor(),
                                                         std::move(subscriber_options));
}

RedisLinks::~RedisLinks() = default;

bool RedisLinks::up() const { return connections_.front()->up(); }

}  // namespace yxgate::redis
