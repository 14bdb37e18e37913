#include "message_cache/cached_messages.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "message_cache/redis_message_store.hpp"
#include "metrics/yxgate_metrics.hpp"

namespace yxgate::message_cache {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

cache::LocalCacheOptions local_options(const config::CacheConfig& config,
                                       std::chrono::milliseconds race_horizon) {
  cache::LocalCacheOptions options;
  options.max_bytes = config.local_max_bytes;
  options.generation_horizon = race_horizon;
  return options;
}

// metrics::LookupResult lists cache::Lookup's values in the same order.
metrics::LookupResult lookup_result(cache::Lookup result) {
  static_assert(static_cast<int>(cache::Lookup::kHit) ==
                static_cast<int>(metrics::LookupResult::kHit));
  static_assert(static_cast<int>(cache::Lookup::kNegativeHit) ==
                static_cast<int>(metrics::LookupResult::kNegativeHit));
  static_assert(static_cast<int>(cache::Lookup::kMiss) ==
                static_cast<int>(metrics::LookupResult::kMiss));
  return static_cast<metrics::LookupResult>(result);
}

// Redis values are the message object verbatim (SPEC §3.1). 107404 answers
// are cached in-process only: they live negative_ttl (seconds), and the
// Redis key's contract is "the message as upstream returned it".
std::shared_ptr<const cache::CacheEntry> decode_value(std::uint64_t id, std::string value) {
  auto facts = cache::extract_facts(value);
  if (!facts || facts->message_server_id != id) return nullptr;
  return std::make_shared<const cache::CacheEntry>(
      cache::make_positive_entry(std::move(value), std::move(*facts)));
}

}  // namespace

CachedMessages::CachedMessages(const config::CacheConfig& config,
                               std::vector<std::string> app_names,
                               std::chrono::milliseconds race_horizon)
    : config_(config),
      ttl_ms_(config.ttl.count()),
      negative_ttl_ms_(config.negative_ttl.count()),
      app_names_(std::move(app_names)),
      local_(local_options(config, race_horizon)),
      metrics_(metrics::yxgate_metrics()),
      local_bytes_(metrics::yxgate_metrics().cache_local_bytes) {}

CachedMessages::~CachedMessages() = default;

CacheAnswer CachedMessages::lookup_local(std::uint32_t app, std::uint64_t id,
                                         const router::ConversationId& conversation,
                                         std::optional<std::uint64_t> message_time) {
  if (!local_.enabled()) return CacheAnswer{};
  const auto now = Clock::now();
  // Without a lease this replica may have missed an invalidation: its
  // entries may be old versions (SPEC §11.2). They are dropped when the
  // lease is regained; until then the lookup goes on to Redis / upstream.
  if (!leased(now)) {
    metrics_.lookups(metrics::CacheLayer::kLocal, metrics::LookupResult::kMiss).Increment();
    return CacheAnswer{};
  }
  auto entry = local_.get(cache::CacheKey{app, id}, now);
  const auto result =
      entry ? cache::match(*entry, conversation, message_time) : cache::Lookup::kMiss;
  metrics_.lookups(metrics::CacheLayer::kLocal, lookup_result(result)).Increment();
  if (result == cache::Lookup::kMiss) return CacheAnswer{};
  return CacheAnswer{std::move(entry), result, "local"};
}

asio::awaitable<CacheAnswer> CachedMessages::lookup(RedisLane* lane, std::uint32_t app,
                                                    std::uint64_t id,
                                                    const router::ConversationId& conversation,
                                                    std::optional<std::uint64_t> message_time,
                                                    request::RedisBudget& budget) {
  auto local = lookup_local(app, id, conversation, message_time);
  if (local.entry) co_return local;
  co_return co_await lookup_redis(lane, app, id, conversation, message_time, budget);
}

asio::awaitable<CacheAnswer> CachedMessages::lookup_redis(
    RedisLane* lane, std::uint32_t app, std::uint64_t id,
    const router::ConversationId& conversation, std::optional<std::uint64_t> message_time,
    request::RedisBudget& budget) {
  if (!redis_ || !lane) co_return CacheAnswer{};
  const auto ticket = this->ticket(app, id);  // before the read: a racing drop vetoes the refill
  const auto started = Clock::now();
  // A lookup is a request's first use of Redis: it has the whole timeout,
  // which the shared GET batch it joins is bounded by.
  auto found = co_await redis_->get(*lane, app, id, local_.enabled());
  budget.charge(started, Clock::now());
  co_return answer_from_redis(ticket, std::move(found), conversation, message_time);
}

