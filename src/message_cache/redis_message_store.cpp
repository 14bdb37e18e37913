#include <algorithm>
#include <charconv>

#include "message_cache/redis_message_store_impl.hpp"

namespace yxgate::message_cache {
namespace asio = boost::asio;
using namespace store_detail;

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

RedisLane::RedisLane(redis::RedisConnection& connection)
    : connection_(connection), open_gets_(std::make_unique<OpenGets>()) {}

RedisLane::~RedisLane() = default;

RedisMessageStore::RedisMessageStore(redis::RedisLinks& links, server::WorkerPool& pool,
                                     std::vector<std::string> app_names,
                                     std::chrono::milliseconds race_horizon)
    : impl_(std::make_unique<Impl>(links, pool, std::move(app_names), race_horizon)) {
  impl_->channel = impl_->config.key_prefix + "invalidate";
  impl_->ack_channel = impl_->config.key_prefix + "invalidate-ack";
}

RedisMessageStore::~RedisMessageStore() = default;

bool RedisMessageStore::up() const { return impl_->links.up(); }

std::chrono::milliseconds RedisMessageStore::timeout() const { return impl_->config.timeout; }

asio::awaitable<RedisLookup> RedisMessageStore::get(RedisLane& lane, std::uint32_t app,
                                                    std::uint64_t id, bool with_ttl) {
  const auto executor = co_await asio::this_coro::executor;
  const std::uint32_t group_id = impl_->cluster ? app : 0;
  auto& group = lane.open_gets_->by_group[group_id];
  if (group.open && group.open->keys.size() >= kMaxKeysPerGet) {
    group.open->release();  // full: it leaves now, held or not
    group.open.reset();
  }
  if (!group.open) {
    group.open = std::make_shared<GetBatch>(executor, group_id, std::chrono::steady_clock::now());
    asio::co_spawn(executor, impl_->run_get_batch(lane, group.open), asio::detached);
  }
  const auto batch = group.open;
  const auto slot = batch->keys.size();
  batch->keys.push_back(impl_->key(app, "msg", std::to_string(id)));
  batch->apps.push_back(app);
  batch->with_ttl = batch->with_ttl || with_ttl;
  if (!batch->answered) {
    co_await batch->done.async_wait(kAwait);  // cancelled when the call is answered
  }
  RedisLookup result = std::move(batch->results[slot]);
  co_return result;
}

namespace {

// MGET of every key and of the epoch of each app among them, and,
// `with_ttl`, PTTL of each key, in one write: Redis runs a script call for
// ~9 us plus ~1.5 us a key (two redis.call each), these commands for ~0.3 us
// a key (measured with redis-benchmark, issue 18). They need no atomicity:
// a key deleted or expiring between its MGET and its PTTL answers -2 and is
// not refilled; one replaced in between is refused by the local layer's
// generation check (the invalidation bumped it). The epochs are read in the
// same MGET as the keys: a tombstone written after it stands (kPutScript).
asio::awaitable<std::vector<RedisLookup>> read_keys(
    redis::RedisConnection& connection, std::vector<std::string> keys,
    const std::vector<std::uint32_t>& apps, const std::vector<std::string>& epoch_keys,
    bool with_ttl, std::optional<std::chrono::steady_clock::time_point> deadline) {
  const auto count = keys.size();
  std::vector<std::vector<std::string>> commands;
  commands.reserve(with_ttl ? count + 1 : 1);
  if (with_ttl) {
    for (const auto& key : keys) commands.push_back({"PTTL", key});
  }
  keys.insert(keys.begin(), "MGET");
  // One epoch per app present: `apps` index into `epoch_keys` (the app's).
  std::vector<std::uint32_t> present;
  for (const auto app : apps) {
    if (std::find(present.begin(), present.end(), app) == present.end()) present.push_back(app);
  }
  for (const auto app : present) keys.push_back(epoch_keys[app]);
  commands.insert(commands.begin(), std::move(keys));
  auto replies = co_await connection.pipeline(std::move(commands), deadline);
  // Anything but a full answer (no reply, an error reply) leaves every
  // result kError: the lookups bypass Redis.
  std::vector<RedisLookup> results(count);
  auto& values = replies.front();
  if (!values || !values->is_array() || values->elements.size() != count + present.size()) {
    co_return results;
  }
  for (std::size_t i = 1; i < replies.size(); ++i) {
    if (!replies[i] || !replies[i]->is_integer()) co_return results;
  }
  auto elements = std::move(values).value().elements;
  for (std::size_t i = 0; i < count; ++i) {
    auto& result = results[i];
    const auto at = std::find(present.begin(), present.end(), apps[i]) - present.begin();
    const auto& epoch = elements[count + static_cast<std::size_t>(at)];
    result.epoch = 0;
    if (epoch.is_string()) {
      std::int64_t value = 0;
      const auto [end, ec] =
          std::from_chars(epoch.str.data(), epoch.str.data() + epoch.str.size(), value);
      result.epoch = ec == std::errc{} && end == epoch.str.data() + epoch.str.size()
                         ? std::optional(value)
                         : std::nullopt;  // not ours: no fill passes a tombstone
    }
    if (!elements[i].is_string()) {
      result.status = RedisLookup::Status::kMissing;
      continue;
    }
    result.status = RedisLookup::Status::kFound;
    const auto ttl = with_ttl ? replies[i + 1]->integer : 0;
    result.cached = RedisCached{std::move(elements[i].str), std::chrono::milliseconds(ttl)};
  }
  co_return results;
}

}  // namespace

asio::awaitable<void> RedisMessageStore::Impl::run_get_batch(RedisLane& lane,
                                                             std::shared_ptr<GetBatch> batch) {
  // co_spawn may run us inline: yield, so that this loop turn's other ready
  // handlers (and the lookups they start) join the batch first.
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  auto& group = lane.open_gets_->by_group[batch->group];
  if (group.in_flight >= kMaxGetsInFlight && !batch->released) {
    co_await batch->hold.async_wait(kAwait);  // cancelled by release()
  }
  if (group.open == batch) group.open.reset();  // no more joiners
  ++group.in_flight;
  batch->results = co_await read_keys(lane.connection(), std::move(batch->keys), batch->apps,
                                      epoch_keys, batch->with_ttl, batch->opened + config.timeout);
  --group.in_flight;
  if (group.open) group.open->release();  // the next one has waited long enough
  batch->answered = true;
  batch->done.cancel();
}

asio::awaitable<std::vector<RedisLookup>> RedisMessageStore::get_many(
    RedisLane& lane, std::uint32_t app, const std::vector<std::uint64_t>& ids,
    std::optional<std::chrono::steady_clock::time_point> deadline, bool with_ttl) {
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const auto id : ids) keys.push_back(impl_->key(app, "msg", std::to_string(id)));
  const std::vector<std::uint32_t> apps(ids.size(), app);
  co_return co_await read_keys(lane.connection(), std::move(keys), apps, impl_->epoch_keys,
                               with_ttl, deadline);
}

