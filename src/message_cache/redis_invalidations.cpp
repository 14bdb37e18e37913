// The invalidation side of the Redis layer (SPEC §3.3, §11.2, §11.3):
// broadcasts with their acknowledgements and budget, replays of what Redis
// did not take, the subscriber's handlers and the local-layer lease.
#include "message_cache/redis_message_store_impl.hpp"

namespace yxgate::message_cache {
namespace asio = boost::asio;
using namespace store_detail;

void RedisMessageStore::start(InvalidationSink& local) {
  impl_->local = &local;
  Impl* impl = impl_.get();
  impl_->links.subscriber().subscribe(
      impl_->channel, [impl](std::string_view message) { impl->on_invalidation(message); },
      // Invalidations published while we were not subscribed are lost:
      // forget everything local rather than serve what may have changed.
      // Subscribed from now on: an empty layer misses nothing later.
      [impl] { impl->apply(impl->lease.resubscribed(std::chrono::steady_clock::now())); });
  impl_->links.subscriber().subscribe(impl_->ack_channel,
                                      [impl](std::string_view nonce) { impl->on_ack(nonce); });
  // From the moment the subscriber's link is gone this replica hears no
  // invalidation: stop serving the local layer now, not when the lease runs
  // out (audit 11: a reset link served old versions for up to a timeout,
  // while the mutating replica, whose PUBLISH no longer counted this one,
  // did not wait). The resubscription drops the layer and takes the lease
  // again.
  impl_->links.subscriber().on_disconnected(
      [impl] { impl->lose_lease("invalidation subscriber disconnected"); });
  // The loop lives as long as worker 0 runs; shutdown drops its frame.
  asio::co_spawn(impl_->pool.context(0), impl_->heartbeats(), asio::detached);
}

// Every heartbeat_every, a numbered heartbeat on the invalidation channel
// (the rules: cache/local_lease.hpp). lease_for is cache.redis.timeout: a
// mutation whose invalidation Redis did not confirm answers its client only
// once that much has passed since it tried (broadcast()), so by then every
// replica that did not get it has stopped serving its local layer.
asio::awaitable<void> RedisMessageStore::Impl::heartbeats() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    co_await replay_unsent();
    const auto sent = std::chrono::steady_clock::now();
    const auto payload = lease.next_beat(sent);
    // Down or suspect: no proof this beat (and no command to count as an
    // error: the outage is counted once where it was seen).
    if (!home().up()) {
      lose_lease("redis down or silent");
    } else {
      const auto reply = co_await home().command(redis::cmd("PUBLISH", channel, payload));
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
    const auto reply = co_await u.script->run(home(), u.keys, u.args);
    if (reply && !reply.is_error()) continue;
    // Still no answer: keep this one and the rest for the next beat.
    std::lock_guard lock(mutex);
    unsent.insert(unsent.begin(), std::make_move_iterator(batch.begin() + i),
                  std::make_move_iterator(batch.end()));
    co_return;
  }
}

void RedisMessageStore::Impl::apply(const cache::LocalLease::Renewal& renewal) {
  if (renewal.drop_local) local->drop_all_local();
  local->set_lease(renewal.lease_until);
  if (renewal.newly_held) spdlog::info("\"event\":\"local_lease_held\"");
}

void RedisMessageStore::Impl::lose_lease(std::string_view why) {
  local->set_lease({});
  // One line per loss, like redis_disconnected.
  if (lease.lose()) spdlog::warn("\"event\":\"local_lease_lost\",\"reason\":\"{}\"", why);
}

// Payload format: cache/invalidation_message.hpp.
void RedisMessageStore::Impl::on_invalidation(std::string_view message) {
  if (const auto beat = cache::parse_heartbeat(message)) {
    {
      std::lock_guard lock(mutex);
      replicas_seen[std::string(beat->replica)] = std::chrono::steady_clock::now();
    }
    const auto renewal = lease.on_beat(*beat, std::chrono::steady_clock::now(), local->lease());
    if (renewal) apply(*renewal);  // not another replica's
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
        co_await home().command(redis::cmd("PUBLISH", ack_channel, ack));
      },
      asio::detached);
}

