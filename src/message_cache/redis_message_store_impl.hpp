#pragma once
// Internal to the Redis layer of the message cache: the state shared by
// redis_message_store.cpp (lookups, fills, the public API) and
// redis_invalidations.cpp (invalidation broadcast, acknowledgements,
// replays and the local-layer lease heartbeats). Include nowhere else.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "cache/invalidation_message.hpp"
#include "cache/local_lease.hpp"
#include "message_cache/invalidation_sink.hpp"
#include "message_cache/redis_message_store.hpp"
#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_options.hpp"
#include "redis/redis_script.hpp"
#include "redis/redis_subscriber.hpp"
#include "request/redis_budget.hpp"
#include "signing/signer.hpp"

namespace yxgate::message_cache::store_detail {
namespace asio = boost::asio;

inline constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Lookups a worker starts share one pipeline (GetBatch), at most this many
// keys each.
inline constexpr std::size_t kMaxKeysPerGet = 64;
// Calls a group keeps out before the next batch is held back for one to
// come back: two keep the worker busy while one is on the wire.
inline constexpr std::size_t kMaxGetsInFlight = 2;

// Tombstones hold the app's invalidation epoch when they were written ('e'
// and the number); a reader saw the epoch in its lookup's MGET, before it
// went upstream. A tombstone stands against a fill unless it is one the
// reader's lookup already followed (e <= seen): then the reader asked
// upstream after that invalidation, and its answer is not older than the
// mutation. Without a seen epoch (Redis did not answer the lookup), or for a
// tombstone of another form (a release before epochs), every tombstone
// stands.
//
// KEYS: msg, tomb, convtomb, convindex. ARGV: value, ttl_ms, id-to-index
// ('' = none), seen epoch ('' = none).
inline constexpr const char* kPutScript = R"lua(
local seen = tonumber(ARGV[4])
local function stands(key)
  local t = redis.call('GET', key)
  if not t then return false end
  if not seen then return true end
  local e = tonumber(string.match(t, '^e(%d+)$'))
  return e == nil or e > seen
end
if stands(KEYS[2]) or stands(KEYS[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('SADD', KEYS[4], ARGV[3])
  if redis.call('PTTL', KEYS[4]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[4], ARGV[2]) end
end
return 1
)lua";

// The next epoch of an app (KEYS[3]), as the string Redis holds: Lua prints
// numbers with 14 digits, too few for these. A new counter (Redis restarted
// empty) starts at the server's time in microseconds, above anything the
// lost one reached, so that no reader's earlier epoch passes a later
// tombstone.
#define YXGATE_NEXT_EPOCH                                                         \
  "if redis.call('INCR', KEYS[3]) == 1 then\n"                                    \
  "  local t = redis.call('TIME')\n"                                              \
  "  redis.call('SET', KEYS[3], t[1] .. string.format('%06d', tonumber(t[2])))\n" \
  "end\n"                                                                         \
  "local e = redis.call('GET', KEYS[3])\n"

// KEYS: msg, tomb, epoch. ARGV: horizon_ms, channel, message. Returns
// receivers (channel '': no PUBLISH, returns 0; cluster mode publishes apart).
inline constexpr const char* kInvalidateScript = YXGATE_NEXT_EPOCH R"lua(
redis.call('SET', KEYS[2], 'e' .. e, 'PX', ARGV[1])
redis.call('DEL', KEYS[1])
if ARGV[2] == '' then return 0 end
return redis.call('PUBLISH', ARGV[2], ARGV[3])
)lua";

// KEYS: convindex, convtomb, epoch. ARGV: horizon_ms, channel, message, msg key prefix.
inline constexpr const char* kClearScript = YXGATE_NEXT_EPOCH R"lua(
redis.call('SET', KEYS[2], 'e' .. e, 'PX', ARGV[1])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[4] .. id) end
redis.call('DEL', KEYS[1])
if ARGV[2] == '' then return 0 end
return redis.call('PUBLISH', ARGV[2], ARGV[3])
)lua";
#undef YXGATE_NEXT_EPOCH

// One pipeline for the lookups of one event-loop turn, or, while
// kMaxGetsInFlight earlier ones of its group are out, of every turn until
// one is answered (or this one is full): Redis answers a connection's
// commands in order, so holding costs a lookup no more than the round trip
// it would have queued behind, and under load one MGET carries many lookups
// (fewer writes, fewer wake-ups of redis-server: issue 18). Every waiter waits on
// the one `done` timer; the call's end cancels it, waking them all.
struct GetBatch {
  GetBatch(const asio::any_io_executor& executor, std::uint32_t g,
           std::chrono::steady_clock::time_point opened_at)
      : done(executor, asio::steady_timer::time_point::max()),
        hold(executor, asio::steady_timer::time_point::max()),
        group(g),
        opened(opened_at) {}
  asio::steady_timer done;
  asio::steady_timer hold;  // cancelled when it may leave (released)
  std::uint32_t group;      // the app in cluster mode (its keys share a slot), else 0
  // The first lookup's start: the call's deadline is one timeout after it,
  // however long the batch was held (SPEC §11.3).
  std::chrono::steady_clock::time_point opened;
  bool answered = false;
  bool released = false;  // full, or the call ahead of it was answered
  bool with_ttl = false;  // any joiner wants it
  std::vector<std::string> keys;
  std::vector<std::uint32_t> apps;  // each key's app (its epoch is read too)
  std::vector<RedisLookup> results;

