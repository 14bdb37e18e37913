#include "pipeline/mutation_route.hpp"

#include "pipeline/mutation_body.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::pipeline {
namespace asio = boost::asio;

namespace {

// What one mutation touches. Nothing when the request is malformed: upstream
// rejects it and nothing changed.
struct Target {
  std::optional<std::uint64_t> message_id;
  std::optional<router::ConversationId> conversation;
};

Target mutation_target(const RouteEnv& env) {
  Target target;
  switch (env.route.kind) {
    case router::RouteKind::kModifyMessage:
      target.message_id = modified_message_id(env.request.body());
      break;
    case router::RouteKind::kDeleteMessage:
      if (auto id = router::parse_message_server_id(env.route.message_server_id)) {
        target.message_id = *id;
      }
      break;
    case router::RouteKind::kClearConversation:
      if (auto decoded = router::percent_decode(env.route.conversation_id)) {
        if (auto conversation = router::parse_conversation_id(*decoded)) {
          target.conversation = std::move(*conversation);
        }
      }
      break;
    default:
      break;
  }
  return target;
}

asio::awaitable<void> invalidate(RouteEnv& env, const Target& target, RedisBudget& budget,
                                 bool before_answer) {
  if (target.message_id) {
    co_await env.cache.invalidate_message(env.worker, env.app.index, *target.message_id, budget,
                                          before_answer);
  }
  if (target.conversation) {
    co_await env.cache.invalidate_conversation(env.worker, env.app.index, *target.conversation,
                                               budget, before_answer);
  }
}

}  // namespace

asio::awaitable<server::HttpResponse> handle_mutation(RouteEnv env) {
  const auto target = mutation_target(env);
  // Before: no reader may fill the old version from now on. After: readers
  // that started between the two calls are vetoed too (SPEC §3.3).
  // Both share one cache.redis.timeout (SPEC §11.3).
  RedisBudget budget;
  co_await invalidate(env, target, budget, false);
  auto reply = co_await env.upstream.call(UpstreamCaller::from_client(env.request), env.app,
                                          env.ctx, env.ctx.trace_id);
  if (reply.code == 200) co_await invalidate(env, target, budget, true);
  co_return UpstreamCaller::relay(std::move(reply), env.ctx, env.version(),
                                  env.request.method() == server::http::verb::head);
}

}  // namespace yxgate::pipeline
