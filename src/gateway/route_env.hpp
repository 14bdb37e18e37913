#pragma once
// Everything a route handler may use for one request. Handlers are free
// functions taking this: the stages stay visible in Gateway::handle.
#include "config/config.hpp"
#include "gateway/batcher.hpp"
#include "gateway/single_flight.hpp"
#include "gateway/worker.hpp"
#include "message_cache/cached_messages.hpp"
#include "request/request_context.hpp"
#include "router/route.hpp"
#include "server/http_types.hpp"
#include "upstream/upstream_caller.hpp"

namespace yxgate::gateway {

struct RouteEnv {
  server::HttpRequest& request;
  request::RequestContext& ctx;
  const router::Route& route;
  std::string_view query;
  const upstream::AppCredentials& app;
  message_cache::CachedMessages& cache;
  const config::Config& config;
  Worker& worker;  // the worker running this request: its upstream and Redis connections
  Batcher& batcher;
  SingleFlight& flights;

  unsigned version() const { return request.version(); }
};

inline constexpr std::string_view kCacheHeader = "X-Yxgate-Cache";

// SPEC §3.1.1 shape: HTTP 200, {"code":414,"msg":"parameter error: <what>"}.
server::HttpResponse parameter_error(RouteEnv& env, std::string_view what);

// Why a parsed route cannot read the request body as upstream would: a
// Content-Encoding other than identity (the gateway reads bodies as sent;
// upstream may decode them, or not). Empty when the body is plain.
std::string_view encoded_body_refusal(const RouteEnv& env);

// The request a parsed route sends upstream (SPEC §11.1): the client's
// end-to-end headers, but the target and body the gateway understood, and
// `Accept-Encoding: identity` since the gateway must read the reply.
upstream::Request parsed_upstream_request(RouteEnv& env, std::string target, std::string body);

// What a client gets for a call it shared (copies the shared answer); a
// failure is worded for the client's own method (SPEC §11.4).
server::HttpResponse relay_shared(RouteEnv& env, const upstream::UpstreamReply& reply);

// Upstream's own shape for a JSON answer the gateway composed (cache hits).
server::HttpResponse json_answer(RouteEnv& env, std::string body, long long code,
                                 std::string_view cache_result);

}  // namespace yxgate::gateway