  void release() {
    released = true;
    hold.cancel();
  }
};

// Per group: the batch still taking lookups, and how many calls are out.
struct GetGroup {
  std::shared_ptr<GetBatch> open;
  std::size_t in_flight = 0;
};

struct AckWait {
  std::int64_t needed = -1;  // unknown until PUBLISH answers
  std::int64_t got = 0;
  std::shared_ptr<asio::steady_timer> timer;
};

}  // namespace yxgate::message_cache::store_detail

namespace yxgate::message_cache {
// Per group (never erased: one per app at most), its lookup batches.
struct RedisLane::OpenGets {
  std::unordered_map<std::uint32_t, store_detail::GetGroup> by_group;
};
}  // namespace yxgate::message_cache

namespace yxgate::message_cache {

namespace asio = boost::asio;
using namespace store_detail;

struct RedisMessageStore::Impl {
  Impl(redis::RedisLinks& l, server::WorkerPool& p, std::vector<std::string> names,
       std::chrono::milliseconds horizon)
      : links(l),
        pool(p),
        config(l.config()),
        app_names(std::move(names)),
        race_horizon(horizon),
        cluster(config.mode == "cluster"),
        heartbeat_every(std::max(config.timeout / 3, std::chrono::milliseconds(5))),
        lease(signing::random_hex(8), config.timeout) {
    for (std::uint32_t app = 0; app < app_names.size(); ++app) {
      epoch_keys.push_back(key(app, "epoch", "invalidations"));
    }
  }

  // The connection of the worker the store's own loops run on (worker 0:
  // heartbeats, replays, the subscriber's handlers).
  redis::RedisConnection& home() { return links.connection(0); }
  asio::awaitable<void> run_get_batch(RedisLane& lane, std::shared_ptr<GetBatch> batch);

  redis::RedisLinks& links;
  server::WorkerPool& pool;
  config::RedisConfig config;
  std::vector<std::string> app_names;
  std::vector<std::string> epoch_keys;  // per app: its invalidation epoch (kPutScript)
  std::chrono::milliseconds race_horizon;
  redis::RedisScript put_script{kPutScript};
  redis::RedisScript invalidate_script{kInvalidateScript};
  redis::RedisScript clear_script{kClearScript};
  std::string channel;
  std::string ack_channel;
  std::mutex mutex;
  std::unordered_map<std::string, AckWait> waits;  // by nonce
  InvalidationSink* local = nullptr;
  // Cluster mode: each app's keys carry the app as hash tag, so every
  // script (a batch of lookups, a put, an invalidation, a clear) touches one
  // slot (SPEC §11.6), and a lookup batch holds one app's keys.
  bool cluster;

  std::string key(std::uint32_t app, std::string_view kind, std::string_view rest) const {
    // One allocation: every lookup builds one of these.
    const auto& name = app_names[app];
    std::string key;
    key.reserve(config.key_prefix.size() + name.size() + kind.size() + rest.size() + 4);
    key.append(config.key_prefix);
    if (cluster) key.push_back('{');
    key.append(name);
    if (cluster) key.push_back('}');
    key.append(":").append(kind).append(":").append(rest);
    return key;
  }

  void on_invalidation(std::string_view message);
  // Local-layer lease (SPEC §11.2; cache/local_lease.hpp has the rules,
  // CachedMessages::set_lease serves them). Runs on worker 0, like the
  // subscriber's handlers: no lock for `lease`.
  asio::awaitable<void> heartbeats();
  void apply(const cache::LocalLease::Renewal& renewal);
  void lose_lease(std::string_view why);

  std::chrono::milliseconds heartbeat_every;
  cache::LocalLease lease;
  // A PUBLISH counts the subscribers connected to its node now: not a
  // replica whose link was just cut (it may still hold a lease), nor, in
  // cluster mode while the channel's slot moves, one still subscribed on the
  // old node. So an invalidation waits for at least one confirmation per
  // replica whose heartbeat came lately (under `mutex`).
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> replicas_seen;
  std::int64_t replicas_alive(std::chrono::steady_clock::time_point now);

  // Invalidations Redis did not take, replayed by the heartbeat loop once it
  // answers again: the Redis layer may still hold the old version.
  struct Unsent {
    const redis::RedisScript* script;
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  std::vector<Unsent> unsent;  // under `mutex`
  asio::awaitable<void> replay_unsent();
  void on_ack(std::string_view nonce);
  asio::awaitable<void> broadcast(redis::RedisConnection& connection,
                                  const redis::RedisScript& script, std::vector<std::string> keys,
                                  std::vector<std::string> args, const std::string& nonce,
                                  request::RedisBudget& budget, bool before_answer);
};

}  // namespace yxgate::message_cache
