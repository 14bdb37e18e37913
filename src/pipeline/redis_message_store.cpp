#include "pipeline/redis_message_store.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "cache/invalidation_message.hpp"
#include "pipeline/cached_messages.hpp"
#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_options.hpp"
#include "redis/redis_script.hpp"
#include "redis/redis_subscriber.hpp"
#include "signing/signer.hpp"

namespace yxgate::pipeline {
namespace asio = boost::asio;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// {value or false, pttl} for every key, in one round trip.
constexpr const char* kGetScript = R"lua(
local out = {}
for i = 1, #KEYS do
  out[2 * i - 1] = redis.call('GET', KEYS[i])
  out[2 * i] = redis.call('PTTL', KEYS[i])
end
return out
)lua";

// Lookups a worker starts in one turn of its event loop share one script
// call (at most this many keys each).
constexpr std::size_t kMaxKeysPerGet = 64;

// KEYS: msg, tomb, convtomb, convindex. ARGV: value, ttl_ms, id-to-index
// ('' = none), only_if_absent ('1'). Refuses while a mutation's tombstone
// stands: the reader may hold the version the mutation replaced.
constexpr const char* kPutScript = R"lua(
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if ARGV[4] == '1' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 0 end
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if ARGV[3] ~= '' then
  redis.call('SADD', KEYS[4], ARGV[3])
  if redis.call('PTTL', KEYS[4]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[4], ARGV[2]) end
end
return 1
)lua";

// KEYS: msg, tomb. ARGV: horizon_ms, channel, message. Returns receivers
// (channel '': no PUBLISH, returns 0; cluster mode publishes apart).
constexpr const char* kInvalidateScript = R"lua(
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
redis.call('DEL', KEYS[1])
if ARGV[2] == '' then return 0 end
return redis.call('PUBLISH', ARGV[2], ARGV[3])
)lua";

// KEYS: convindex, convtomb. ARGV: horizon_ms, channel, message, msg key prefix.
constexpr const char* kClearScript = R"lua(
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[4] .. id) end
redis.call('DEL', KEYS[1])
if ARGV[2] == '' then return 0 end
return redis.call('PUBLISH', ARGV[2], ARGV[3])
)lua";

// One script call for the lookups of one event-loop turn. Every waiter
// waits on the one timer; the call's end cancels it, waking them all.
struct GetBatch {
  GetBatch(const asio::any_io_executor& executor, std::uint32_t g)
      : done(executor, asio::steady_timer::time_point::max()), group(g) {}
  asio::steady_timer done;
  std::uint32_t group;  // the app in cluster mode (its keys share a slot), else 0
  bool answered = false;
  std::vector<std::string> keys;
  std::vector<RedisLookup> results;
};

// "hb\t<replica>\t<seq>\t<steady ns when sent>": parse_invalidation()
// rejects it (its kind is not m or c), so other replicas ignore it.
constexpr std::string_view kHeartbeat = "hb\t";

struct Heartbeat {
  std::string_view replica;
  std::uint64_t seq = 0;
  std::chrono::steady_clock::time_point sent;
};

std::optional<Heartbeat> parse_heartbeat(std::string_view payload) {
  if (!payload.starts_with(kHeartbeat)) return std::nullopt;
  payload.remove_prefix(kHeartbeat.size());
  const auto tab = payload.find('\t');
  const auto tab2 = payload.find('\t', tab == std::string_view::npos ? tab : tab + 1);
  if (tab == std::string_view::npos || tab2 == std::string_view::npos) return std::nullopt;
  Heartbeat beat{payload.substr(0, tab)};
  const auto seq = payload.substr(tab + 1, tab2 - tab - 1);
  const auto sent = payload.substr(tab2 + 1);
  std::chrono::steady_clock::rep ns = 0;
  if (std::from_chars(seq.data(), seq.data() + seq.size(), beat.seq).ec != std::errc{} ||
      std::from_chars(sent.data(), sent.data() + sent.size(), ns).ec != std::errc{}) {
    return std::nullopt;
  }
  beat.sent = std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(ns));
  return beat;
}

