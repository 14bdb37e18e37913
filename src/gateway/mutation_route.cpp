#include "gateway/mutation_route.hpp"

#include "cache/upstream_reply.hpp"
#include "fidelity/parsed_request.hpp"
#include "gateway/batcher.hpp"

namespace yxgate::gateway {
namespace asio = boost::asio;

namespace {

asio::awaitable<void> invalidate(RouteEnv& env, const fidelity::Mutation& target,
                                 request::RedisBudget& budget, bool before_answer) {
  if (target.message_id) {
    co_await env.cache.invalidate_message(env.worker.cache_lane(), env.app.index,
                                          *target.message_id, budget, before_answer);
  }
  if (target.conversation) {
    co_await env.cache.invalidate_conversation(env.worker.cache_lane(), env.app.index,
                                               *target.conversation, budget, before_answer);
  }
}

// SPEC §11.5: a modify reply's data is the message; its create_time is
// learned. Mutations are not the hot path: one parse of a 200 reply.
void learn_from_mutation_reply(RouteEnv& env, const upstream::UpstreamReply& reply) {
  if (!reply.http_ok()) return;
  auto parsed = cache::parse_single_reply(reply.outcome.response.body());
  if (parsed && parsed->code == 200) env.batcher.learn_message(env.app.index, parsed->data_json);
}

// SPEC §11.1: an HTTP 200 whose body is not a whole JSON reply is a
// failure here too, not relayed as upstream's answer; the write reached
// upstream, so its outcome is unknown (504, SPEC §11.4).
void check_reply_body(upstream::UpstreamReply& reply) {
  if (!reply.http_ok()) return;
  auto code = cache::parse_reply_code(reply.outcome.response.body());
  if (code) {
    reply.code = *code;
    return;
  }
  reply.code.reset();
  reply.outcome.failure = upstream::Failure::kProtocol;
  reply.outcome.detail = "unparsable reply: " + code.error().message;
}

}  // namespace

asio::awaitable<server::HttpResponse> handle_mutation(RouteEnv env) {
  // What the gateway cannot read as upstream does is refused: a mutation it
  // forwarded but read differently would leave the old version cached.
  if (const auto why = encoded_body_refusal(env); !why.empty()) {
    co_return parameter_error(env, why);
  }
  auto target = fidelity::read_mutation(env.route, env.query, env.request.body());
  if (!target) co_return parameter_error(env, target.error().message);
  // Before: no reader may fill the old version from now on. After: readers
  // that started between the two calls are vetoed too (SPEC §3.3).
  // Each waits at most one cache.redis.timeout; once Redis failed one, the
  // rest share that timeout (SPEC §11.3).
  // The request's own budget: a write replay's claim may have spent some.
  auto& budget = env.ctx.redis;
  co_await invalidate(env, *target, budget, false);
  auto body =
      target->upstream_body ? std::move(*target->upstream_body) : std::string(env.request.body());
  auto reply = co_await env.worker.upstream().call(
      parsed_upstream_request(env, target->upstream_target, std::move(body)), env.app, env.ctx,
      env.ctx.trace_id);
  check_reply_body(reply);
  // Whenever the mutation may have been applied (a success, and an outcome
  // the gateway could not read: a timeout, a lost or unreadable reply), the
  // readers that started meanwhile may hold the old version: vetoed too.
  if (reply.code == 200 || (!reply.rate_limited && reply.outcome.sent && !reply.code)) {
    co_await invalidate(env, *target, budget, true);
  }
  if (reply.code == 200) learn_from_mutation_reply(env, reply);
  co_return upstream::UpstreamCaller::relay(std::move(reply), env.ctx, env.version(),
                                            env.request.method() == server::http::verb::head);
}

}  // namespace yxgate::gateway
