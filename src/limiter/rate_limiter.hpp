#pragma once
// App-level rate limits on upstream calls (SPEC §4). Token buckets per app and
// route class; `scope: local` counts in this process, `scope: global` shares
// one bucket per app and class across replicas through one atomic Lua script
// in Redis, falling back to the local bucket divided by expected_replicas
// while Redis does not answer (never waiting on it longer than
// cache.redis.timeout). Only calls that really go upstream ask for a token:
// upstream::UpstreamCaller is the one place that does.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "router/route.hpp"

namespace yxgate::redis {
class RedisLinks;
}

namespace yxgate::limiter {

struct Admission {
  bool admitted = true;
  std::chrono::seconds retry_after{0};  // when rejected: seconds, rounded up
};

class RateLimiter {
 public:
  // `redis` may be null (no cache.redis: every app is local, by validation).
  RateLimiter(const std::vector<config::AppConfig>& apps, redis::RedisLinks* redis);
  ~RateLimiter();

  // Waits up to the app's max_wait for a token (FIFO), or says no.
  boost::asio::awaitable<Admission> admit(std::size_t worker, std::uint32_t app,
                                          router::RouteClass route);

  // SIGHUP: new rates, bursts, max_wait, scope and replicas for the same apps.
  void reload(const std::vector<config::AppConfig>& apps);

 private:
  struct App;
  std::vector<std::unique_ptr<App>> apps_;
  redis::RedisLinks* redis_;
};

}  // namespace yxgate::limiter
