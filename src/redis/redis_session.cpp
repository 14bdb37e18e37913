#include "redis/redis_session.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "common/json_escape.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_command.hpp"

namespace yxgate::redis {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// A connection that lived this long was healthy: after losing it, retry at
// once (a Redis restart) instead of continuing the backoff of a flapping one.
constexpr auto kStableConnection = std::chrono::seconds(1);

std::string json_escaped(std::string_view text) {
  std::string out;
  append_json_escaped(out, text);
  return out;
}

// Removes an entry on every way out of a coroutine frame, including its
// destruction without resumption (an io_context destroyed mid-wait).
template <class F>
struct ScopeExit {
  F f;
  ~ScopeExit() { f(); }
};
template <class F>
ScopeExit(F) -> ScopeExit<F>;

}  // namespace

RedisSession::RedisSession(asio::any_io_executor executor, RedisOptions options, Hooks hooks,
                           std::string role)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      role_(std::move(role)),
      wake_(executor_),
      sentinel_wake_(executor_),
      rng_(std::random_device{}()) {
  if (!options_.liveness) options_.liveness = std::make_shared<RedisLiveness>();
  if (options_.health) vote_.emplace(*options_.health);
}

RedisSession::~RedisSession() {
  for (auto* link : {&link_, &sentinel_link_}) {
    if (*link) {
      (*link)->detach();
      (*link)->close();
    }
  }
}

void RedisSession::start() {
  asio::co_spawn(executor_, run(shared_from_this()), [role = role_](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("\"event\":\"redis_loop_failed\",\"role\":\"{}\",\"error\":\"{}\"", role,
                    json_escaped(ex.what()));
    }
  });
}

void RedisSession::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (link_) link_->close();  // waiters get kDisconnected, on_link_closed sets down
  if (sentinel_link_) sentinel_link_->close();
  wake_.cancel();
  sentinel_wake_.cancel();
  set_up(false);
  vote_.reset();  // a closed session no longer counts towards yxgate_redis_up
}

