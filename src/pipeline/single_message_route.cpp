#include "pipeline/single_message_route.hpp"

#include "cache/upstream_reply.hpp"
#include "pipeline/message_params.hpp"

namespace yxgate::pipeline {
namespace asio = boost::asio;
namespace http = server::http;

namespace {

// Fills the cache from upstream's answer (SPEC §3.1.6): a message, or a
// 107404 for this exact question. Nothing else is cached.
asio::awaitable<bool> fill_from_reply(RouteEnv& env, const MessageLookup& lookup,
                                      const FillTicket& ticket, const std::string& body) {
  auto reply = cache::parse_single_reply(body);
  if (!reply) co_return false;
  if (reply->code == 200) {
    co_await env.cache.fill_message(env.worker, ticket, std::move(reply->data_json));
  } else if (reply->code == 107404) {
    co_await env.cache.fill_not_found(env.worker, ticket, lookup.conversation, lookup.message_time);
  }
  co_return true;
}

}  // namespace

asio::awaitable<server::HttpResponse> handle_single_message(RouteEnv env) {
  auto lookup =
      parse_message_lookup(env.route.conversation_id, env.route.message_server_id, env.query);
  // SPEC §3.1.1: answered as upstream would, nothing goes upstream.
  if (!lookup) co_return parameter_error(env, lookup.error().message);
  const bool head = env.request.method() == http::verb::head;

  if (lookup->check_team) {
    // SPEC §3.1.2: the answer depends on live team state.
    auto reply = co_await env.upstream.call(UpstreamCaller::from_client(env.request), env.app,
                                            env.ctx, env.ctx.trace_id);
    auto response = UpstreamCaller::relay(std::move(reply), env.ctx, env.version(), head);
    env.ctx.cache = "bypass";
    response.set(kCacheHeader, "bypass");
    co_return response;
  }

  const auto id = lookup->message_server_id;
  auto answer = co_await env.cache.lookup(env.worker, env.app.index, id, lookup->conversation,
                                          lookup->message_time);
  if (answer.entry) {
    const auto code = answer.result == cache::Lookup::kHit ? 200 : 107404;
    co_return json_answer(env, cache::single_message_body(*answer.entry), code, "hit");
  }

  const auto ticket = env.cache.ticket(env.app.index, id);
  auto reply = co_await env.upstream.call(UpstreamCaller::from_client(env.request), env.app,
                                          env.ctx, env.ctx.trace_id);
  if (reply.http_ok() &&
      !co_await fill_from_reply(env, *lookup, ticket, reply.outcome.response.body())) {
    // SPEC §3.1: an HTTP 200 whose body cannot be parsed is a 502.
    co_return gateway_error(env.ctx, http::status::bad_gateway, 500, "malformed upstream reply",
                            "upstream_bad_reply", env.version());
  }
  auto response = UpstreamCaller::relay(std::move(reply), env.ctx, env.version(), head);
  env.ctx.cache = "miss";
  response.set(kCacheHeader, "miss");
  co_return response;
}

}  // namespace yxgate::pipeline