struct AckWait {
  std::int64_t needed = -1;  // unknown until PUBLISH answers
  std::int64_t got = 0;
  std::shared_ptr<asio::steady_timer> timer;
};

}  // namespace

std::string canonical_conversation(int type, std::string_view sender, std::string_view receiver,
                                   std::uint64_t team_id) {
  if (type != 1) return std::to_string(type) + "|" + std::to_string(team_id);
  const auto [a, b] = std::minmax(sender, receiver);
  return "1|" + std::string(a) + "|" + std::string(b);
}

std::string canonical_conversation(const router::ConversationId& conversation) {
  return canonical_conversation(static_cast<int>(conversation.type), conversation.owner_id,
                                conversation.other_id, conversation.team_id);
}

struct RedisMessageStore::Impl {
  Impl(RedisLinks& l, server::WorkerPool& p, std::vector<std::string> names,
       std::chrono::milliseconds horizon)
      : links(l),
        pool(p),
        config(l.config()),
        app_names(std::move(names)),
        race_horizon(horizon),
        cluster(config.mode == "cluster"),
        open_gets(p.size()),
        heartbeat_every(std::max(config.timeout / 3, std::chrono::milliseconds(5))),
        lease_for(config.timeout) {}

  redis::RedisConnection& connection(std::size_t worker) { return links.connection(worker); }
  asio::awaitable<void> run_get_batch(std::size_t worker, std::shared_ptr<GetBatch> batch);

  RedisLinks& links;
  server::WorkerPool& pool;
  config::RedisConfig config;
  std::vector<std::string> app_names;
  std::chrono::milliseconds race_horizon;
  redis::RedisScript get_script{kGetScript};
  redis::RedisScript put_script{kPutScript};
  redis::RedisScript invalidate_script{kInvalidateScript};
  redis::RedisScript clear_script{kClearScript};
  std::string channel;
  std::string ack_channel;
  std::mutex mutex;
  std::unordered_map<std::string, AckWait> waits;  // by nonce
  CachedMessages* local = nullptr;
  // Cluster mode: each app's keys carry the app as hash tag, so every
  // script (a batch of lookups, a put, an invalidation, a clear) touches one
  // slot (SPEC §11.6), and a lookup batch holds one app's keys.
  bool cluster;
  // Per worker and group, the batch still taking lookups (only touched on
  // that worker).
  std::vector<std::unordered_map<std::uint32_t, std::shared_ptr<GetBatch>>> open_gets;

  std::string key(std::uint32_t app, std::string_view kind, std::string_view rest) const {
    const auto& name = app_names[app];
    return config.key_prefix + (cluster ? "{" + name + "}" : name) + ":" + std::string(kind) + ":" +
           std::string(rest);
  }

  void on_invalidation(std::string_view message);
  // Local-layer lease (SPEC §11.2; CachedMessages::set_lease). Both run on
  // worker 0, like the subscriber's handlers: no lock for the fields below.
  asio::awaitable<void> heartbeats();
  void on_heartbeat(const Heartbeat& beat);
  void lose_lease(std::string_view why);
  void grant_lease(std::chrono::steady_clock::time_point proven_at);

  std::string replica = signing::random_hex(8);
  std::chrono::milliseconds heartbeat_every;
  std::chrono::milliseconds lease_for;
  std::uint64_t heartbeats_sent = 0;
  std::uint64_t heartbeats_seen = 0;
  bool lease_lost = false;
  bool lease_held = false;  // for one log line per loss
  bool resync = true;       // the next own heartbeat sets the numbering

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
  asio::awaitable<void> broadcast(std::size_t worker, const redis::RedisScript& script,
                                  std::vector<std::string> keys, std::vector<std::string> args,
                                  const std::string& nonce, RedisBudget& budget,
                                  bool before_answer);
};

RedisMessageStore::RedisMessageStore(RedisLinks& links, server::WorkerPool& pool,
                                     std::vector<std::string> app_names,
                                     std::chrono::milliseconds race_horizon)
    : impl_(std::make_unique<Impl>(links, pool, std::move(app_names), race_horizon)) {
  impl_->channel = impl_->config.key_prefix + "invalidate";
  impl_->ack_channel = impl_->config.key_prefix + "invalidate-ack";
}

