#include "gateway/write_replay.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>

#include "cache/upstream_reply.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "yunxin/codes.hpp"

namespace yxgate::gateway {
namespace asio = boost::asio;
namespace http = server::http;
using idempotency::StoredAnswer;
using server::HttpResponse;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kTraceHeader = "X-custom-traceid";
constexpr std::string_view kReplayedHeader = "X-Yxgate-Replayed";
// How often a repeat on another replica looks at the shared record.
constexpr auto kRedisPoll = std::chrono::milliseconds(20);
// SPEC §11.4: no "timeout", "connection refused/reset", ...: not retried.
constexpr std::string_view kUnknownOutcome =
    "upstream did not answer in time; the outcome of this write is unknown";

StoredAnswer to_stored(const HttpResponse& response) {
  StoredAnswer stored;
  stored.status = response.result_int();
  for (const auto& field : response) {
    const auto name = field.name();
    if (name == http::field::content_length || name == http::field::transfer_encoding ||
        name == http::field::connection || name == http::field::keep_alive ||
        boost::beast::iequals(field.name_string(), kTraceHeader)) {
      continue;
    }
    stored.headers.emplace_back(field.name_string(), field.value());
  }
  stored.body = response.body();
  return stored;
}

HttpResponse replayed(RouteEnv& env, const StoredAnswer& answer) {
  HttpResponse response{static_cast<http::status>(answer.status), env.version()};
  for (const auto& [name, value] : answer.headers) response.insert(name, value);
  response.set(kReplayedHeader, "1");
  response.body() = answer.body;
  response.prepare_payload();
  if (const auto it = response.find("X-Yxgate-Error"); it != response.end()) {
    env.ctx.error = std::string(it->value());
  }
  // SPEC §10: the access line carries the body code of what the client got.
  if (auto code = cache::parse_reply_code(answer.body)) env.ctx.body_code = *code;
  metrics::yxgate_metrics().idempotent_replays_total.Increment();
  return response;
}

HttpResponse outcome_unknown(RouteEnv& env) {
  return upstream::gateway_error(env.ctx, http::status::gateway_timeout, 500, kUnknownOutcome,
                                 "upstream_timeout", env.version());
}

// How long a pending marker outlives its owner: the longest the owner's
// exchange can take before it replaces the marker with the answer. That is
// a rate-limit wait (the largest apps[].rate_limits.max_wait), the call
// itself (lead() keeps it going up to 2 x upstream.timeout, connect
// included), and two Redis budgets (a global limiter's round trip; a
// mutation's invalidations share one, the final SET is within it too),
// plus a second for scheduling. A replica that dies mid-exchange so holds
// its claim no longer than that: later repeats take the key over instead of
// getting 504 for the whole idempotency.window.
std::chrono::milliseconds pending_claim_ttl(const config::Config& config) {
  std::chrono::milliseconds max_wait{0};
  for (const auto& app : config.apps) max_wait = std::max(max_wait, app.rate_limits.max_wait);
  const auto redis =
      config.cache.redis ? config.cache.redis->timeout : std::chrono::milliseconds(0);
  return max_wait + 2 * config.upstream.timeout + 2 * redis + std::chrono::seconds(1);
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(kAwait);
}

}  // namespace

// The owner's upstream exchange, shared by its client (who may stop waiting)
// and the detached coroutine running it. Both run on the same worker.
struct WriteReplay::Exchange {
  explicit Exchange(const asio::any_io_executor& executor) : signal(executor) {}
  asio::steady_timer signal;  // cancelled when `response` is final
  bool done = false;
  bool client_answered = false;  // the client's wait ended first (504)
  server::HttpRequest request;
  request::RequestContext ctx;
  HttpResponse response;
  Record record;
  std::string key;
  RedisClaim claim = RedisClaim::kNone;
};

WriteReplay::WriteReplay(const config::Config& config, redis::RedisLinks* redis)
    : key_prefix_(config.cache.redis ? config.cache.redis->key_prefix : "yxgate:"),
      window_(config.idempotency.window),
      upstream_timeout_(config.upstream.timeout),
      pending_ttl_(pending_claim_ttl(config)),
      redis_timeout_(config.cache.redis ? config.cache.redis->timeout
                                        : std::chrono::milliseconds(0)),
      redis_(redis),
      table_(config.idempotency.window) {}

WriteReplay::~WriteReplay() = default;

