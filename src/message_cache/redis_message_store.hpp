#pragma once
// The Redis layer of the message cache (SPEC §3.1, §3.3, §9), shared by all
// replicas. Keys (key_prefix = P, A = the app's identity, a digest of its
// AppKey: cache/app_identity.hpp, SPEC §11.1):
//   P A:msg:<id>          the message object verbatim (107404s stay in-process)
//   P A:tomb:<id>         set for the race horizon by a mutation of <id>
//   P A:conv:<canon>      ids cached for one conversation (for clears)
//   P A:convtomb:<canon>  set for the race horizon by a clear
//   P invalidate          pub/sub: every replica drops its local entries
//   P invalidate-ack      pub/sub: replicas confirm they dropped them
// Writes are Lua scripts refusing to fill while a tombstone stands, so a read
// that raced a mutation cannot re-insert the old version on any replica; the
// mutating replica waits (bounded by cache.redis.timeout) for every
// subscribed replica to confirm its local drop before answering its client.
// While Redis is down every call fails fast and the cache is bypassed.
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "redis/redis_links.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::request {
struct RedisBudget;
}

namespace yxgate::message_cache {

class InvalidationSink;

// One worker's side of the Redis layer: its connection, and the lookups it
// opened and not yet sent (they leave in one pipelined call).
// Owned by the worker (gateway/worker.hpp) and used on its thread only.
class RedisLane {
 public:
  explicit RedisLane(redis::RedisConnection& connection);
  ~RedisLane();
  RedisLane(const RedisLane&) = delete;
  RedisLane& operator=(const RedisLane&) = delete;

  redis::RedisConnection& connection() const { return connection_; }

 private:
  friend class RedisMessageStore;
  struct OpenGets;
  redis::RedisConnection& connection_;
  std::unique_ptr<OpenGets> open_gets_;
};

// A stored value: the message JSON and what is left of its TTL.
struct RedisCached {
  std::string value;
  std::chrono::milliseconds ttl_left{0};
};

struct RedisLookup {
  enum class Status { kFound, kMissing, kError };  // kError: Redis did not answer
  Status status = Status::kError;
  RedisCached cached;
  // The app's invalidation epoch when Redis read the key (0: none yet); a
  // fill of this lookup's miss passes it to put() (kPutScript's rule).
  std::optional<std::int64_t> epoch;
};

// What a fill did in Redis. kRefused and kError call for opposite actions:
// a refusal means a mutation's tombstone stands (the value may be the old
// version: it must reach no layer); an error means Redis did not answer (the
// local layer's own guards decide).
enum class RedisPut { kStored, kRefused, kError };

class RedisMessageStore {
 public:
  RedisMessageStore(redis::RedisLinks& links, server::WorkerPool& pool,
                    std::vector<std::string> app_names, std::chrono::milliseconds race_horizon);
  ~RedisMessageStore();

  // Subscribes to invalidations from other replicas (drops into `local`)
  // and runs the local-layer lease heartbeats.
  void start(InvalidationSink& local);

  // Lookups a worker starts in the same event-loop turn share one pipeline
  // (MGET, and PTTL per key `with_ttl`): one round trip and one timeout for
  // all. Without `with_ttl` (nothing will be refilled from it) ttl_left is 0.
  boost::asio::awaitable<RedisLookup> get(RedisLane& lane, std::uint32_t app, std::uint64_t id,
                                          bool with_ttl = true);
  // Many ids in one pipeline (a client's batch_messages): one round trip,
  // bounded by `deadline`; results in the order of `ids`.
  boost::asio::awaitable<std::vector<RedisLookup>> get_many(
      RedisLane& lane, std::uint32_t app, const std::vector<std::uint64_t>& ids,
      std::optional<std::chrono::steady_clock::time_point> deadline, bool with_ttl = true);
  // kRefused: a mutation's tombstone stands. `canonical_conversation`
  // indexes the id for clears (empty: not indexed).
  // kError also when `deadline` (the request's share of the Redis timeout)
  // comes first.
  // `seen_epoch`: the epoch the reader's lookup saw (RedisLookup::epoch);
  // without one every tombstone refuses the fill.
  boost::asio::awaitable<RedisPut> put(
      RedisLane& lane, std::uint32_t app, std::uint64_t id, std::string value,
      std::string canonical_conversation, std::chrono::milliseconds ttl,
      std::optional<std::chrono::steady_clock::time_point> deadline,
      std::optional<std::int64_t> seen_epoch = std::nullopt);
  // Tombstone + delete + broadcast; waits for replicas' confirmations within
  // what is left of the budget. One Redis did not take is replayed once it
  // answers again, and with `before_answer` waits until one timeout after
  // Redis first failed this mutation: by then every replica that may not
  // have got it has lost its local lease.
  boost::asio::awaitable<void> invalidate_message(RedisLane& lane, std::uint32_t app,
                                                  std::uint64_t id, request::RedisBudget& budget,
                                                  bool before_answer);
  boost::asio::awaitable<void> invalidate_conversation(RedisLane& lane, std::uint32_t app,
                                                       const std::string& canonical_conversation,
                                                       request::RedisBudget& budget,
                                                       bool before_answer);

  bool up() const;
  // cache.redis.timeout: a request's whole budget on Redis (SPEC §11.3).
  std::chrono::milliseconds timeout() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One key for a conversation whichever side names it: "1|alice|bob" for
// alice|1|bob and bob|1|alice, "2|1001" for any owner of team 1001.
std::string canonical_conversation(const router::ConversationId& conversation);
std::string canonical_conversation(int type, std::string_view sender, std::string_view receiver,
                                   std::uint64_t team_id);

}  // namespace yxgate::message_cache