asio::awaitable<std::vector<CacheAnswer>> CachedMessages::lookup_all(
    RedisLane* lane, std::uint32_t app, const router::ConversationId& conversation,
    const std::vector<cache::BatchItem>& items, request::RedisBudget& budget) {
  std::vector<CacheAnswer> answers(items.size());
  std::vector<std::size_t> missed;
  for (std::size_t i = 0; i < items.size(); ++i) {
    answers[i] = lookup_local(app, items[i].message_server_id, conversation, items[i].create_time);
    if (!answers[i].entry) missed.push_back(i);
  }
  if (!redis_ || !lane || missed.empty()) co_return answers;
  std::vector<std::uint64_t> ids;
  std::vector<FillTicket> tickets;  // before the read, as in lookup_redis
  for (const auto i : missed) {
    ids.push_back(items[i].message_server_id);
    tickets.push_back(ticket(app, items[i].message_server_id));
  }
  const auto started = Clock::now();
  auto found = co_await redis_->get_many(
      *lane, app, ids, budget.deadline(started, redis_->timeout()), local_.enabled());
  budget.charge(started, Clock::now());
  for (std::size_t k = 0; k < missed.size(); ++k) {
    const auto& item = items[missed[k]];
    answers[missed[k]] =
        answer_from_redis(tickets[k], std::move(found[k]), conversation, item.create_time);
  }
  co_return answers;
}

CacheAnswer CachedMessages::answer_from_redis(const FillTicket& ticket, RedisLookup found,
                                              const router::ConversationId& conversation,
                                              std::optional<std::uint64_t> message_time) {
  if (found.status == RedisLookup::Status::kError) {
    metrics_.lookups(metrics::CacheLayer::kRedis, metrics::LookupResult::kError).Increment();
    return CacheAnswer{};
  }
  std::shared_ptr<const cache::CacheEntry> entry;
  if (found.status == RedisLookup::Status::kFound) {
    entry = decode_value(ticket.key.message_server_id, std::move(found.cached.value));
  }
  const auto result =
      entry ? cache::match(*entry, conversation, message_time) : cache::Lookup::kMiss;
  metrics_.lookups(metrics::CacheLayer::kRedis, lookup_result(result)).Increment();
  if (result == cache::Lookup::kMiss) {
    CacheAnswer miss;
    miss.redis_epoch = found.epoch;
    return miss;
  }
  // Refill the local layer for what is left of the Redis TTL.
  if (found.cached.ttl_left.count() > 0) put_local(ticket, entry, found.cached.ttl_left);
  return CacheAnswer{std::move(entry), result, "redis"};
}

FillTicket CachedMessages::ticket(std::uint32_t app, std::uint64_t id) const {
  const cache::CacheKey key{app, id};
  return FillTicket{key, local_.generation(key), leased(Clock::now())};
}

void CachedMessages::put_local(const FillTicket& ticket,
                               std::shared_ptr<const cache::CacheEntry> entry,
                               std::chrono::milliseconds ttl) {
  local_.put_if_unchanged(ticket.key, std::move(entry), Clock::now() + ttl,
                          ticket.local_generation);
  publish_local_bytes();
}

asio::awaitable<void> CachedMessages::fill_message(RedisLane* lane, const FillTicket& ticket,
                                                   std::string message_json,
                                                   request::RedisBudget& budget) {
  auto facts = cache::extract_facts(message_json);
  if (!facts || facts->message_server_id != ticket.key.message_server_id) {
    // Not a message we can check ownership of: never cache what we cannot match.
    spdlog::warn("\"event\":\"cache_skip\",\"reason\":\"unrecognised message object\"");
    co_return;
  }
  if (redis_ && lane) {
    const auto canonical = canonical_conversation(facts->conversation_type, facts->sender_id,
                                                  facts->receiver_id, facts->team_id);
    const auto started = Clock::now();
    const auto put =
        co_await redis_->put(*lane, ticket.key.app, ticket.key.message_server_id, message_json,
                             canonical, std::chrono::milliseconds(ttl_ms_.load()),
                             budget.deadline(started, redis_->timeout()), ticket.redis_epoch);
    budget.charge(started, Clock::now());
    // Refused means a mutation's tombstone stands: this may be the old
    // version, so it must not reach the local layer either. (When Redis did
    // not answer, the local generation check and the lease guard this
    // replica.)
    if (put == RedisPut::kRefused) co_return;
  }
  auto entry = std::make_shared<const cache::CacheEntry>(
      cache::make_positive_entry(std::move(message_json), std::move(*facts)));
  put_local(ticket, std::move(entry), std::chrono::milliseconds(ttl_ms_.load()));
}