bool WriteReplay::applies(const server::HttpRequest& request, const RouteEnv& env) const {
  if (window_.count() <= 0 || !idempotency::is_write(request.method_string())) return false;
  if (env.route.kind == router::RouteKind::kBatchMessages) return false;  // a lookup
  const auto it = request.find(kTraceHeader);
  return it != request.end() && !it->value().empty();
}

asio::awaitable<HttpResponse> WriteReplay::run(RouteEnv env, Handler handler) {
  const auto key = key_prefix_ + idempotency::replay_key(env.app.key, env.request.method_string(),
                                                         env.request.target(), env.request.body(),
                                                         env.ctx.trace_id);
  const auto claim = table_.claim(key, Clock::now());
  if (!claim.tracked) {
    // The table is full of writes still in flight (ReplayTable's bound):
    // this one goes on unprotected rather than waiting or failing.
    spdlog::warn("\"event\":\"write_replay_table_full\",\"trace_id\":\"{}\",\"unprotected\":{}",
                 env.ctx.trace_id, table_.unprotected());
    co_return co_await handler(env);
  }
  if (!claim.owner) co_return co_await join(env, claim.record);
  auto redis_claim = RedisClaim::kNone;
  if (redis_ && redis_->up()) {
    // The request's first Redis call: charged to its budget, which the
    // mutation's invalidations share (SPEC §11.3: one timeout in all).
    auto& budget = env.ctx.redis;
    const auto issued = Clock::now();
    auto reply = co_await env.worker.redis()->command(
        redis::cmd("SET", key, idempotency::kPendingMarker, "NX", "PX",
                   std::to_string(pending_ttl_.count())),
        budget.deadline(issued, redis_timeout_));
    budget.charge(issued, Clock::now());
    if (reply.ok() && reply->is_nil()) {
      co_return co_await follow_redis(env, handler, claim.record, key);
    }
    if (reply.ok() && reply->is_status()) {
      redis_claim = RedisClaim::kTaken;
    } else if (!reply.ok() && reply.failure() != redis::RedisFailure::kNotConnected) {
      redis_claim = RedisClaim::kUnknown;
      // Redis took nothing after this moment: the other replicas' leases,
      // renewed through it, run out one timeout after it, as when an
      // invalidation fails (redis_invalidations.cpp).
      if (reply.failure() == redis::RedisFailure::kTimeout && !budget.lost_at) {
        budget.lost_at = issued;
      }
    }
    // Otherwise Redis is unusable: go on with the local record only.
  }
  co_return co_await lead(env, handler, claim.record, key, redis_claim);
}

asio::awaitable<HttpResponse> WriteReplay::lead(RouteEnv& env, Handler handler,
                                                const Record& record, const std::string& key,
                                                RedisClaim claim) {
  const auto executor = co_await asio::this_coro::executor;
  auto shared = std::make_shared<Exchange>(executor);
  shared->request = env.request;
  shared->ctx = env.ctx;
  shared->ctx.upstream_timeout = upstream_timeout_ * 2;
  shared->record = record;
  shared->key = key;
  shared->claim = claim;
  shared->signal.expires_after(upstream_timeout_);
  asio::co_spawn(executor, exchange(shared, env, handler), asio::detached);
  // co_spawn runs the exchange inline up to its first wait: it may be done.
  if (!shared->done) co_await shared->signal.async_wait(kAwait);
  if (!shared->done) {
    shared->client_answered = true;
    env.ctx.upstream_calls = 1;  // still in flight: the exchange logs its end
    co_return outcome_unknown(env);
  }
  const auto& done = shared->ctx;
  env.ctx.upstream_calls = done.upstream_calls;
  env.ctx.upstream_reached = done.upstream_reached;
  env.ctx.body_code = done.body_code;
  env.ctx.error = done.error;
  env.ctx.cache = done.cache;
  co_return std::move(shared->response);
}

