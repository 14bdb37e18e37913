#include "pipeline/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <ctime>

#include "log/access_log.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "pipeline/body_code.hpp"
#include "pipeline/header_filter.hpp"
#include "pipeline/message_params.hpp"
#include "signing/signer.hpp"
#include "upstream/upstream_client.hpp"

namespace yxgate::pipeline {
namespace asio = boost::asio;
namespace http = server::http;
using server::HttpRequest;
using server::HttpResponse;

namespace {

constexpr std::string_view kTraceHeader = "X-custom-traceid";
constexpr std::string_view kAppHeader = "X-Yxgate-App";
constexpr std::string_view kCacheHeader = "X-Yxgate-Cache";

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Upstream outcome label of yxgate_upstream_requests_total (SPEC §8).
std::string_view outcome_label(const upstream::Outcome& outcome, std::optional<long long> code) {
  switch (outcome.failure) {
    case upstream::Failure::kConnect:
      return "connect_error";
    case upstream::Failure::kTimeout:
      return "timeout";
    case upstream::Failure::kProtocol:
      return "protocol_error";
    case upstream::Failure::kNone:
      break;
  }
  if (outcome.response.result_int() != 200) return "http_error";
  if (!code) return "malformed";
  if (*code == 200) return "ok";
  if (*code == 414) return "auth_error";
  if (*code == 416) return "rate_limited";
  return "error";
}

// SPEC §5: what only a gateway can fail at uses HTTP status, body code 500.
struct FailureReply {
  http::status status;
  std::string_view msg;
  std::string_view reason;
};

FailureReply failure_reply(upstream::Failure failure) {
  switch (failure) {
    case upstream::Failure::kTimeout:
      return {http::status::gateway_timeout, "upstream timeout", "upstream_timeout"};
    case upstream::Failure::kProtocol:
      return {http::status::bad_gateway, "malformed upstream reply", "upstream_bad_reply"};
    default:
      return {http::status::bad_gateway, "upstream connect failure", "upstream_connect_failed"};
  }
}

}  // namespace

struct Gateway::Worker {
  std::unique_ptr<upstream::UpstreamClient> upstream;
  BodyCodeReader body_code;
};

Gateway::Gateway(const config::Config& config, server::WorkerPool& pool, asio::ssl::context& tls,
                 server::ServerState& state)
    : config_(config), state_(state) {
  for (const auto& app : config.apps) {
    apps_.push_back({app.name, app.resolved_app_key, app.resolved_app_secret});
  }
  // Each worker owns a share of upstream.max_connections (rounded up).
  const auto per_worker =
      (config.upstream.max_connections + pool.size() - 1) / std::max<std::size_t>(1, pool.size());
  for (std::size_t i = 0; i < pool.size(); ++i) {
    auto worker = std::make_unique<Worker>();
    worker->upstream = std::make_unique<upstream::UpstreamClient>(pool.context(i).get_executor(),
                                                                  tls, config.upstream, per_worker);
    workers_.push_back(std::move(worker));
  }
}

Gateway::~Gateway() = default;

const AppCredentials* Gateway::select_app(const HttpRequest& request) const {
  const auto it = request.find(kAppHeader);
  if (it == request.end()) return &apps_.front();
  for (const auto& app : apps_) {
    if (app.name == it->value()) return &app;
  }
  return nullptr;
}

HttpResponse Gateway::reply_error(RequestContext& ctx, http::status status, int code,
                                  std::string_view msg, std::string_view reason,
                                  unsigned version) const {
  ctx.error = std::string(reason);
  ctx.body_code = code;
  return server::make_error_response(status, code, msg, reason, version);
}

asio::awaitable<HttpResponse> Gateway::handle(HttpRequest& request,
                                              const server::ClientInfo& client) {
  RequestContext ctx;
  ctx.method = std::string(request.method_string());
  ctx.client = client.address.to_string();
  if (auto it = request.find(kTraceHeader); it != request.end() && !it->value().empty()) {
    ctx.trace_id = std::string(it->value());
  } else {
    ctx.trace_id = signing::make_trace_id();
  }
  const auto target = router::split_target(request.target());
  ctx.path = std::string(target.path);
  const unsigned version = request.version();

  HttpResponse response;
  const auto route = router::classify(request.method_string(), target.path);
  ctx.route = route.route_class;
  const AppCredentials* app = select_app(request);
  if (app) ctx.app = app->name;

  if (state_.inflight.load() > static_cast<std::int64_t>(config_.server.max_inflight)) {
    response = reply_error(ctx, http::status::service_unavailable, 503, "gateway overloaded",
                           "overloaded", version);
  } else if (route.kind == router::RouteKind::kNotRouted) {
    response = reply_error(ctx, http::status::not_found, 404,
                           "no route: only /im/v2/ and /im/v2.1/ are served", "not_found", version);
  } else if (!app) {
    // Upstream answers an unknown AppKey with HTTP 200 / code 414; an unknown
    // app name is the gateway's equivalent.
    response = reply_error(ctx, http::status::ok, 414, "parameter error: unknown X-Yxgate-App",
                           "unknown_app", version);
  } else if (route.kind == router::RouteKind::kGetMessage) {
    auto lookup =
        parse_message_lookup(route.conversation_id, route.message_server_id, target.query);
    if (!lookup) {
      // SPEC §3.1.1: answered as upstream would, nothing goes upstream.
      response =
          reply_error(ctx, http::status::ok, 414, "parameter error: " + lookup.error().message,
                      "invalid_parameter", version);
    } else {
      response = co_await forward(request, ctx, *app, *workers_[client.worker]);
    }
  } else {
    response = co_await forward(request, ctx, *app, *workers_[client.worker]);
  }
  finish(ctx, response);
  co_return response;
}

asio::awaitable<HttpResponse> Gateway::forward(HttpRequest& request, RequestContext& ctx,
                                               const AppCredentials& app, Worker& worker) {
  upstream::Request up{request.method(), request.target(), 11};
  for (const auto& field : request) up.insert(field.name_string(), field.value());
  remove_hop_by_hop(up.base());
  remove_client_only(up.base());
  const auto signing = signing::sign(app.key, app.secret, std::time(nullptr));
  up.set("AppKey", signing.app_key);
  up.set("Nonce", signing.nonce);
  up.set("CurTime", signing.cur_time);
  up.set("CheckSum", signing.check_sum);
  up.set(kTraceHeader, ctx.trace_id);
  up.body() = std::move(request.body());

  const auto route = router::route_class_name(ctx.route);
  const auto started = std::chrono::steady_clock::now();
  ++ctx.upstream_calls;
  auto outcome = co_await worker.upstream->send(std::move(up));
  auto& metrics = metrics::yxgate_metrics();
  metrics.upstream_request_duration_seconds.with({route}).observe(seconds_since(started));

  std::optional<long long> code;
  if (outcome.failure == upstream::Failure::kNone && outcome.response.result_int() == 200) {
    code = worker.body_code.read(outcome.response.body());
  }
  const auto outcome_name = outcome_label(outcome, code);
  metrics.upstream_requests_total.with({route, outcome_name}).inc();
  if (outcome_name == "auth_error") {
    // SPEC §2: a 414 on a request we signed means a wrong secret or clock skew.
    spdlog::error(
        "\"event\":\"upstream_auth_error\",\"trace_id\":\"{}\",\"app\":\"{}\",\"route\":\"{}\","
        "\"hint\":\"upstream rejected our signature or parameters (code 414): check the app "
        "secret and the clock\"",
        ctx.trace_id, app.name, route);
  }

  const unsigned version = request.version();
  if (outcome.failure != upstream::Failure::kNone) {
    const auto reply = failure_reply(outcome.failure);
    spdlog::warn(
        "\"event\":\"upstream_error\",\"trace_id\":\"{}\",\"reason\":\"{}\",\"detail\":\"{}\"",
        ctx.trace_id, reply.reason, outcome.detail);
    co_return reply_error(ctx, reply.status, 500, reply.msg, reply.reason, version);
  }

  HttpResponse response{outcome.response.result(), version};
  const bool head = request.method() == http::verb::head;
  const auto content_length = outcome.response[http::field::content_length];
  for (const auto& field : outcome.response) response.insert(field.name_string(), field.value());
  remove_hop_by_hop(response.base());
  response.body() = std::move(outcome.response.body());
  if (head) {
    if (!content_length.empty()) response.set(http::field::content_length, content_length);
  } else {
    response.prepare_payload();
  }
  if (code) ctx.body_code = *code;
  co_return response;
}

void Gateway::finish(RequestContext& ctx, HttpResponse& response) const {
  response.set(kTraceHeader, ctx.trace_id);
  if (ctx.route == router::RouteClass::kGetMessage &&
      response.find(kCacheHeader) == response.end() && ctx.upstream_calls > 0) {
    response.set(kCacheHeader, "miss");
    ctx.cache = "miss";
  }
  ctx.status = response.result_int();
  const auto latency = seconds_since(ctx.start);
  auto& metrics = metrics::yxgate_metrics();
  const auto route = router::route_class_name(ctx.route);
  metrics.http_requests_total.with({route, std::to_string(ctx.status), ctx.cache}).inc();
  metrics.http_request_duration_seconds.with({route}).observe(latency);
  if (config_.log.access_log) log::write_access_log(ctx, latency * 1000.0);
}

}  // namespace yxgate::pipeline
