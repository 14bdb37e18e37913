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
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "router/route.hpp"

namespace yxgate::redis {
class RedisConnection;
}

namespace yxgate::limiter {

struct Admission {
  bool admitted = true;
  std::chrono::seconds retry_after{0};  // when rejected: seconds, rounded up
};

class RateLimiter {
 public:
  // `redis_key_prefix`: cache.redis.key_prefix (global buckets' keys).
  RateLimiter(const std::vector<config::AppConfig>& apps, const std::string& redis_key_prefix);
  ~RateLimiter();

  // Waits up to the app's max_wait for a token (FIFO), or says no. A
  // global bucket is taken through `redis`, the calling worker's connection
  // (null without cache.redis: every app is local then, by validation).
  boost::asio::awaitable<Admission> admit(redis::RedisConnection* redis, std::uint32_t app,
                                          router::RouteClass route);

  // admit()'s answer when a token is free now in a local bucket (or a
  // global one with no Redis connection): admitted. Nullopt otherwise,
  // having taken nothing: then call admit(), which waits or refuses. Spares
  // most calls a coroutine frame (issue 18: pass-through CPU).
  std::optional<Admission> admit_now(redis::RedisConnection* redis, std::uint32_t app,
                                     router::RouteClass route);

  // SIGHUP: new rates, bursts, max_wait, scope and replicas for the same apps.
  void reload(const std::vector<config::AppConfig>& apps);

 private:
  struct App;
  struct CallSettings;
  static CallSettings settings(App& app, router::RouteClass route,
                               const redis::RedisConnection* redis);
  std::vector<std::unique_ptr<App>> apps_;
};

}  // namespace yxgate::limiter