RedisMessageStore::~RedisMessageStore() = default;

bool RedisMessageStore::up() const { return impl_->links.up(); }

std::chrono::milliseconds RedisMessageStore::timeout() const { return impl_->config.timeout; }

void RedisMessageStore::start(CachedMessages& local) {
  impl_->local = &local;
  Impl* impl = impl_.get();
  impl_->links.subscriber().subscribe(
      impl_->channel, [impl](std::string_view message) { impl->on_invalidation(message); },
      // Invalidations published while we were not subscribed are lost:
      // forget everything local rather than serve what may have changed.
      // Subscribed from now on: an empty layer misses nothing later.
      [impl] {
        impl->local->drop_all_local();
        impl->grant_lease(std::chrono::steady_clock::now());
        impl->resync = true;
      });
  impl_->links.subscriber().subscribe(impl_->ack_channel,
                                      [impl](std::string_view nonce) { impl->on_ack(nonce); });
  // The loop lives as long as worker 0 runs; shutdown drops its frame.
  asio::co_spawn(impl_->pool.context(0), impl_->heartbeats(), asio::detached);
}

// Every heartbeat_every, this replica publishes a numbered heartbeat on the
// invalidation channel. Pub/sub delivers one channel in publish order, so
// getting our own heartbeat back proves every invalidation Redis published
// before it has reached us: the local layer may be served until
// sent + lease_for. A heartbeat that fails (Redis down, silent, refusing),
// a gap in the numbers, or a silence past the lease ends the lease; the next
// heartbeat that comes back drops the whole local layer and starts a new one.
// lease_for is cache.redis.timeout: a mutation whose invalidation Redis did
// not confirm answers its client only once that much has passed since it
// tried (broadcast()), so by then every replica that did not get it has
// stopped serving its local layer.
asio::awaitable<void> RedisMessageStore::Impl::heartbeats() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    co_await replay_unsent();
    const auto sent = std::chrono::steady_clock::now();
    const auto payload = std::string(kHeartbeat) + replica + "\t" +
                         std::to_string(++heartbeats_sent) + "\t" +
                         std::to_string(sent.time_since_epoch().count());
    // Down or suspect: no proof this beat (and no command to count as an
    // error: the outage is counted once where it was seen).
    if (!connection(0).up()) {
      lose_lease("redis down or silent");
    } else {
      const auto reply = co_await connection(0).command(redis::cmd("PUBLISH", channel, payload));
      if (!reply || !reply->is_integer()) lose_lease("heartbeat failed");
    }
    timer.expires_at(sent + heartbeat_every);
    co_await timer.async_wait(kAwait);
  }
}

asio::awaitable<void> RedisMessageStore::Impl::replay_unsent() {
  std::vector<Unsent> batch;
  {
    std::lock_guard lock(mutex);
    batch.swap(unsent);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& u = batch[i];
    const auto reply = co_await u.script->run(connection(0), u.keys, u.args);
    if (reply && !reply.is_error()) continue;
    // Still no answer: keep this one and the rest for the next beat.
    std::lock_guard lock(mutex);
    unsent.insert(unsent.begin(), std::make_move_iterator(batch.begin() + i),
                  std::make_move_iterator(batch.end()));
    co_return;
  }
}

void RedisMessageStore::Impl::on_heartbeat(const Heartbeat& beat) {
  if (beat.replica != replica) return;  // another replica's: its own proof
  const bool gap = !resync && beat.seq != heartbeats_seen + 1;
  resync = false;
  heartbeats_seen = beat.seq;
  if (lease_lost || gap || std::chrono::steady_clock::now() >= local->lease()) {
    // Redis answers again after a period in which an invalidation may have
    // been missed: what the local layer holds may be old.
    local->drop_all_local();
    lease_lost = false;
  }
  grant_lease(beat.sent);
}