asio::awaitable<void> CachedMessages::fill_call(RedisLane* lane,
                                                const router::ConversationId& conversation,
                                                std::vector<coalesce::Fill> fills) {
  // The call's Redis writes leave together, pipelined on this worker's
  // connection: one round trip and at most one cache.redis.timeout for all
  // of them (SPEC §11.3), however many there are. The call's waiters have
  // been answered already (coalesce/lane.hpp).
  const auto executor = co_await asio::this_coro::executor;
  std::size_t pending = 0;
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  for (const auto& fill : fills) {
    if (fill.kind == coalesce::Fill::Kind::kNotFound) {
      co_await fill_not_found(lane, *fill.ticket, conversation, fill.create_time);
      continue;
    }
    ++pending;
    asio::co_spawn(
        executor,
        [this, lane, &fill, &pending, &all_done]() -> asio::awaitable<void> {
          request::RedisBudget side_by_side;  // each has the whole timeout: they overlap
          co_await fill_message(lane, *fill.ticket, std::string(fill.message_json), side_by_side);
          if (--pending == 0) all_done.cancel();
        },
        asio::detached);
  }
  if (pending > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> CachedMessages::fill_not_found(RedisLane* lane, const FillTicket& ticket,
                                                     const router::ConversationId& conversation,
                                                     std::optional<std::uint64_t> message_time) {
  if (negative_ttl_ms_.load() <= 0) co_return;
  // A positive entry that does not answer this question stays: it is still
  // right for its own conversation (see CacheEntry).
  if (auto existing = local_.get(ticket.key, Clock::now());
      existing && !existing->negative &&
      cache::match(*existing, conversation, message_time) != cache::Lookup::kHit) {
    co_return;
  }
  auto entry = std::make_shared<const cache::CacheEntry>(
      cache::make_negative_entry(ticket.key.message_server_id, conversation, message_time));
  put_local(ticket, std::move(entry), std::chrono::milliseconds(negative_ttl_ms_.load()));
  co_return;
}

asio::awaitable<void> CachedMessages::invalidate_message(RedisLane* lane, std::uint32_t app,
                                                         std::uint64_t id,
                                                         request::RedisBudget& budget,
                                                         bool before_answer) {
  drop_local_message(app, id);
  if (redis_ && lane) co_await redis_->invalidate_message(*lane, app, id, budget, before_answer);
}

asio::awaitable<void> CachedMessages::invalidate_conversation(
    RedisLane* lane, std::uint32_t app, const router::ConversationId& conversation,
    request::RedisBudget& budget, bool before_answer) {
  drop_local_conversation(app, conversation);
  if (redis_ && lane) {
    co_await redis_->invalidate_conversation(*lane, app, canonical_conversation(conversation),
                                             budget, before_answer);
  }
}

void CachedMessages::set_ttls(std::chrono::milliseconds ttl,
                              std::chrono::milliseconds negative_ttl) {
  ttl_ms_ = ttl.count();
  negative_ttl_ms_ = negative_ttl.count();
}

void CachedMessages::drop_local_message(std::uint32_t app, std::uint64_t id) {
  local_.invalidate(cache::CacheKey{app, id}, Clock::now());
  publish_local_bytes();
}

void CachedMessages::drop_local_conversation(std::uint32_t app,
                                             const router::ConversationId& conversation) {
  local_.invalidate_all_matching([&](const cache::CacheKey& key, const cache::CacheEntry& entry) {
    if (key.app != app) return false;
    if (entry.negative) return true;  // cheap to refetch; may concern this conversation
    return cache::belongs_to(entry.facts, conversation);
  });
  publish_local_bytes();
}

void CachedMessages::drop_local_canonical_conversation(std::uint32_t app,
                                                       std::string_view canonical) {
  local_.invalidate_all_matching([&](const cache::CacheKey& key, const cache::CacheEntry& entry) {
    if (key.app != app) return false;
    if (entry.negative) return true;
    const auto& f = entry.facts;
    return canonical_conversation(f.conversation_type, f.sender_id, f.receiver_id, f.team_id) ==
           canonical;
  });
  publish_local_bytes();
}

void CachedMessages::drop_all_local() {
  local_.invalidate_all_matching(
      [](const cache::CacheKey&, const cache::CacheEntry&) { return true; });
  publish_local_bytes();
}

void CachedMessages::publish_local_bytes() const {
  local_bytes_.Set(static_cast<double>(local_.bytes()));
}

}  // namespace yxgate::message_cache
