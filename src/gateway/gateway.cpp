#include "gateway/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/string.hpp>

#include "cache/app_identity.hpp"
#include "cache/page_times.hpp"
#include "cache/upstream_reply.hpp"
#include "fidelity/content_coding.hpp"
#include "fidelity/url_text.hpp"
#include "gateway/batch_messages_route.hpp"
#include "gateway/mutation_route.hpp"
#include "gateway/single_message_route.hpp"
#include "log/access_log.hpp"
#include "router/path_guard.hpp"
#include "signing/signer.hpp"
#include "yunxin/codes.hpp"

namespace yxgate::gateway {
namespace asio = boost::asio;
namespace http = server::http;
using server::HttpRequest;
using server::HttpResponse;

namespace {

using signing::kTraceHeader;
constexpr std::string_view kAppHeader = "X-Yxgate-App";

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What the cache layers call each app (SPEC §11.1): its upstream identity.
std::vector<std::string> app_identities(const config::Config& config) {
  std::vector<std::string> identities;
  for (const auto& app : config.apps) {
    identities.push_back(cache::app_cache_identity(app.resolved_app_key));
  }
  return identities;
}

// How long a mutation must veto fills of readers already in flight: the
// slowest upstream read, with margin.
std::chrono::milliseconds race_horizon(const config::Config& config) {
  return std::max(config.upstream.timeout, config.server.request_timeout) * 2;
}

// SPEC §11.5: history pages, thread pages and send replies carry
// (message_server_id, create_time) pairs the batcher can use. Only those
// routes' 200 replies under kMaxLearnedPageBytes are read (one on-demand
// parse; the cost is measured in loadtest/README.md); a compressed one is
// decoded first, within the same cap.
void learn_from_page(RouteEnv& env, const upstream::UpstreamReply& reply) {
  if (env.config.coalesce.time_index_entries == 0 || !reply.http_ok()) return;
  const auto& path = env.ctx.routed_path.empty() ? env.ctx.path : env.ctx.routed_path;
  if (!cache::page_carries_message_times(env.request.method_string(), path)) return;
  const auto& response = reply.outcome.response;
  const auto coding = response[http::field::content_encoding];
  std::vector<cache::MessageTime> times;
  if (coding.empty() || boost::beast::iequals(coding, "identity")) {
    if (reply.code != 200) return;
    times = cache::read_message_times(response.body());
  } else {
    auto decoded = fidelity::decode_content(coding, response.body(), cache::kMaxLearnedPageBytes);
    if (!decoded) return;
    times = cache::read_message_times(*decoded);
  }
  for (const auto& time : times) {
    env.batcher.learn(env.app.index, time.message_server_id, time.create_time);
  }
}

asio::awaitable<HttpResponse> pass_through(RouteEnv env) {
  auto reply = co_await env.worker.upstream().call(
      upstream::UpstreamCaller::from_client(env.request), env.app, env.ctx, env.ctx.trace_id);
  learn_from_page(env, reply);
  co_return upstream::UpstreamCaller::relay(std::move(reply), env.ctx, env.version(),
                                            env.request.method() == http::verb::head);
}

// A POST that asks to be run as another method: Spring's HiddenHttpMethodFilter
// (`_method=DELETE` in a form POST) and proxies honouring the override
// headers would run it as, say, a recall upstream, which the gateway would
// relay as an unrouted POST without invalidating (SPEC §11.1, §3.3). No
// vendor SDK sends one.
bool overrides_method(const HttpRequest& request, std::string_view query) {
  if (request.method() != http::verb::post) return false;
  for (const auto* name : {"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"}) {
    if (request.find(name) != request.end()) return true;
  }
  // The filter reads request parameters: the query, and a form body.
  const auto names_override = [](std::string_view params) {
    for (const auto* name : {"_method", "%5Fmethod", "%5fmethod"}) {
      if (router::find_query_param(params, name).found) return true;
    }
    return false;
  };
  const auto type = request[http::field::content_type];
  return names_override(query) ||
         (boost::beast::iequals(type.substr(0, 33), "application/x-www-form-urlencoded") &&
          names_override(request.body()));
}

// `.../modifyMsg.json` or `DELETE .../messages.json?type=1`: Spring MVC before
// 5.3 matched a path with any suffix as the path without it (suffix pattern
// matching), so such a path is a mutation there while the gateway relays it
// as a pass-through without invalidating. Refused (`bad_path`) when taking
// the last segment's suffix off makes it one; a suffix on anything else
// passes.
// Trailing blanks (`modifyMsg%20`, decoded) likewise: a matcher that trims
// tokens (Spring's AntPathMatcher did before 4.3) drops them.
bool suffix_hides_mutation(std::string_view method, std::string_view path) {
  const auto last = path.rfind('/');
  auto end = path.find('.', last == std::string_view::npos ? 0 : last);
  if (end == std::string_view::npos) {
    end = path.find_last_not_of(" \t") + 1;
    if (end == path.size()) return false;
  }
  const auto kind = router::classify(method, path.substr(0, end)).kind;
  return kind == router::RouteKind::kModifyMessage || kind == router::RouteKind::kDeleteMessage ||
         kind == router::RouteKind::kClearConversation;
}

// Upstream routes on the percent-decoded path (`/im/v2/conversation%73/...`
// is the conversations route there), so the gateway does too (SPEC §11.1).
// check_path has refused encoded '/' and '%', so decoding changes no segment
// count and one decoding is all upstream does. A request already routed to
// a parsed route has no encoded literal segment (its ids are decoded by the
// reader): only pass-through and unrouted paths are decoded and routed again,
// which keeps the hit path free of the copy. Bytes that are not UTF-8 stay
// encoded: the parsed routes refuse them.
router::Route route_as_upstream(std::string_view method, std::string_view path,
                                request::RequestContext& ctx) {
  auto route = router::classify(method, path);
  const bool parsed =
      route.kind != router::RouteKind::kPassThrough && route.kind != router::RouteKind::kNotRouted;
  if (parsed || path.find('%') == std::string_view::npos || !router::check_path(path)) {
    return route;
  }
  auto decoded = fidelity::decode_path_segment(path);
  if (!decoded) return route;
  ctx.routed_path = std::move(*decoded);
  return router::classify(method, ctx.routed_path);
}

}  // namespace

Gateway::Gateway(const config::Config& config, server::WorkerPool& pool, asio::ssl::context& tls,
                 server::ServerState& state)
    : config_(config),
      state_(state),
      clients_(config.clients),
      http_metrics_(metrics::yxgate_metrics()),
      cache_(std::make_unique<message_cache::CachedMessages>(config.cache, app_identities(config),
                                                             race_horizon(config))) {
  for (std::uint32_t i = 0; i < config.apps.size(); ++i) {
    const auto& app = config.apps[i];
    apps_.push_back({app.name, app.resolved_app_key, app.resolved_app_secret, i});
  }
  if (config.cache.redis) {
    redis_links_ = std::make_unique<redis::RedisLinks>(pool, *config.cache.redis);
    redis_ = std::make_unique<message_cache::RedisMessageStore>(
        *redis_links_, pool, app_identities(config), race_horizon(config));
    cache_->attach_redis(redis_.get());
    redis_->start(*cache_);
  }
  limiter_ = std::make_unique<limiter::RateLimiter>(
      config.apps, config.cache.redis ? config.cache.redis->key_prefix : std::string());
  batcher_ = std::make_unique<Batcher>(config.coalesce, apps_, *cache_);
  // Each worker owns a share of upstream.max_connections (rounded up).
  const auto per_worker = (config.upstream.max_connections + pool.size() - 1) / pool.size();
  for (std::size_t i = 0; i < pool.size(); ++i) {
    auto executor = pool.context(i).get_executor();
    auto* redis = redis_links_ ? &redis_links_->connection(i) : nullptr;
    workers_.push_back(
        std::make_unique<Worker>(executor,
                                 std::make_unique<upstream::UpstreamCaller>(
                                     executor, tls, config.upstream, per_worker, redis, *limiter_),
                                 redis, *cache_, *batcher_));
  }
  replay_ = std::make_unique<WriteReplay>(config, redis_links_.get());
}

Gateway::~Gateway() = default;

asio::awaitable<void> Gateway::purge(std::uint64_t message_server_id, std::size_t worker) {
  request::RedisBudget budget;  // one Redis timeout for the whole purge (SPEC §11.3)
  auto* lane = workers_[worker]->cache_lane();
  for (std::uint32_t app = 0; app < cache_->app_count(); ++app) {
    co_await cache_->invalidate_message(lane, app, message_server_id, budget, true);
  }
  // The one mutating admin call leaves a trace. Redis did not take it:
  // replayed when Redis answers again; other replicas' local layers have
  // stopped serving by now (their leases ran out).
  spdlog::info("\"event\":\"admin_purge\",\"message_server_id\":{},\"redis\":\"{}\"",
               message_server_id,
               !lane ? "none" : (budget.lost_at ? "unreachable, replayed later" : "ok"));
}

void Gateway::reload(const config::Config& config) {
  limiter_->reload(config.apps);
  cache_->set_ttls(config.cache.ttl, config.cache.negative_ttl);
}

const upstream::AppCredentials* Gateway::select_app(const HttpRequest& request) const {
  const auto it = request.find(kAppHeader);
  if (it == request.end()) return &apps_.front();
  for (const auto& app : apps_) {
    if (app.name == it->value()) return &app;
  }
  return nullptr;
}

std::unique_ptr<server::RequestHandler::Scratch> Gateway::new_scratch() {
  return std::make_unique<ConnectionScratch>();
}

// Everything decided without waiting happens here, in plain functions: a
// coroutine frame over ~1 KiB bypasses Asio's per-thread recycling (a malloc
// and free per request) and GCC keeps every temporary of every branch in it.
// handle_rest() runs only for what needs a route handler.
bool Gateway::answer_now(HttpRequest& request, const server::ClientInfo& client, Scratch* scratch,
                         HttpResponse& response) {
  auto& s = static_cast<ConnectionScratch&>(*scratch);
  // A fresh record (its start time included). Move-assigning a default one
  // leaves each string's buffer in place (its contents are short).
  s.ctx = request::RequestContext{};
  s.triage = admit(request, client, s.ctx, response);
  if (!s.triage.answered) return false;
  finish(s.ctx, response);
  return true;
}

asio::awaitable<HttpResponse> Gateway::handle_rest(HttpRequest& request,
                                                   const server::ClientInfo& client,
                                                   Scratch* scratch) {
  auto& s = static_cast<ConnectionScratch&>(*scratch);
  auto response = co_await run_route(route_env(request, s.ctx, s.triage, *workers_[client.worker]));
  finish(s.ctx, response);
  co_return response;
}

Gateway::Triage Gateway::admit(HttpRequest& request, const server::ClientInfo& client,
                               request::RequestContext& ctx, HttpResponse& response) {
  ctx.method.assign(request.method_string());
  ctx.client.assign(client.address_text);
  if (auto it = request.find(kTraceHeader); it != request.end() && !it->value().empty()) {
    ctx.trace_id.assign(it->value());
  } else {
    signing::make_trace_id(ctx.trace_id);
  }
  const auto target = router::split_target(request.target());
  ctx.path.assign(target.path);  // into the connection's buffer
  const unsigned version = request.version();
  Triage triage;
  std::optional<HttpResponse> answer;
  auto path_check = router::check_path(target.path);
  triage.route = route_as_upstream(request.method_string(), target.path, ctx);
  if (path_check && triage.route.kind == router::RouteKind::kPassThrough &&
      suffix_hides_mutation(request.method_string(),
                            ctx.routed_path.empty() ? target.path : ctx.routed_path)) {
    path_check = make_error("a mutation's path with a suffix (Spring suffix pattern matching)");
  }
  triage.query = target.query;
  triage.app = select_app(request);
  ctx.route = triage.route.route_class;
  if (triage.app) ctx.app = triage.app->name;

  // Authorization is a singleton field: two of them are no credential (a
  // proxy in front may have checked the other one).
  const auto [auth_first, auth_last] = request.equal_range(http::field::authorization);
  const std::string_view credentials = auth_first != auth_last && std::next(auth_first) == auth_last
                                           ? std::string_view(auth_first->value())
                                           : std::string_view();
  const auto auth = path_check ? clients_.check(credentials, request.method_string(), target.path)
                               : auth::AuthResult{};
  ctx.client_name.assign(auth.client);
  if (state_.inflight.load() > static_cast<std::int64_t>(config_.server.max_inflight)) {
    answer = upstream::gateway_error(ctx, http::status::service_unavailable, 503,
                                     "gateway overloaded", "overloaded", version);
  } else if (!path_check) {
    answer = upstream::gateway_error(ctx, http::status::bad_request, 400,
                                     "path not allowed: " + path_check.error().message, "bad_path",
                                     version);
  } else if (overrides_method(request, target.query)) {
    answer = upstream::gateway_error(
        ctx, http::status::bad_request, 400,
        "method override (X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override, _method) is "
        "not served: send the method itself",
        "bad_request", version);
  } else if (auth.verdict == auth::Verdict::kUnauthenticated) {
    // SPEC §6: with clients configured, every request needs a valid token.
    answer = upstream::gateway_error(ctx, http::status::unauthorized, 401,
                                     "missing or invalid client token", "unauthorized", version);
    answer->set(http::field::www_authenticate, "Bearer realm=\"yxgate\"");
  } else if (auth.verdict == auth::Verdict::kForbidden) {
    answer = upstream::gateway_error(ctx, http::status::forbidden, 403,
                                     "route not allowed for client " + ctx.client_name, "forbidden",
                                     version);
  } else if (triage.route.kind == router::RouteKind::kNotRouted) {
    answer = upstream::gateway_error(ctx, http::status::not_found, 404,
                                     "no route: only /im/v2/ and /im/v2.1/ are served", "not_found",
                                     version);
  } else if (!triage.app) {
    // Upstream answers an unknown AppKey with HTTP 200 / code 414; an unknown
    // app name is the gateway's equivalent.
    answer =
        upstream::gateway_error(ctx, http::status::ok, yunxin::kParameterError,
                                "parameter error: unknown X-Yxgate-App", "unknown_app", version);
  } else if (triage.route.kind == router::RouteKind::kGetMessage) {
    auto env = route_env(request, ctx, triage, *workers_[client.worker]);
    if (auto hit = answer_from_local_cache(env)) answer = std::move(*hit);
  }
  triage.answered = answer.has_value();
  if (answer) response = std::move(*answer);
  return triage;
}

RouteEnv Gateway::route_env(HttpRequest& request, request::RequestContext& ctx,
                            const Triage& triage, Worker& worker) {
  return RouteEnv{request, ctx,     triage.route, triage.query, *triage.app,
                  *cache_, config_, worker,       *batcher_,    flights_};
}

// Not a coroutine: it hands back the handler's own awaitable, so a request
// costs no frame here (a switch of co_awaits keeps every branch's temporaries
// in one frame, over the 1 KiB Asio recycles). Every handler takes its
// RouteEnv by value, so nothing refers to this call's parameter.
asio::awaitable<HttpResponse> Gateway::run_route(RouteEnv env) {
  if (replay_->applies(env.request, env)) {
    // SPEC §11.4: a retried write reaches upstream at most once.
    const bool mutation = env.route.kind == router::RouteKind::kModifyMessage ||
                          env.route.kind == router::RouteKind::kDeleteMessage ||
                          env.route.kind == router::RouteKind::kClearConversation;
    return replay_->run(env, mutation ? &handle_mutation : &pass_through);
  }
  switch (env.route.kind) {
    case router::RouteKind::kGetMessage:
      // admit() found no in-process entry: go on from Redis / upstream.
      return handle_single_message(env, true);
    case router::RouteKind::kBatchMessages:
      return handle_batch_messages(env);
    case router::RouteKind::kModifyMessage:
    case router::RouteKind::kDeleteMessage:
    case router::RouteKind::kClearConversation:
      return handle_mutation(env);
    default:
      return pass_through(env);
  }
}

// SPEC §8, §10: a request the front door refused is counted and logged like
// any other (a 413 or a smuggling attempt is what an operator looks for).
void Gateway::refused(const HttpRequest& partial, const server::ClientInfo& client,
                      const HttpResponse& response) {
  request::RequestContext ctx;
  ctx.method.assign(partial.method_string());
  ctx.client.assign(client.address_text);
  ctx.trace_id.assign(response[kTraceHeader]);
  const auto target = router::split_target(partial.target());
  ctx.path.assign(target.path);
  ctx.route = router::classify(partial.method_string(), target.path).route_class;
  ctx.error.assign(response[server::kErrorHeader]);
  if (auto code = cache::parse_reply_code(response.body())) ctx.body_code = *code;
  ctx.status = response.result_int();
  record(ctx);
}

void Gateway::finish(request::RequestContext& ctx, HttpResponse& response) const {
  response.set(kTraceHeader, ctx.trace_id);
  ctx.status = response.result_int();
  record(ctx);
}

void Gateway::record(const request::RequestContext& ctx) const {
  const auto latency = seconds_since(ctx.start);
  http_metrics_.record(ctx.route, ctx.cache, ctx.status, latency);
  if (config_.log.access_log) log::write_access_log(ctx, latency * 1000.0);
}

}  // namespace yxgate::gateway