asio::awaitable<void> RedisSession::run(std::shared_ptr<RedisSession> self) {
  auto backoff = options_.backoff_min;
  while (!stopped_) {
    if (co_await connect_once()) {
      const auto connected_at = Clock::now();
      while (!stopped_ && link_ && link_->open())
        co_await wait_for_link_event(Clock::time_point::max());
      if (stopped_) break;
      if (Clock::now() - connected_at >= kStableConnection || skip_backoff_) {
        skip_backoff_ = false;
        backoff = options_.backoff_min;
        continue;  // retry at once
      }
    }
    if (stopped_) break;
    co_await wait_for_link_event(Clock::now() + jittered(backoff));
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

asio::awaitable<void> RedisSession::wait_for_link_event(Clock::time_point deadline) {
  co_await wait_on(wake_, deadline);
}

asio::awaitable<void> RedisSession::wait_on(asio::steady_timer& timer, Clock::time_point deadline) {
  timer.expires_at(deadline);
  co_await timer.async_wait(use_tuple);
}

std::chrono::milliseconds RedisSession::jittered(std::chrono::milliseconds backoff) {
  // Up to 50% off, so workers and replicas that lost Redis together spread out.
  std::uniform_int_distribution<std::int64_t> half(0, backoff.count() / 2);
  return backoff - std::chrono::milliseconds(half(rng_));
}

asio::awaitable<bool> RedisSession::connect_once() {
  // Not a conditional expression: g++ 12 mis-compiles co_await inside `?:`.
  std::string host = options_.host;
  if (options_.sentinel) {
    endpoint_ = co_await ask_sentinels();
  } else if (!options_.cluster_seeds.empty()) {
    endpoint_ = co_await ask_cluster(host);
  } else {
    endpoint_ = co_await resolve(options_.host, options_.port);
  }
  if (!endpoint_ || stopped_) co_return false;
  std::string why;
  if (!co_await open_link(target_for(*endpoint_, host), link_, wake_, why)) {
    if (!stopped_) connect_failed(why);
    co_return false;
  }
  const auto link = link_;
  const auto probe_epoch = options_.liveness->epoch();
  if (!co_await handshake()) {
    link->close();
    co_return false;
  }
  if (stopped_ || !link->open()) co_return false;
  options_.liveness->probe_answered(probe_epoch);
  set_up(true);
  if (options_.sentinel && !watching_) {
    watching_ = true;
    asio::co_spawn(executor_, watch_sentinels(shared_from_this()), asio::detached);
  }
  // Synchronously after set_up: nothing else runs in between, and state
  // waiters resume only later.
  if (hooks_.on_ready) hooks_.on_ready(*this);
  co_return true;
}

asio::awaitable<bool> RedisSession::handshake() {
  std::vector<std::vector<std::string>> steps;
  if (!options_.password.empty()) {
    if (options_.username.empty()) {
      steps.push_back({"AUTH", options_.password});
    } else {
      steps.push_back({"AUTH", options_.username, options_.password});
    }
  }
  if (options_.db != 0) steps.push_back({"SELECT", std::to_string(options_.db)});
  // A stopped (SIGSTOP) Redis still completes TCP handshakes from its
  // backlog: only an answered command proves it is alive.
  steps.push_back({"PING"});
  // Sentinels' answers lag a failover: only the node itself knows its role.
  if (options_.sentinel) steps.push_back({"ROLE"});
  for (auto& step : steps) {
    const std::string name = step.front();
    const auto reply = co_await send(std::move(step));
    if (!reply.ok()) {
      connect_failed(name + ": " + std::string(to_string(reply.failure())));
      co_return false;
    }
    if (reply.is_error()) {
      // The text never contains the password (Redis answers WRONGPASS ...).
      connect_failed(name + ": " + reply->str);
      co_return false;
    }
    if (name == "ROLE") {
      const auto& role = reply.value();
      if (!role.is_array() || role.elements.empty() || role.elements[0].str != "master") {
        connect_failed("ROLE: not a master (the sentinels' answer was stale)");
        co_return false;
      }
    }
  }
  co_return true;
}

asio::awaitable<RedisReply> RedisSession::command(std::vector<std::string> args,
                                                  std::optional<Deadline> deadline) {
  auto self = shared_from_this();
  // Never wait for a dead or silent Redis: the caller bypasses it at once.
  if (!up()) {
    metrics::yxgate_metrics().redis_errors_total.Increment();
    co_return RedisFailure::kNotConnected;
  }
  if (deadline && *deadline <= std::chrono::steady_clock::now()) {
    co_return RedisFailure::kOutOfTime;  // nothing sent: the budget is spent
  }
  const auto sent = std::chrono::steady_clock::now();
  auto reply = co_await send(std::move(args), deadline);
  if (reply.ok()) co_return reply;
  co_return settle(reply.failure(), sent);
}

asio::awaitable<std::vector<RedisReply>> RedisSession::pipeline(
    std::vector<std::vector<std::string>> commands, std::optional<Deadline> deadline) {
  auto self = shared_from_this();
  const auto count = commands.size();
  if (!up()) {
    metrics::yxgate_metrics().redis_errors_total.Increment();
    co_return std::vector<RedisReply>(count, RedisFailure::kNotConnected);
  }
  if (deadline && *deadline <= std::chrono::steady_clock::now()) {
    co_return std::vector<RedisReply>(count, RedisFailure::kOutOfTime);
  }
  const auto sent = std::chrono::steady_clock::now();
  auto replies = co_await send_all(std::move(commands), deadline);
  const auto failed = std::find_if(replies.begin(), replies.end(),
                                   [](const RedisReply& reply) { return !reply.ok(); });
  if (failed == replies.end()) co_return replies;
  const auto failure = settle(failed->failure(), sent);
  for (auto& reply : replies) {
    if (!reply.ok()) reply = failure;
  }
  co_return replies;
}

RedisFailure RedisSession::settle(RedisFailure failure,
                                  std::chrono::steady_clock::time_point sent) {
  if (failure == RedisFailure::kOutOfTime) {
    // Cut short by the caller's budget. Silent for half a timeout is still
    // a sign (a live Redis answers in well under a millisecond): the next
    // requests should not each wait out their budgets to learn it.
    if (std::chrono::steady_clock::now() - sent < options_.timeout / 2) return failure;
    failure = RedisFailure::kTimeout;
  }
  metrics::yxgate_metrics().redis_errors_total.Increment();
  if (failure == RedisFailure::kTimeout) on_command_timeout();
  return failure;
}

asio::awaitable<RedisReply> RedisSession::send(std::vector<std::string> args,
                                               std::optional<Deadline> deadline) {
  return send_on(link_, std::move(args), options_.timeout, deadline);
}

asio::awaitable<RedisReply> RedisSession::send_on(std::shared_ptr<RedisLink> link,
                                                  std::vector<std::string> args,
                                                  std::chrono::milliseconds timeout,
                                                  std::optional<Deadline> deadline) {
  auto self = shared_from_this();
  const auto tag = next_tag_++;
  if (!link || !link->connected() || !link->send(args, tag)) {
    co_return RedisFailure::kNotConnected;
  }
  // The reply callback fills `waiter` and cancels the timer; otherwise the
  // timer expires and the command is abandoned. Either way we resume here.
  const auto timeout_at = std::chrono::steady_clock::now() + timeout;
  const bool cut_short = deadline && *deadline < timeout_at;
  asio::steady_timer timer(executor_, cut_short ? *deadline : timeout_at);
  Waiter waiter{std::nullopt, &timer};
  waiters_.emplace(tag, &waiter);
  ScopeExit forget{[this, tag] { waiters_.erase(tag); }};
  co_await timer.async_wait(use_tuple);
  // A reply that raced with the expiry still counts: check it first.
  if (waiter.result) co_return std::move(*waiter.result);
  co_return cut_short ? RedisFailure::kOutOfTime : RedisFailure::kTimeout;
}

asio::awaitable<std::vector<RedisReply>> RedisSession::send_all(
    std::vector<std::vector<std::string>> commands, std::optional<Deadline> deadline) {
  auto self = shared_from_this();
  const auto count = commands.size();
  std::vector<RedisReply> replies(count, RedisFailure::kNotConnected);
  const auto link = link_;
  const auto first = next_tag_;
  if (count == 0 || !link || !link->connected() || !link->send_all(commands, first)) {
    co_return replies;
  }
  next_tag_ += count;
  const auto timeout_at = std::chrono::steady_clock::now() + options_.timeout;
  const bool cut_short = deadline && *deadline < timeout_at;
  asio::steady_timer timer(executor_, cut_short ? *deadline : timeout_at);
  std::vector<Waiter> waiters(count, Waiter{std::nullopt, nullptr});
  waiters.back().timer = &timer;
  for (std::size_t i = 0; i < count; ++i) waiters_.emplace(first + i, &waiters[i]);
  ScopeExit forget{[this, first, count] {
    for (std::size_t i = 0; i < count; ++i) waiters_.erase(first + i);
  }};
  co_await timer.async_wait(use_tuple);
  const RedisFailure late = cut_short ? RedisFailure::kOutOfTime : RedisFailure::kTimeout;
  for (std::size_t i = 0; i < count; ++i) {
    replies[i] = waiters[i].result ? std::move(*waiters[i].result) : RedisReply(late);
  }
  co_return replies;
}

bool RedisSession::send_push(const std::vector<std::string>& args) {
  // Not during the handshake: a SUBSCRIBE would switch the link to pub/sub
  // mode under the AUTH/SELECT/PING still waiting for replies.
  return up_.load(std::memory_order_relaxed) && link_ && link_->send(args, kPushTag);
}

bool RedisSession::reconnect_now() {
  if (stopped_ || up_.load(std::memory_order_relaxed)) return false;
  // Wakes the run loop from its backoff sleep (or a connect wait, which
  // just checks again).
  wake_.cancel();
  return true;
}

bool RedisSession::send_unanswered(const std::vector<std::string>& args) {
  // A tag no waiter holds: the reply, if any, is dropped.
  return up_.load(std::memory_order_relaxed) && link_ && link_->connected() &&
         link_->send(args, next_tag_++);
}

asio::awaitable<bool> RedisSession::wait_until(bool want, std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  asio::steady_timer timer(executor_, timeout);
  while (up() != want) {
    state_waiters_.push_back(&timer);
    ScopeExit forget{[this, &timer] { std::erase(state_waiters_, &timer); }};
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (!ec) break;  // deadline; cancel() keeps the expiry, so re-waiting is fine
  }
  co_return up() == want;
}

void RedisSession::set_vote(bool up) {
  if (vote_) vote_->set_up(up);
  for (auto* timer : state_waiters_) timer->cancel();
}

void RedisSession::set_up(bool up) {
  if (up_.load(std::memory_order_relaxed) == up) return;
  up_.store(up, std::memory_order_relaxed);
  if (vote_) vote_->set_up(up);
  if (up) {
    failing_ = false;
    // The address reached (sentinel and cluster modes find it themselves).
    const auto where = endpoint_ ? endpoint_->address().to_string() : options_.host;
    const auto port = endpoint_ ? endpoint_->port() : options_.port;
    spdlog::info("\"event\":\"redis_up\",\"role\":\"{}\",\"host\":\"{}\",\"port\":{}", role_,
                 json_escaped(where), port);
  } else if (!stopped_ && hooks_.on_down) {
    hooks_.on_down();
  }
  for (auto* timer : state_waiters_) timer->cancel();
}

void RedisSession::connect_failed(std::string_view why) {
  if (stopped_) return;  // a handshake cut short by stop() is no outage
  last_error_ = why;
  metrics::yxgate_metrics().redis_errors_total.Increment();
  // One line per outage, not one per retry.
  if (failing_) return;
  failing_ = true;
  spdlog::warn(
      "\"event\":\"redis_connect_failed\",\"role\":\"{}\",\"host\":\"{}\",\"port\":{},"
      "\"error\":\"{}\",\"retrying\":true",
      role_, json_escaped(options_.host), options_.port, json_escaped(why));
}

void RedisSession::on_command_timeout() {
  // One timeout is enough (SPEC §11.3): every later command on every link
  // sharing the liveness fails fast instead of waiting out its own timeout.
  // The link stays open: what was sent runs in order once Redis reads it
  // again (a mutation's invalidation included), before the probe's PING.
  options_.liveness->mark_suspect();
  if (!up_.load(std::memory_order_relaxed) || probing_) return;
  spdlog::warn("\"event\":\"redis_unresponsive\",\"role\":\"{}\"", role_);
  set_vote(false);
  probing_ = true;
  asio::co_spawn(executor_, probe(shared_from_this()), asio::detached);
}

asio::awaitable<void> RedisSession::probe(std::shared_ptr<RedisSession> self) {
  while (!stopped_ && up_.load(std::memory_order_relaxed) && options_.liveness->suspect()) {
    const auto epoch = options_.liveness->epoch();
    const auto reply = co_await send(cmd("PING"));
    if (reply.ok()) {
      // Any reply proves Redis reads this link again; a timeout since the
      // PING left keeps the suspicion (probe_answered checks the epoch).
      options_.liveness->probe_answered(epoch);
      continue;
    }
    if (reply.failure() != RedisFailure::kTimeout) break;  // lost: reconnect probes
  }
  probing_ = false;
  set_vote(up_.load(std::memory_order_relaxed));
}

void RedisSession::on_link_connected(RedisLink& link) {
  (&link == sentinel_link_.get() ? sentinel_wake_ : wake_).cancel();
}

void RedisSession::on_link_closed(RedisLink& link, std::string_view why) {
  if (&link == sentinel_link_.get()) {
    sentinel_wake_.cancel();
    return;
  }
  if (&link != link_.get()) {
    wake_.cancel();  // a sentinel query's link: its waiter re-checks
    return;
  }
  last_error_ = why;
  if (up() && !stopped_ && !relinking_) {
    metrics::yxgate_metrics().redis_errors_total.Increment();
    spdlog::warn("\"event\":\"redis_disconnected\",\"role\":\"{}\",\"error\":\"{}\"", role_,
                 json_escaped(why));
  }
  set_up(false);
  wake_.cancel();
}

void RedisSession::on_link_reply(RedisLink& link, std::uint64_t tag, const redisReply* reply) {
  if (tag == kPushTag) {
    if (reply == nullptr) return;
    if (&link == sentinel_link_.get()) {
      on_sentinel_push(*reply);
    } else if (hooks_.on_push) {
      hooks_.on_push(*reply);
    }
    return;
  }
  const auto it = waiters_.find(tag);
  if (it == waiters_.end()) return;  // timed out already: drop the late reply
  Waiter* waiter = it->second;
  waiters_.erase(it);
  waiter->result =
      reply != nullptr ? RedisReply(from_hiredis(*reply)) : RedisReply(RedisFailure::kDisconnected);
  if (waiter->timer != nullptr) waiter->timer->cancel();
}

}  // namespace yxgate::redis