asio::awaitable<void> WriteReplay::exchange(std::shared_ptr<Exchange> shared, RouteEnv env,
                                            Handler handler) {
  // `env` names the client's request and context, which may be gone by the
  // time upstream answers: the exchange runs on its own copies.
  auto& request = shared->request;
  const auto target = router::split_target(request.target());
  const auto route = router::classify(request.method_string(), target.path);
  RouteEnv own{request,   shared->ctx, route,      target.query, env.app,
               env.cache, env.config,  env.worker, env.batcher,  env.flights};
  auto response = co_await handler(own);
  // Upstream may have acted on it: repeats get this answer. Otherwise
  // (refused by a rate limit, ours or upstream's 416, or a connect failure)
  // nothing changed and a repeat may go upstream.
  const bool keep = shared->ctx.upstream_reached && shared->ctx.body_code != yunxin::kRateLimited;
  auto stored = to_stored(response);
  shared->response = std::move(response);
  shared->done = true;
  shared->signal.cancel();
  if (shared->client_answered) {
    // The client got a 504 already: say how the write really ended.
    spdlog::info(
        "\"event\":\"write_outcome_after_504\",\"trace_id\":\"{}\",\"status\":{},"
        "\"body_code\":{},\"upstream_calls\":{}",
        shared->ctx.trace_id, stored.status, shared->ctx.body_code, shared->ctx.upstream_calls);
  }
  table_.finish(shared->record, stored, keep, Clock::now());
  if (shared->claim != RedisClaim::kNone && redis_) {
    // Built apart: GCC 12 destroys a conditional's temporaries twice inside
    // a co_await expression.
    auto command = keep ? redis::cmd("SET", shared->key, idempotency::encode(stored), "PX",
                                     std::to_string(window_.count()))
                        : redis::cmd("DEL", shared->key);
    co_await settle_claim(*own.worker.redis(), std::move(command), shared->ctx.trace_id);
  }
}

asio::awaitable<void> WriteReplay::settle_claim(redis::RedisConnection& connection,
                                                std::vector<std::string> command,
                                                const std::string& trace_id) {
  const auto reply = co_await connection.command(command);
  if (reply.ok() || reply.failure() == redis::RedisFailure::kTimeout) co_return;  // taken or queued
  // Not sent (Redis suspect since the claim timed out, or reconnecting):
  // queue it behind the claim on the open connection, so that Redis never
  // holds a pending marker nobody will replace (a repeat elsewhere would
  // wait on it, then write upstream again).
  if (!connection.send_unanswered(command)) {
    spdlog::warn("\"event\":\"write_replay_record_unsent\",\"trace_id\":\"{}\"", trace_id);
  }
}

asio::awaitable<HttpResponse> WriteReplay::join(RouteEnv& env, const Record& record) {
  const auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor, upstream_timeout_);
  // The notification is posted to this worker, so it runs after this
  // coroutine has started waiting, never before.
  const bool pending = table_.on_finished(
      record, [timer, executor] { asio::post(executor, [timer] { timer->cancel(); }); });
  if (pending) {
    metrics::yxgate_metrics().idempotent_joins_total.Increment();
    co_await timer->async_wait(kAwait);
  }
  if (auto answer = table_.answer(record)) co_return replayed(env, *answer);
  co_return outcome_unknown(env);
}

asio::awaitable<HttpResponse> WriteReplay::follow_redis(RouteEnv& env, Handler handler,
                                                        const Record& record,
                                                        const std::string& key) {
  metrics::yxgate_metrics().idempotent_joins_total.Increment();
  auto& connection = *env.worker.redis();
  const auto deadline = Clock::now() + upstream_timeout_;
  for (;;) {
    auto reply = co_await connection.command(redis::cmd("GET", key));
    if (reply.ok() && reply->is_string()) {
      if (auto answer = idempotency::decode(reply->str)) {
        table_.finish(record, *answer, true, Clock::now());
        co_return replayed(env, *answer);
      }
    } else if (reply.ok() && reply->is_nil()) {
      // The owner released the key (nothing reached upstream): take it over.
      auto again =
          co_await connection.command(redis::cmd("SET", key, idempotency::kPendingMarker, "NX",
                                                 "PX", std::to_string(pending_ttl_.count())));
      if (again.ok() && again->is_status()) {
        co_return co_await lead(env, handler, record, key, RedisClaim::kTaken);
      }
    } else {
      break;  // Redis failed: the owner elsewhere may still be sending it
    }
    if (Clock::now() + kRedisPoll >= deadline) break;
    co_await sleep_for(kRedisPoll);
  }
  auto answer = outcome_unknown(env);
  // Local repeats waiting on this record get the same; the key is not kept.
  table_.finish(record, to_stored(answer), false, Clock::now());
  co_return answer;
}

}  // namespace yxgate::gateway