void RedisMessageStore::Impl::grant_lease(std::chrono::steady_clock::time_point proven_at) {
  lease_lost = false;
  local->set_lease(proven_at + lease_for);
  if (!lease_held) spdlog::info("\"event\":\"local_lease_held\"");
  lease_held = true;
}

void RedisMessageStore::Impl::lose_lease(std::string_view why) {
  lease_lost = true;
  local->set_lease({});
  if (!lease_held) return;
  lease_held = false;
  // One line per loss, like redis_disconnected.
  spdlog::warn("\"event\":\"local_lease_lost\",\"reason\":\"{}\"", why);
}

// Payload format: cache/invalidation_message.hpp.
void RedisMessageStore::Impl::on_invalidation(std::string_view message) {
  if (const auto beat = parse_heartbeat(message)) {
    on_heartbeat(*beat);
    return;
  }
  // Not ours (or corrupt): drop nothing and confirm nothing.
  const auto parsed = cache::parse_invalidation(message);
  if (!parsed) return;
  const auto nonce = parsed->nonce;
  for (std::uint32_t app = 0; app < app_names.size(); ++app) {
    if (app_names[app] != parsed->app) continue;
    if (parsed->kind == cache::Invalidation::Kind::kMessage) {
      local->drop_local_message(app, parsed->message_id);
    } else {
      local->drop_local_canonical_conversation(app, parsed->subject);
    }
  }
  // Confirm even for an app we do not serve: the publisher counts receivers.
  asio::co_spawn(
      pool.context(0),
      [this, ack = std::string(nonce)]() -> asio::awaitable<void> {
        co_await connection(0).command(redis::cmd("PUBLISH", ack_channel, ack));
      },
      asio::detached);
}

void RedisMessageStore::Impl::on_ack(std::string_view nonce) {
  std::lock_guard lock(mutex);
  auto it = waits.find(std::string(nonce));
  if (it == waits.end()) return;
  ++it->second.got;
  if (it->second.needed >= 0 && it->second.got >= it->second.needed && it->second.timer) {
    auto timer = it->second.timer;
    asio::post(timer->get_executor(), [timer] { timer->cancel(); });
  }
}

