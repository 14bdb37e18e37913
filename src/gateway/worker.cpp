#include "gateway/worker.hpp"

#include "gateway/batcher.hpp"

namespace yxgate::gateway {

Worker::Worker(boost::asio::any_io_executor executor,
               std::unique_ptr<upstream::UpstreamCaller> upstream, redis::RedisConnection* redis,
               message_cache::CachedMessages& cache, Batcher& batcher)
    : executor_(std::move(executor)),
      upstream_(std::move(upstream)),
      redis_(redis),
      cache_(cache),
      batcher_(batcher) {
  if (redis_) cache_lane_.emplace(*redis_);
}

boost::asio::awaitable<coalesce::BatchOutcome> Worker::send(const coalesce::BatchCall& call) {
  return batcher_.send(*upstream_, call);
}

boost::asio::awaitable<void> Worker::fill(const router::ConversationId& conversation,
                                          std::vector<coalesce::Fill> fills) {
  return cache_.fill_call(cache_lane(), conversation, std::move(fills));
}

}  // namespace yxgate::gateway
