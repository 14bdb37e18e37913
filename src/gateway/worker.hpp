#pragma once
// One worker thread's own objects (src/README.md, threading model): its
// executor, its upstream connections (and their body-code parser), its Redis
// connection and its side of the Redis layer (the lookups it opened this
// turn). A request uses only the worker it runs on, so none of this is
// locked. The gateway makes one per worker at startup and hands each request
// its own by reference (RouteEnv::worker); nothing is looked up by index.
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>

#include "coalesce/lane.hpp"
#include "message_cache/cached_messages.hpp"
#include "message_cache/redis_message_store.hpp"
#include "upstream/upstream_caller.hpp"

namespace yxgate::gateway {

class Batcher;

// The coalescing core sends a batch call on the lane of the request that
// closed it, and writes its fills there (coalesce/lane.hpp).
class Worker final : public coalesce::Lane {
 public:
  // `redis` is this worker's connection, null without cache.redis.
  Worker(boost::asio::any_io_executor executor, std::unique_ptr<upstream::UpstreamCaller> upstream,
         redis::RedisConnection* redis, message_cache::CachedMessages& cache, Batcher& batcher);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  const boost::asio::any_io_executor& executor() const { return executor_; }
  upstream::UpstreamCaller& upstream() { return *upstream_; }
  redis::RedisConnection* redis() const { return redis_; }
  message_cache::RedisLane* cache_lane() { return cache_lane_ ? &*cache_lane_ : nullptr; }

  boost::asio::awaitable<coalesce::BatchOutcome> send(const coalesce::BatchCall& call) override;
  boost::asio::awaitable<void> fill(const router::ConversationId& conversation,
                                    std::vector<coalesce::Fill> fills) override;

 private:
  boost::asio::any_io_executor executor_;
  std::unique_ptr<upstream::UpstreamCaller> upstream_;
  redis::RedisConnection* redis_;
  std::optional<message_cache::RedisLane> cache_lane_;
  message_cache::CachedMessages& cache_;
  Batcher& batcher_;
};

}  // namespace yxgate::gateway
