#include "pipeline/redis_message_store.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
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

// KEYS: msg, tomb. ARGV: horizon_ms, channel, message. Returns receivers.
constexpr const char* kInvalidateScript = R"lua(
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
redis.call('DEL', KEYS[1])
return redis.call('PUBLISH', ARGV[2], ARGV[3])
)lua";

// KEYS: convindex, convtomb. ARGV: horizon_ms, channel, message, msg key prefix.
constexpr const char* kClearScript = R"lua(
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[4] .. id) end
redis.call('DEL', KEYS[1])
return redis.call('PUBLISH', ARGV[2], ARGV[3])
)lua";

// One script call for the lookups of one event-loop turn. Every waiter
// waits on the one timer; the call's end cancels it, waking them all.
struct GetBatch {
  explicit GetBatch(const asio::any_io_executor& executor)
      : done(executor, asio::steady_timer::time_point::max()) {}
  asio::steady_timer done;
  bool answered = false;
  std::vector<std::string> keys;
  std::vector<RedisLookup> results;
};

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
        open_gets(p.size()) {}

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
  // Per worker, the batch still taking lookups (only touched on that worker).
  std::vector<std::shared_ptr<GetBatch>> open_gets;

  std::string key(std::uint32_t app, std::string_view kind, std::string_view rest) const {
    return config.key_prefix + app_names[app] + ":" + std::string(kind) + ":" + std::string(rest);
  }

  void on_invalidation(std::string_view message);
  void on_ack(std::string_view nonce);
  asio::awaitable<void> broadcast(std::size_t worker, const redis::RedisScript& script,
                                  std::vector<std::string> keys, std::vector<std::string> args,
                                  const std::string& nonce);
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

void RedisMessageStore::start(CachedMessages& local) {
  impl_->local = &local;
  Impl* impl = impl_.get();
  impl_->links.subscriber().subscribe(
      impl_->channel, [impl](std::string_view message) { impl->on_invalidation(message); },
      // Invalidations published while we were not subscribed are lost:
      // forget everything local rather than serve what may have changed.
      [impl] { impl->local->drop_all_local(); });
  impl_->links.subscriber().subscribe(impl_->ack_channel,
                                      [impl](std::string_view nonce) { impl->on_ack(nonce); });
}

// Payload format: cache/invalidation_message.hpp.
void RedisMessageStore::Impl::on_invalidation(std::string_view message) {
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
                                                         const std::string& nonce) {
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
  {
    std::lock_guard lock(mutex);
    waits[nonce].timer = timer;  // before publishing: acks may beat the reply
  }
  auto reply = co_await script.run(connection(worker), std::move(keys), std::move(args));
  std::int64_t needed = 0;
  if (reply && reply->is_integer()) needed = reply->integer;
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
    timer->expires_after(config.timeout);
    auto [ec] = co_await timer->async_wait(kAwait);
    if (!ec) {
      spdlog::warn("\"event\":\"invalidation_unconfirmed\",\"replicas\":{}", needed);
    }
  }
  std::lock_guard lock(mutex);
  waits.erase(nonce);
}

asio::awaitable<RedisLookup> RedisMessageStore::get(std::size_t worker, std::uint32_t app,
                                                    std::uint64_t id) {
  const auto executor = co_await asio::this_coro::executor;
  auto& open = impl_->open_gets[worker];
  if (!open || open->keys.size() >= kMaxKeysPerGet) {
    open = std::make_shared<GetBatch>(executor);
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

asio::awaitable<void> RedisMessageStore::Impl::run_get_batch(std::size_t worker,
                                                             std::shared_ptr<GetBatch> batch) {
  // co_spawn may run us inline: yield, so that this loop turn's other ready
  // handlers (and the lookups they start) join the batch first.
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  if (open_gets[worker] == batch) open_gets[worker].reset();  // no more joiners
  const auto count = batch->keys.size();
  std::vector<std::string> no_args;
  auto reply =
      co_await get_script.run(connection(worker), std::move(batch->keys), std::move(no_args));
  batch->results.resize(count);
  if (reply && reply->is_array() && reply->elements.size() == 2 * count) {
    auto elements = std::move(reply).value().elements;
    for (std::size_t i = 0; i < count; ++i) {
      auto& value = elements[2 * i];
      auto& result = batch->results[i];
      if (!value.is_string()) {
        result.status = RedisLookup::Status::kMissing;
        continue;
      }
      result.status = RedisLookup::Status::kFound;
      result.cached =
          RedisCached{std::move(value.str), std::chrono::milliseconds(elements[2 * i + 1].integer)};
    }
  }  // otherwise every result stays kError
  batch->answered = true;
  batch->done.cancel();
}

asio::awaitable<bool> RedisMessageStore::put(std::size_t worker, std::uint32_t app,
                                             std::uint64_t id, std::string value,
                                             std::string canonical, std::chrono::milliseconds ttl,
                                             bool only_if_absent) {
  const auto id_text = std::to_string(id);
  const bool indexed = !canonical.empty();
  std::vector<std::string> keys{
      impl_->key(app, "msg", id_text), impl_->key(app, "tomb", id_text),
      indexed ? impl_->key(app, "convtomb", canonical) : impl_->key(app, "tomb", id_text),
      indexed ? impl_->key(app, "conv", canonical) : impl_->key(app, "tomb", id_text)};
  std::vector<std::string> args{std::move(value), std::to_string(ttl.count()),
                                indexed ? id_text : std::string(), only_if_absent ? "1" : "0"};
  auto reply =
      co_await impl_->put_script.run(impl_->connection(worker), std::move(keys), std::move(args));
  co_return reply && reply->is_integer() && reply->integer == 1;
}

asio::awaitable<void> RedisMessageStore::invalidate_message(std::size_t worker, std::uint32_t app,
                                                            std::uint64_t id) {
  const auto id_text = std::to_string(id);
  const auto nonce = signing::random_hex(8);
  std::vector<std::string> keys{impl_->key(app, "msg", id_text), impl_->key(app, "tomb", id_text)};
  std::vector<std::string> args{
      std::to_string(impl_->race_horizon.count()), impl_->channel,
      cache::render_invalidation(nonce, impl_->app_names[app], cache::Invalidation::Kind::kMessage,
                                 id_text)};
  co_await impl_->broadcast(worker, impl_->invalidate_script, std::move(keys), std::move(args),
                            nonce);
}

asio::awaitable<void> RedisMessageStore::invalidate_conversation(std::size_t worker,
                                                                 std::uint32_t app,
                                                                 const std::string& canonical) {
  const auto nonce = signing::random_hex(8);
  std::vector<std::string> keys{impl_->key(app, "conv", canonical),
                                impl_->key(app, "convtomb", canonical)};
  std::vector<std::string> args{
      std::to_string(impl_->race_horizon.count()), impl_->channel,
      cache::render_invalidation(nonce, impl_->app_names[app],
                                 cache::Invalidation::Kind::kConversation, canonical),
      impl_->key(app, "msg", "")};
  co_await impl_->broadcast(worker, impl_->clear_script, std::move(keys), std::move(args), nonce);
}

}  // namespace yxgate::pipeline