// A replica that stopped counts until its beats have been missing for a
// while: meanwhile invalidations wait out their timeout (safe, slower). A
// replica that holds a lease had its own beat come back within the last
// timeout, so we saw that beat too (pub/sub reaches every node).
std::int64_t RedisMessageStore::Impl::replicas_alive(std::chrono::steady_clock::time_point now) {
  const auto memory =
      std::max<std::chrono::steady_clock::duration>(std::chrono::seconds(1), 4 * config.timeout);
  std::erase_if(replicas_seen, [&](const auto& seen) { return now - seen.second > memory; });
  return static_cast<std::int64_t>(replicas_seen.size());
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

asio::awaitable<void> RedisMessageStore::Impl::broadcast(
    redis::RedisConnection& connection, const redis::RedisScript& script,
    std::vector<std::string> keys, std::vector<std::string> args, const std::string& nonce,
    request::RedisBudget& budget, bool before_answer) {
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
  auto reply = co_await script.run(connection, keys, script_args, cut_short);
  // This worker's link is down (a restarted Redis this worker has not
  // reconnected to yet, while other replicas may already read from it):
  // reconnect now, within the budget, rather than leave the old version
  // in Redis until the backoff ends.
  if (!reply && reply.failure() == redis::RedisFailure::kNotConnected &&
      connection.reconnect_now()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() > 0 && co_await connection.wait_until(true, left)) {
      reply = co_await script.run(connection, keys, script_args, deadline);  // what is left
    }
  }
  if (cluster && reply && reply->is_integer()) {
    reply = co_await connection.command(redis::cmd("PUBLISH", args[1], args[2]), deadline);
  }
  std::int64_t needed = 0;
  if (reply && reply->is_integer()) {
    // PUBLISH counts the subscribers connected now; a replica whose link
    // is cut (reset, not yet reconnected; in cluster mode one subscribed on
    // another node) is not among them but may still hold a lease taken
    // before. Every replica whose beat came lately confirms, or the wait
    // runs out its timeout, by when any such lease has (audit 11).
    needed = reply->integer;
    {
      std::lock_guard lock(mutex);
      needed = std::max(needed, replicas_alive(std::chrono::steady_clock::now()));
    }
  } else {
    // Redis did not take it (down, silent, refusing): replay it later, and
    // answer only once every other replica's lease has run out (below).
    // Failed fast on a silent Redis: queue it on the open connection too,
    // so that Redis runs it as soon as it reads again, before the probe
    // that lets any replica use Redis again is answered.
    // Not sent at all (out of time) likewise.
    if (!reply && (reply.failure() == redis::RedisFailure::kNotConnected ||
                   reply.failure() == redis::RedisFailure::kOutOfTime)) {
      script.send_unanswered(connection, keys, args);
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
    // Confirmations of a later invalidation of this mutation are awaited only
    // until the deadline of the first that went unconfirmed (below).
    const auto confirm_by = budget.unconfirmed_at
                                ? std::min(deadline, *budget.unconfirmed_at + config.timeout)
                                : deadline;
    timer->expires_at(confirm_by);
    auto [ec] = co_await timer->async_wait(kAwait);
    if (!ec && reply) {
      // An error reply (a cluster slot in failover) leaves the count unknown.
      if (needed == std::numeric_limits<std::int64_t>::max()) {
        spdlog::warn("\"event\":\"invalidation_unconfirmed\",\"replicas\":null");
      } else {
        spdlog::warn("\"event\":\"invalidation_unconfirmed\",\"replicas\":{}", needed);
      }
      // A replica that did not confirm (its Redis links still coming back
      // after a restart) renews its lease only by a heartbeat that comes back
      // after this invalidation (one channel, in order): the lease it had ran
      // out one timeout after this was issued. Redis itself answered, so the
      // later invalidations are still sent and awaited; only their
      // confirmations share this deadline (SPEC §11.3: one timeout in all).
      if (!budget.unconfirmed_at) budget.unconfirmed_at = issued;
    }
  }
  std::lock_guard lock(mutex);
  waits.erase(nonce);
}

}  // namespace yxgate::message_cache