asio::awaitable<void> RedisMessageStore::Impl::broadcast(std::size_t worker,
                                                         const redis::RedisScript& script,
                                                         std::vector<std::string> keys,
                                                         std::vector<std::string> args,
                                                         const std::string& nonce,
                                                         RedisBudget& budget, bool before_answer) {
  // Each invalidation waits at most one timeout for Redis and the other
  // replicas' confirmations. Once Redis failed one of this mutation's
  // invalidations, every later one shares the deadline that failure set
  // (SPEC §11.3: a paused Redis costs the mutation one timeout, not two).
  const auto issued = std::chrono::steady_clock::now();
  const auto deadline = budget.lost_at ? *budget.lost_at + config.timeout : issued + config.timeout;
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
  {
    std::lock_guard lock(mutex);
    waits[nonce].timer = timer;  // before publishing: acks may beat the reply
  }
  // Cut short only by an earlier failure's deadline: a first attempt has its
  // whole timeout, so that a silent Redis is marked suspect.
  const auto cut_short = budget.lost_at ? std::optional(deadline) : std::nullopt;
  // Cluster mode: a PUBLISH answers with the receivers on its own node
  // only. Every replica's subscriber is on the node of the channel's slot
  // (RedisOptions::pubsub_pin), so publish there, after the script, for a
  // count that includes every replica holding a lease.
  auto script_args = args;
  if (cluster) script_args[1].clear();
  auto reply = co_await script.run(connection(worker), keys, script_args, cut_short);
  // This worker's link is down (a restarted Redis this worker has not
  // reconnected to yet, while other replicas may already read from it):
  // reconnect now, within the budget, rather than leave the old version
  // in Redis until the backoff ends.
  if (!reply && reply.failure() == redis::RedisFailure::kNotConnected &&
      connection(worker).reconnect_now()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() > 0 && co_await connection(worker).wait_until(true, left)) {
      reply = co_await script.run(connection(worker), keys, script_args, deadline);  // what is left
    }
  }
  if (cluster && reply && reply->is_integer()) {
    reply = co_await connection(worker).command(redis::cmd("PUBLISH", args[1], args[2]), deadline);
  }
  std::int64_t needed = 0;
  if (reply && reply->is_integer()) {
    needed = reply->integer;
  } else {
    // Redis did not take it (down, silent, refusing): replay it later, and
    // answer only once every other replica's lease has run out (below).
    // Failed fast on a silent Redis: queue it on the open connection too,
    // so that Redis runs it as soon as it reads again, before the probe
    // that lets any replica use Redis again is answered.
    // Not sent at all (out of time) likewise.
    if (!reply && (reply.failure() == redis::RedisFailure::kNotConnected ||
                   reply.failure() == redis::RedisFailure::kOutOfTime)) {
      script.send_unanswered(connection(worker), keys, args);
    }
    // The other replicas' leases were last renewed before this moment at
    // the latest: they run out one timeout after it (not after the
    // mutation's first invalidation, which may have succeeded long before).
    if (!budget.lost_at) budget.lost_at = issued;
    std::lock_guard lock(mutex);
    constexpr std::size_t kMaxUnsent = 10000;
    if (unsent.size() >= kMaxUnsent) {
      spdlog::warn("\"event\":\"invalidation_dropped\",\"reason\":\"replay queue full\"");
      unsent.erase(unsent.begin());
    }
    unsent.push_back(Unsent{&script, std::move(keys), std::move(args)});
    needed = before_answer ? std::numeric_limits<std::int64_t>::max() : 0;
  }
  bool done = false;
  {
    std::lock_guard lock(mutex);
    auto& wait = waits[nonce];
    wait.needed = needed;
    done = wait.got >= needed;
  }
  if (!done) {
    // No suspension between the check above and this wait: a cancel posted
    // by on_ack runs on this executor only once we are waiting.
    timer->expires_at(deadline);
    auto [ec] = co_await timer->async_wait(kAwait);
    if (!ec && reply) {
      spdlog::warn("\"event\":\"invalidation_unconfirmed\",\"replicas\":{}", needed);
    }
  }
  std::lock_guard lock(mutex);
  waits.erase(nonce);
}

asio::awaitable<RedisLookup> RedisMessageStore::get(std::size_t worker, std::uint32_t app,
                                                    std::uint64_t id) {
  const auto executor = co_await asio::this_coro::executor;
  const std::uint32_t group = impl_->cluster ? app : 0;
  auto& open = impl_->open_gets[worker][group];
  if (!open || open->keys.size() >= kMaxKeysPerGet) {
    open = std::make_shared<GetBatch>(executor, group);
    asio::co_spawn(executor, impl_->run_get_batch(worker, open), asio::detached);
  }
  const auto batch = open;
  const auto slot = batch->keys.size();
  batch->keys.push_back(impl_->key(app, "msg", std::to_string(id)));
  if (!batch->answered) {
    co_await batch->done.async_wait(kAwait);  // cancelled when the call is answered
  }
  RedisLookup result = std::move(batch->results[slot]);
  co_return result;
}

namespace {

// The get script's reply: GET and PTTL per key; anything else (no answer,
// an error reply) leaves every result kError.
std::vector<RedisLookup> read_get_reply(redis::RedisReply reply, std::size_t count) {
  std::vector<RedisLookup> results(count);
  if (!reply || !reply->is_array() || reply->elements.size() != 2 * count) return results;
  auto elements = std::move(reply).value().elements;
  for (std::size_t i = 0; i < count; ++i) {
    auto& value = elements[2 * i];
    auto& result = results[i];
    if (!value.is_string()) {
      result.status = RedisLookup::Status::kMissing;
      continue;
    }
    result.status = RedisLookup::Status::kFound;
    result.cached =
        RedisCached{std::move(value.str), std::chrono::milliseconds(elements[2 * i + 1].integer)};
  }
  return results;
}

}  // namespace

