#include "gateway/single_message_route.hpp"

#include "cache/upstream_reply.hpp"
#include "fidelity/message_params.hpp"
#include "yunxin/codes.hpp"

namespace yxgate::gateway {
namespace asio = boost::asio;
namespace http = server::http;
using fidelity::MessageLookup;

namespace {

// Keyed by what is forwarded (two spellings of one question share a call)
// and by the message's invalidation generation when the lookup arrived: a
// lookup that arrives after a mutation of its message returned cannot join
// a call that left before it (SPEC §11.2); it starts its own.
// (coalesce/ticket.hpp rule 3).
std::string flight_key(const std::string& target, const coalesce::FillTicket& ticket) {
  return coalesce::flight_key(ticket, target);
}

// Sends the GET the gateway understood (SPEC §11.1); the leader of a shared
// flight runs this. An HTTP 200 whose body cannot be parsed becomes a
// protocol failure (a 502 for every waiter), bypass included. With `fill`,
// upstream's answer fills the cache (SPEC §3.1.6: a message, or a 107404
// for this exact question; nothing else).
asio::awaitable<upstream::UpstreamReply> call_single(RouteEnv& env, const MessageLookup& lookup,
                                                     const coalesce::FillTicket& ticket,
                                                     std::string target, bool fill) {
  auto reply = co_await env.worker.upstream().call(
      parsed_upstream_request(env, std::move(target), {}), env.app, env.ctx, env.ctx.trace_id);
  if (!reply.http_ok()) co_return reply;
  auto parsed = cache::parse_single_reply(reply.outcome.response.body());
  if (!parsed) {
    reply.outcome.failure = upstream::Failure::kProtocol;
    reply.outcome.detail = "unparsable reply: " + parsed.error().message;
    co_return reply;
  }
  // create_time never changes: learned also from a bypass (SPEC §11.5).
  if (parsed->code == 200) env.batcher.learn_message(env.app.index, parsed->data_json);
  if (!fill) co_return reply;
  if (parsed->code == 200) {
    co_await env.cache.fill_message(env.worker.cache_lane(), ticket, std::move(parsed->data_json),
                                    env.ctx.redis);
  } else if (parsed->code == yunxin::kMessageNotFound) {
    co_await env.cache.fill_not_found(env.worker.cache_lane(), ticket, lookup.conversation,
                                      lookup.message_time);
  }
  co_return reply;
}

// Identical requests in flight share one single GET (SPEC §3.1.2, §3.1.4).
asio::awaitable<server::HttpResponse> shared_single_get(
    RouteEnv& env, const MessageLookup& lookup, bool fill, std::string_view miss_label,
    std::optional<std::int64_t> redis_epoch = std::nullopt) {
  auto target = fidelity::single_get_target(env.route.prefix, lookup);
  // Taken before the call (and before joining one): a mutation after this
  // point vetoes the fill and keeps later lookups out of this flight.
  auto ticket = env.cache.ticket(env.app.index, lookup.message_server_id);
  ticket.redis_epoch = redis_epoch;
  coalesce::SharedReply<upstream::UpstreamReply> shared;
  if (coalesce::shares_calls(ticket)) {
    shared = co_await env.flights.run(
        flight_key(target, ticket), [&]() -> asio::awaitable<upstream::UpstreamReply> {
          co_return co_await call_single(env, lookup, ticket, std::move(target), fill);
        });
  } else {
    auto reply = co_await call_single(env, lookup, ticket, std::move(target), fill);
    shared = {std::make_shared<const upstream::UpstreamReply>(std::move(reply)), true, false};
  }
  auto response = relay_shared(env, *shared.reply);
  // A call our own limiter refused served nobody: not "coalesced".
  const bool coalesced = shared.shared && !shared.reply->rate_limited && miss_label == "miss";
  env.ctx.cache = coalesced ? "coalesced" : miss_label;
  response.set(kCacheHeader, env.ctx.cache);
  co_return response;
}

// A miss with message_time, or without one but with a learned create_time
// (SPEC §11.5), joins the conversation's batch (SPEC §3.1.4-5). The batch
// asks (id, create_time); with the message's own create_time upstream's
// answer is what its single GET without message_time would be.
asio::awaitable<server::HttpResponse> batched_get(RouteEnv& env, const MessageLookup& lookup,
                                                  std::uint64_t create_time,
                                                  std::optional<std::int64_t> redis_epoch) {
  // Taken before joining, as the single GET path does: a mutation after this
  // point vetoes the negative fill below.
  const auto ticket = env.cache.ticket(env.app.index, lookup.message_server_id);
  std::vector<cache::BatchItem> items{{lookup.message_server_id, create_time, true, redis_epoch}};
  auto results = co_await env.batcher.fetch(env.worker, env.app,
                                            fidelity::conversation_segment(lookup.conversation),
                                            lookup.conversation, items, env.ctx);
  auto& result = results.front();
  // The batch cached upstream's 107404 for the question (id, create_time);
  // a lookup without message_time asked another question (cache::match),
  // cached as the single GET path would (SPEC §3.1.6).
  if (!lookup.message_time && result.kind == ItemResult::Kind::kFailed && result.not_found_said) {
    co_await env.cache.fill_not_found(env.worker.cache_lane(), ticket, lookup.conversation,
                                      std::nullopt);
  }
  env.ctx.upstream_trace_id = result.batch_trace_id;
  env.ctx.upstream_calls += result.counts_call ? 1 : 0;
  const std::string_view label = result.shared ? "coalesced" : "miss";
  if (result.kind == ItemResult::Kind::kBatchFailed) {
    if (result.malformed) {
      env.ctx.cache = label;
      co_return upstream::gateway_error(env.ctx, http::status::bad_gateway, 500,
                                        "malformed upstream reply", "upstream_bad_reply",
                                        env.version());
    }
    auto response = relay_shared(env, *result.batch);
    env.ctx.cache = label;
    response.set(kCacheHeader, label);
    co_return response;
  }
  const auto code = result.kind == ItemResult::Kind::kMessage ? 200 : result.failed.error_code;
  co_return json_answer(env, result.single_message_body(), code, label);
}

}  // namespace

namespace {

server::HttpResponse cache_hit(RouteEnv& env, const message_cache::CacheAnswer& answer) {
  const auto code =
      answer.result == cache::Lookup::kHit ? yunxin::kSuccess : yunxin::kMessageNotFound;
  return json_answer(env, cache::single_message_body(*answer.entry), code, "hit");
}

}  // namespace

std::optional<server::HttpResponse> answer_from_local_cache(RouteEnv& env) {
  if (!env.cache.local_enabled()) return std::nullopt;  // spare the Redis path a second parse
  auto lookup = fidelity::parse_message_lookup(env.route.conversation_id,
                                               env.route.message_server_id, env.query);
  if (!lookup || lookup->check_team) return std::nullopt;
  auto answer = env.cache.lookup_local(env.app.index, lookup->message_server_id,
                                       lookup->conversation, lookup->message_time);
  if (!answer.entry) return std::nullopt;
  return cache_hit(env, answer);
}

namespace {

// A lookup no cache layer answered. Its own coroutine: three ways upstream
// in the frame of handle_single_message would put that frame over the 1 KiB
// Asio recycles, and a Redis hit would pay a malloc for a miss's temporaries.
// `redis_epoch`: what the lookup's Redis read saw, for the fill.
asio::awaitable<server::HttpResponse> answer_miss(RouteEnv& env, const MessageLookup& lookup,
                                                  std::optional<std::int64_t> redis_epoch) {
  if (lookup.message_time) {
    co_return co_await batched_get(env, lookup, *lookup.message_time, redis_epoch);
  }
  // Upstream's batch call needs create_time: without message_time, a batch
  // only with a learned one (SPEC §11.5); otherwise a single GET.
  if (auto learned = env.batcher.learned_time(env.app.index, lookup.message_server_id)) {
    co_return co_await batched_get(env, lookup, *learned, redis_epoch);
  }
  co_return co_await shared_single_get(env, lookup, true, "miss", redis_epoch);
}

// Not a coroutine (one co_await site in the caller, not two). GCC 12 crashes
// on a co_await of a conditional expression: it destroys the awaitable twice.
asio::awaitable<message_cache::CacheAnswer> cache_lookup(RouteEnv& env, const MessageLookup& lookup,
                                                         bool local_checked) {
  auto* lane = env.worker.cache_lane();
  if (local_checked) {
    return env.cache.lookup_redis(lane, env.app.index, lookup.message_server_id,
                                  lookup.conversation, lookup.message_time, env.ctx.redis);
  }
  return env.cache.lookup(lane, env.app.index, lookup.message_server_id, lookup.conversation,
                          lookup.message_time, env.ctx.redis);
}

}  // namespace

asio::awaitable<server::HttpResponse> handle_single_message(RouteEnv env, bool local_checked) {
  auto lookup = fidelity::parse_message_lookup(env.route.conversation_id,
                                               env.route.message_server_id, env.query);
  // SPEC §3.1.1: answered as upstream would, nothing goes upstream.
  if (!lookup) co_return parameter_error(env, lookup.error().message);

  // SPEC §3.1.2: the answer depends on live team state: no cache, no batch.
  if (lookup->check_team) co_return co_await shared_single_get(env, *lookup, false, "bypass");

  const auto answer = co_await cache_lookup(env, *lookup, local_checked);
  if (answer.entry) co_return cache_hit(env, answer);
  co_return co_await answer_miss(env, *lookup, answer.redis_epoch);
}

}  // namespace yxgate::gateway
