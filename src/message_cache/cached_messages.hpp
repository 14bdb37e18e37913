#pragma once
// The two cache layers of SPEC §3.1 behind one interface: the in-process
// LocalCache, then (when configured) Redis. Lookups return what may be served
// (ownership and message_time already checked); fills carry the ticket taken
// before going upstream, so a mutation that raced the read vetoes the fill
// (SPEC §3.3). Shared by all workers; LocalCache is internally sharded.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cache/cached_message.hpp"
#include "cache/local_cache.hpp"
#include "cache/upstream_reply.hpp"
#include "coalesce/lane.hpp"
#include "coalesce/ticket.hpp"
#include "config/config.hpp"
#include "message_cache/invalidation_sink.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "request/redis_budget.hpp"

namespace yxgate::message_cache {

class RedisMessageStore;
class RedisLane;
struct RedisLookup;

struct CacheAnswer {
  cache::LocalCache::EntryPtr entry;  // set on a hit or negative hit
  cache::Lookup result = cache::Lookup::kMiss;
  std::string_view layer;  // "local" | "redis" when answered
  // A miss Redis answered: the epoch its fill passes on (FillTicket::redis_epoch).
  std::optional<std::int64_t> redis_epoch{};
};

// Taken before going upstream; see the rules in coalesce/ticket.hpp.
using FillTicket = coalesce::FillTicket;

// The coalescing core's ticket source (coalesce/ticket.hpp) and the Redis
// layer's invalidation sink (invalidation_sink.hpp).
class CachedMessages final : public coalesce::TicketSource, public InvalidationSink {
 public:
  // `app_names[i]` is the cache identity of app index i (app_identity.hpp).
  CachedMessages(const config::CacheConfig& config, std::vector<std::string> app_names,
                 std::chrono::milliseconds race_horizon);
  ~CachedMessages();

  // From then on the local layer is served only under a lease (below).
  void attach_redis(RedisMessageStore* redis) {
    redis_ = redis;
    lease_required_ = redis != nullptr;
  }

  // `lane` is the calling worker's side of the Redis layer (its connection);
  // null when Redis is not configured. Every Redis call below goes on it.
  // Redis time is charged to `budget` (SPEC §11.3).
  boost::asio::awaitable<CacheAnswer> lookup(RedisLane* lane, std::uint32_t app, std::uint64_t id,
                                             const router::ConversationId& conversation,
                                             std::optional<std::uint64_t> message_time,
                                             request::RedisBudget& budget);
  // Every item of a client's batch_messages: the in-process layer, then the
  // rest in one Redis round trip. Answers in the order of `items`.
  boost::asio::awaitable<std::vector<CacheAnswer>> lookup_all(
      RedisLane* lane, std::uint32_t app, const router::ConversationId& conversation,
      const std::vector<cache::BatchItem>& items, request::RedisBudget& budget);
  // The two layers on their own: the in-process one answers without
  // suspending (the hit path needs no coroutine frame); the Redis one
  // answers a miss when Redis is not configured.
  CacheAnswer lookup_local(std::uint32_t app, std::uint64_t id,
                           const router::ConversationId& conversation,
                           std::optional<std::uint64_t> message_time);
  boost::asio::awaitable<CacheAnswer> lookup_redis(RedisLane* lane, std::uint32_t app,
                                                   std::uint64_t id,
                                                   const router::ConversationId& conversation,
                                                   std::optional<std::uint64_t> message_time,
                                                   request::RedisBudget& budget);
  FillTicket ticket(std::uint32_t app, std::uint64_t id) const override;

  // `message_json` is the message object verbatim as upstream returned it.
  // Its Redis write gets what is left of `budget`; when that runs out first
  // the local layer alone is filled (under its lease, as on a Redis error).
  boost::asio::awaitable<void> fill_message(RedisLane* lane, const FillTicket& ticket,
                                            std::string message_json, request::RedisBudget& budget);
  // A batch call's fills (coalesce::Lane::fill): one Redis round trip and
  // one Redis budget for all of them.
  boost::asio::awaitable<void> fill_call(RedisLane* lane,
                                         const router::ConversationId& conversation,
                                         std::vector<coalesce::Fill> fills);
  // A 107404 answer to this exact question (negative_ttl; 0 disables).
  boost::asio::awaitable<void> fill_not_found(RedisLane* lane, const FillTicket& ticket,
                                              const router::ConversationId& conversation,
                                              std::optional<std::uint64_t> message_time);

  // SPEC §3.3, on this replica and (through Redis) on every other one.
  // `before_answer`: the client is answered next, so an invalidation Redis
  // did not confirm waits out the other replicas' leases (within `budget`).
  boost::asio::awaitable<void> invalidate_message(RedisLane* lane, std::uint32_t app,
                                                  std::uint64_t id, request::RedisBudget& budget,
                                                  bool before_answer);
  boost::asio::awaitable<void> invalidate_conversation(RedisLane* lane, std::uint32_t app,
                                                       const router::ConversationId& conversation,
                                                       request::RedisBudget& budget,
                                                       bool before_answer);

  // Local-only drops: pub/sub messages from other replicas.
  void drop_local_message(std::uint32_t app, std::uint64_t id) override;
  void drop_local_conversation(std::uint32_t app, const router::ConversationId& conversation);
  // `canonical` as from canonical_conversation() (redis_message_store.hpp).
  void drop_local_canonical_conversation(std::uint32_t app, std::string_view canonical) override;
  // After missing invalidations (pub/sub reconnect): forget the local layer.
  void drop_all_local() override;

  // Local-layer lease (SPEC §11.2). With Redis attached, the local layer is
  // served only before `until`: the Redis layer extends it each time this
  // replica's own heartbeat comes back over the invalidation channel (every
  // invalidation published before it has then been applied here), and ends
  // it on any sign that one may have been missed.
  void set_lease(std::chrono::steady_clock::time_point until) override {
    lease_until_ns_.store(until.time_since_epoch().count(), std::memory_order_release);
  }
  std::chrono::steady_clock::time_point lease() const override {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(lease_until_ns_.load(std::memory_order_acquire)));
  }
  bool leased(std::chrono::steady_clock::time_point now) const {
    return !lease_required_ || now < lease();
  }

  std::size_t local_bytes() const { return local_.bytes(); }
  bool local_enabled() const { return local_.enabled(); }
  // SIGHUP: new cache.ttl / negative_ttl for fills from now on.
  void set_ttls(std::chrono::milliseconds ttl, std::chrono::milliseconds negative_ttl);
  const config::CacheConfig& config() const { return config_; }
  std::size_t app_count() const { return app_names_.size(); }

 private:
  void publish_local_bytes() const;
  // Decodes, matches and counts one Redis answer; refills the local layer.
  CacheAnswer answer_from_redis(const FillTicket& ticket, RedisLookup found,
                                const router::ConversationId& conversation,
                                std::optional<std::uint64_t> message_time);
  void put_local(const FillTicket& ticket, std::shared_ptr<const cache::CacheEntry> entry,
                 std::chrono::milliseconds ttl);

  config::CacheConfig config_;
  std::atomic<std::int64_t> ttl_ms_;
  std::atomic<std::int64_t> negative_ttl_ms_;
  std::vector<std::string> app_names_;
  cache::LocalCache local_;
  metrics::CacheLookupMetrics metrics_;  // resolved at construction: lookups take no metrics lock
  metrics::Gauge& local_bytes_;
  RedisMessageStore* redis_ = nullptr;
  bool lease_required_ = false;  // set once, before workers run
  std::atomic<std::chrono::steady_clock::rep> lease_until_ns_{0};
};

}  // namespace yxgate::message_cache
