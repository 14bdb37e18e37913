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

}  // namespace

asio::awaitable<server::HttpResponse> handle_mutation(RouteEnv env) {
  // What the gateway cannot read as upstream does is refused: a mutation it
  // forwarded but read differently would leave the old version cached.
  auto target = fidelity::read_mutation(env.route, env.query, env.request.body());
  if (!target) co_return parameter_error(env, target.error().message);
  // Before: no reader may fill the old version from now on. After: readers
  // that started between the two calls are vetoed too (SPEC §3.3).
  // Each waits at most one cache.redis.timeout; once Redis failed one, the
  // rest share that timeout (SPEC §11.3).
  request::RedisBudget budget;
  co_await invalidate(env, *target, budget, false);
  auto body =
      target->upstream_body ? std::move(*target->upstream_body) : std::string(env.request.body());
  auto reply = co_await env.worker.upstream().call(
      parsed_upstream_request(env, target->upstream_target, std::move(body)), env.app, env.ctx,
      env.ctx.trace_id);
  if (reply.code == 200) {
    co_await invalidate(env, *target, budget, true);
    learn_from_mutation_reply(env, reply);
  }
  co_return upstream::UpstreamCaller::relay(std::move(reply), env.ctx, env.version(),
                                            env.request.method() == server::http::verb::head);
}

}  // namespace yxgate::gateway
