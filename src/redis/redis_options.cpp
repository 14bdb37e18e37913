#include "redis/redis_options.hpp"

#include <algorithm>

#include "config/net_address.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_health.hpp"

namespace yxgate::redis {

Result<RedisOptions> RedisOptions::from_config(const config::RedisConfig& config) {
  auto url = config::parse_redis_url(config.url);
  if (!url) return make_error("cache.redis.url: " + url.error().message);
  RedisOptions o;
  o.host = std::move(url->host);
  o.port = url->port;
  o.username = std::move(url->username);
  o.password = std::move(url->password);
  o.db = url->db;
  o.timeout = config.timeout;
  o.connect_timeout = std::max(config.timeout, std::chrono::milliseconds(500));
  o.liveness = std::make_shared<RedisLiveness>();
  o.health = std::make_shared<RedisHealth>(metrics::yxgate_metrics().redis_up);
  return o;
}

}  // namespace yxgate::redis
