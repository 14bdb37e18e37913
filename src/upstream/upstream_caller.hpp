#pragma once
// One worker's way upstream: signs a request (SPEC §2), sends it on the
// worker's pool, counts it (SPEC §8) and maps what came back to what the
// client gets (SPEC §5).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>

#include "config/config.hpp"
#include "limiter/rate_limiter.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "request/request_context.hpp"
#include "server/http_types.hpp"
#include "upstream/upstream_client.hpp"
#include "yunxin/body_code.hpp"

namespace yxgate::upstream {

struct AppCredentials {
  std::string name;
  std::string key;
  std::string secret;
  std::uint32_t index = 0;
};

struct UpstreamReply {
  upstream::Outcome outcome;
  std::optional<long long> code;  // body code of an HTTP 200 JSON reply
  // Set when the gateway's own limit refused the call: nothing went upstream.
  std::optional<std::chrono::seconds> rate_limited;
  bool write = false;  // POST, PUT, PATCH or DELETE: not safe to send twice
  bool ok() const { return !rate_limited && outcome.failure == upstream::Failure::kNone; }
  bool http_ok() const { return ok() && outcome.response.result_int() == 200; }
};

class UpstreamCaller {
 public:
  UpstreamCaller(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
                 const config::UpstreamConfig& config, std::size_t max_connections,
                 redis::RedisConnection* redis, limiter::RateLimiter& limiter);

  // What the gateway asks upstream for: the client's Accept-Encoding, or
  // `identity` on the routes whose replies it reads (SPEC §11.1).
  enum class ReplyCoding { kAsClientAsks, kIdentity };

  // The client's request as it goes upstream: same method, target, body and
  // end-to-end headers, in their order; hop-by-hop, client signing, gateway
  // and X-custom-traceid headers gone (call() adds its own). With kIdentity
  // the client's Accept-Encoding gives way to `Accept-Encoding: identity`,
  // last. Takes the body.
  static upstream::Request from_client(server::HttpRequest& request,
                                       ReplyCoding coding = ReplyCoding::kAsClientAsks);

  // Takes a token of ctx.route's bucket (SPEC §4), signs and sends. `ctx`
  // gains an upstream call and, on a JSON reply, the body code; `trace_id` is
  // the X-custom-traceid this call carries.
  boost::asio::awaitable<UpstreamReply> call(upstream::Request request, const AppCredentials& app,
                                             request::RequestContext& ctx,
                                             std::string_view trace_id);

  // SPEC §11.4's writes: a failure after such a request may have reached
  // upstream is a 504 whose outcome is unknown, not a 502 (SDKs retry 502).
  static bool is_write(server::http::verb method) {
    return method == server::http::verb::post || method == server::http::verb::put ||
           method == server::http::verb::patch || method == server::http::verb::delete_;
  }

  // What the client gets for `reply`: upstream's answer unchanged, or a
  // gateway-made §5 error for a transport failure.
  static server::HttpResponse relay(UpstreamReply&& reply, request::RequestContext& ctx,
                                    unsigned version, bool head_request);

 private:
  std::unique_ptr<upstream::UpstreamClient> client_;
  yunxin::BodyCodeReader body_code_;
  redis::RedisConnection* redis_;  // this worker's, for global rate limits; null without Redis
  limiter::RateLimiter& limiter_;
  metrics::UpstreamMetrics metrics_;  // resolved at construction: call() takes no metrics lock
};

// A gateway-made error (SPEC §5): records the reason and body code in `ctx`.
server::HttpResponse gateway_error(request::RequestContext& ctx, server::http::status status,
                                   int code, std::string_view msg, std::string_view reason,
                                   unsigned version);

}  // namespace yxgate::upstream