asio::awaitable<RedisPut> RedisMessageStore::put(
    RedisLane& lane, std::uint32_t app, std::uint64_t id, std::string value, std::string canonical,
    std::chrono::milliseconds ttl, std::optional<std::chrono::steady_clock::time_point> deadline,
    std::optional<std::int64_t> seen_epoch) {
  const auto id_text = std::to_string(id);
  const bool indexed = !canonical.empty();
  std::vector<std::string> keys{
      impl_->key(app, "msg", id_text), impl_->key(app, "tomb", id_text),
      indexed ? impl_->key(app, "convtomb", canonical) : impl_->key(app, "tomb", id_text),
      indexed ? impl_->key(app, "conv", canonical) : impl_->key(app, "tomb", id_text)};
  std::vector<std::string> args{std::move(value), std::to_string(ttl.count()),
                                indexed ? id_text : std::string(),
                                seen_epoch ? std::to_string(*seen_epoch) : std::string()};
  auto reply =
      co_await impl_->put_script.run(lane.connection(), std::move(keys), std::move(args), deadline);
  if (!reply || !reply->is_integer()) co_return RedisPut::kError;  // error replies included
  co_return reply->integer == 1 ? RedisPut::kStored : RedisPut::kRefused;
}

asio::awaitable<void> RedisMessageStore::invalidate_message(RedisLane& lane, std::uint32_t app,
                                                            std::uint64_t id,
                                                            request::RedisBudget& budget,
                                                            bool before_answer) {
  const auto id_text = std::to_string(id);
  const auto nonce = signing::random_hex(8);
  std::vector<std::string> keys{impl_->key(app, "msg", id_text), impl_->key(app, "tomb", id_text),
                                impl_->epoch_keys[app]};
  std::vector<std::string> args{
      std::to_string(impl_->race_horizon.count()), impl_->channel,
      cache::render_invalidation(nonce, impl_->app_names[app], cache::Invalidation::Kind::kMessage,
                                 id_text)};
  co_await impl_->broadcast(lane.connection(), impl_->invalidate_script, std::move(keys),
                            std::move(args), nonce, budget, before_answer);
}

asio::awaitable<void> RedisMessageStore::invalidate_conversation(RedisLane& lane, std::uint32_t app,
                                                                 const std::string& canonical,
                                                                 request::RedisBudget& budget,
                                                                 bool before_answer) {
  const auto nonce = signing::random_hex(8);
  std::vector<std::string> keys{impl_->key(app, "conv", canonical),
                                impl_->key(app, "convtomb", canonical), impl_->epoch_keys[app]};
  std::vector<std::string> args{
      std::to_string(impl_->race_horizon.count()), impl_->channel,
      cache::render_invalidation(nonce, impl_->app_names[app],
                                 cache::Invalidation::Kind::kConversation, canonical),
      impl_->key(app, "msg", "")};
  co_await impl_->broadcast(lane.connection(), impl_->clear_script, std::move(keys),
                            std::move(args), nonce, budget, before_answer);
}

}  // namespace yxgate::message_cache