asio::awaitable<void> RedisMessageStore::Impl::run_get_batch(std::size_t worker,
                                                             std::shared_ptr<GetBatch> batch) {
  // co_spawn may run us inline: yield, so that this loop turn's other ready
  // handlers (and the lookups they start) join the batch first.
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  if (auto it = open_gets[worker].find(batch->group);
      it != open_gets[worker].end() && it->second == batch) {
    open_gets[worker].erase(it);  // no more joiners
  }
  const auto count = batch->keys.size();
  std::vector<std::string> no_args;
  auto reply =
      co_await get_script.run(connection(worker), std::move(batch->keys), std::move(no_args));
  batch->results = read_get_reply(std::move(reply), count);
  batch->answered = true;
  batch->done.cancel();
}

asio::awaitable<std::vector<RedisLookup>> RedisMessageStore::get_many(
    std::size_t worker, std::uint32_t app, const std::vector<std::uint64_t>& ids,
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const auto id : ids) keys.push_back(impl_->key(app, "msg", std::to_string(id)));
  std::vector<std::string> no_args;
  auto reply = co_await impl_->get_script.run(impl_->connection(worker), std::move(keys),
                                              std::move(no_args), deadline);
  co_return read_get_reply(std::move(reply), ids.size());
}

asio::awaitable<RedisPut> RedisMessageStore::put(
    std::size_t worker, std::uint32_t app, std::uint64_t id, std::string value,
    std::string canonical, std::chrono::milliseconds ttl, bool only_if_absent,
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  const auto id_text = std::to_string(id);
  const bool indexed = !canonical.empty();
  std::vector<std::string> keys{
      impl_->key(app, "msg", id_text), impl_->key(app, "tomb", id_text),
      indexed ? impl_->key(app, "convtomb", canonical) : impl_->key(app, "tomb", id_text),
      indexed ? impl_->key(app, "conv", canonical) : impl_->key(app, "tomb", id_text)};
  std::vector<std::string> args{std::move(value), std::to_string(ttl.count()),
                                indexed ? id_text : std::string(), only_if_absent ? "1" : "0"};
  auto reply = co_await impl_->put_script.run(impl_->connection(worker), std::move(keys),
                                              std::move(args), deadline);
  if (!reply || !reply->is_integer()) co_return RedisPut::kError;  // error replies included
  co_return reply->integer == 1 ? RedisPut::kStored : RedisPut::kRefused;
}

asio::awaitable<void> RedisMessageStore::invalidate_message(std::size_t worker, std::uint32_t app,
                                                            std::uint64_t id, RedisBudget& budget,
                                                            bool before_answer) {
  const auto id_text = std::to_string(id);
  const auto nonce = signing::random_hex(8);
  std::vector<std::string> keys{impl_->key(app, "msg", id_text), impl_->key(app, "tomb", id_text)};
  std::vector<std::string> args{
      std::to_string(impl_->race_horizon.count()), impl_->channel,
      cache::render_invalidation(nonce, impl_->app_names[app], cache::Invalidation::Kind::kMessage,
                                 id_text)};
  co_await impl_->broadcast(worker, impl_->invalidate_script, std::move(keys), std::move(args),
                            nonce, budget, before_answer);
}

asio::awaitable<void> RedisMessageStore::invalidate_conversation(std::size_t worker,
                                                                 std::uint32_t app,
                                                                 const std::string& canonical,
                                                                 RedisBudget& budget,
                                                                 bool before_answer) {
  const auto nonce = signing::random_hex(8);
  std::vector<std::string> keys{impl_->key(app, "conv", canonical),
                                impl_->key(app, "convtomb", canonical)};
  std::vector<std::string> args{
      std::to_string(impl_->race_horizon.count()), impl_->channel,
      cache::render_invalidation(nonce, impl_->app_names[app],
                                 cache::Invalidation::Kind::kConversation, canonical),
      impl_->key(app, "msg", "")};
  co_await impl_->broadcast(worker, impl_->clear_script, std::move(keys), std::move(args), nonce,
                            budget, before_answer);
}

}  // namespace yxgate::pipeline
