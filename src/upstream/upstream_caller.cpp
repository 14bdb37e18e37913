#include "upstream/upstream_caller.hpp"

#include <spdlog/spdlog.h>

#include <boost/beast/core/string.hpp>
#include <ctime>
#include <vector>

#include "fidelity/auth_refusal.hpp"
#include "log/event_line.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "signing/signer.hpp"
#include "upstream/header_filter.hpp"
#include "upstream/reply_decoding.hpp"
#include "yunxin/codes.hpp"

namespace yxgate::upstream {
namespace asio = boost::asio;
namespace http = server::http;
using server::HttpResponse;

namespace {

using signing::kTraceHeader;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Upstream outcome label of yxgate_upstream_requests_total (SPEC §8).
// `auth_refused`: upstream's 414 says it refused our signature (SPEC §2);
// a 414 for a parameter error is an ordinary "error".
metrics::UpstreamOutcome outcome_of(const upstream::Outcome& outcome, std::optional<long long> code,
                                    bool auth_refused) {
  using metrics::UpstreamOutcome;
  switch (outcome.failure) {
    case upstream::Failure::kConnect:
      return UpstreamOutcome::kConnectError;
    case upstream::Failure::kTimeout:
      return UpstreamOutcome::kTimeout;
    case upstream::Failure::kProtocol:
      return UpstreamOutcome::kProtocolError;
    case upstream::Failure::kNone:
      break;
  }
  if (outcome.response.result_int() != 200) return UpstreamOutcome::kHttpError;
  if (!code) return UpstreamOutcome::kMalformed;
  if (*code == 200) return UpstreamOutcome::kOk;
  if (*code == yunxin::kParameterError && auth_refused) return UpstreamOutcome::kAuthError;
  if (*code == yunxin::kRateLimited) return UpstreamOutcome::kRateLimited;
  return UpstreamOutcome::kError;
}

// SPEC §5: what only a gateway can fail at uses HTTP status, body code 500.
struct FailureReply {
  http::status status;
  std::string_view msg;
  std::string_view reason;
};

// SPEC §11.4: the vendor SDKs retry a 502 and any error whose text says
// "timeout", "connection refused", "connection reset", "no such host" or
// "network unreachable". A write upstream may have acted on gets a 504 whose
// text says none of these, so it is not sent again.
FailureReply failure_reply(const UpstreamReply& reply) {
  const auto failure = reply.outcome.failure;
  if (reply.write && reply.outcome.sent) {
    if (failure == upstream::Failure::kTimeout) {
      return {http::status::gateway_timeout,
              "upstream did not answer in time; the outcome of this write is unknown",
              "upstream_timeout"};
    }
    return {http::status::gateway_timeout,
            "upstream reply was lost or unreadable; the outcome of this write is unknown",
            "upstream_bad_reply"};
  }
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

HttpResponse gateway_error(request::RequestContext& ctx, http::status status, int code,
                           std::string_view msg, std::string_view reason, unsigned version) {
  ctx.error = std::string(reason);
  ctx.body_code = code;
  return server::make_error_response(status, code, msg, reason, version);
}

UpstreamCaller::UpstreamCaller(asio::any_io_executor executor, asio::ssl::context& tls,
                               const config::UpstreamConfig& config, std::size_t max_connections,
                               redis::RedisConnection* redis, limiter::RateLimiter& limiter)
    : client_(std::make_unique<upstream::UpstreamClient>(std::move(executor), tls, config,
                                                         max_connections)),
      redis_(redis),
      limiter_(limiter),
      metrics_(metrics::yxgate_metrics()) {}

// One walk over the client's fields, writing the ones that go upstream as
// text: what copying them all into a beast::fields, then erasing the
// hop-by-hop and client-only ones (header_filter) left, in the same order.
upstream::Request UpstreamCaller::from_client(server::HttpRequest& request, ReplyCoding coding) {
  upstream::Request up{request.method(), std::string(request.target())};
  // The names Connection fields list (RFC 9110 §7.6.1): views into
  // `request`, which nothing changes meanwhile.
  std::vector<std::string_view> named;
  for (const auto& field : request) {
    if (field.name() != http::field::connection) continue;
    for_each_connection_token(field.value(),
                              [&](std::string_view token) { named.push_back(token); });
  }
  const bool identity = coding == ReplyCoding::kIdentity;
  // One allocation for the fields, call()'s included: the client's and room
  // for the signing fields and the trace id (~190 bytes and the AppKey).
  std::size_t bytes = 256;
  for (const auto& field : request) bytes += field.name_string().size() + field.value().size() + 4;
  up.reserve_fields(bytes);
  for (const auto& field : request) {
    const auto name = field.name_string();
    if (is_hop_by_hop(field.name()) || is_client_only(field.name(), name)) continue;
    if (identity && field.name() == http::field::accept_encoding) continue;
    // call() sets its own, last (it replaced the client's before).
    if (field.name() == http::field::unknown && boost::beast::iequals(name, kTraceHeader)) continue;
    bool listed = false;
    for (std::size_t i = 0; !listed && i < named.size(); ++i) {
      listed = boost::beast::iequals(name, named[i]);
    }
    if (!listed) up.add_field(name, field.value());
  }
  if (identity) up.add_field("Accept-Encoding", "identity");
  up.body() = std::move(request.body());
  return up;
}

asio::awaitable<UpstreamReply> UpstreamCaller::call(upstream::Request request,
                                                    const AppCredentials& app,
                                                    request::RequestContext& ctx,
                                                    std::string_view trace_id) {
  // Not a conditional expression in the co_await (GCC 12 destroys its
  // temporaries twice): the usual case is decided without a frame.
  limiter::Admission admission;
  if (const auto now = limiter_.admit_now(redis_, app.index, ctx.route)) {
    admission = *now;
  } else {
    admission = co_await limiter_.admit(redis_, app.index, ctx.route);
  }
  if (!admission.admitted) {
    UpstreamReply refused;
    refused.rate_limited = admission.retry_after;
    co_return refused;
  }
  signing::append_signing_fields(request.fields_text(), app.key, app.secret, std::time(nullptr));
  request.add_field(kTraceHeader, trace_id);

  const auto started = std::chrono::steady_clock::now();
  // Not `UpstreamReply reply{co_await ...}`: GCC 12 destroys temporaries of a
  // co_await inside a braced initializer twice.
  UpstreamReply reply;
  const bool reads = reads_reply(request);
  reply.write = is_write(request.method());
  reply.outcome = co_await client_->send(std::move(request), ctx.upstream_timeout);
  if (reads) decode_reply_body(reply.outcome);  // SPEC §11.1: read as sent
  ctx.upstream_calls += std::max(1, reply.outcome.attempts);
  if (reply.outcome.sent) ctx.upstream_reached = true;
  metrics_.duration(ctx.route).observe(seconds_since(started));
  if (reply.http_ok()) reply.code = body_code_.read(reply.outcome.response.body());
  if (reply.code) ctx.body_code = *reply.code;
  const auto outcome =
      outcome_of(reply.outcome, reply.code,
                 reply.code == yunxin::kParameterError &&
                     fidelity::is_auth_refusal_body(reply.outcome.response.body()));
  metrics_.requests(ctx.route, outcome).Increment();
  // Both lines carry the client's X-custom-traceid: built escaped (SPEC §10).
  if (outcome == metrics::UpstreamOutcome::kAuthError) {
    spdlog::error(
        log::upstream_auth_error_line(trace_id, app.name, router::route_class_name(ctx.route)));
  }
  if (!reply.ok()) {
    spdlog::warn(
        log::upstream_error_line(trace_id, failure_reply(reply).reason, reply.outcome.detail));
  }
  co_return reply;
}

HttpResponse UpstreamCaller::relay(UpstreamReply&& reply, request::RequestContext& ctx,
                                   unsigned version, bool head_request) {
  if (reply.rate_limited) {
    // SPEC §4: what upstream answers when its frequency control trips.
    auto response = gateway_error(ctx, http::status::ok, yunxin::kRateLimited,
                                  "rate limit exceeded", "rate_limited", version);
    response.set(http::field::retry_after, std::to_string(reply.rate_limited->count()));
    return response;
  }
  if (!reply.ok()) {
    const auto failure = failure_reply(reply);
    return gateway_error(ctx, failure.status, yunxin::kGatewayFailure, failure.msg, failure.reason,
                         version);
  }
  // Moved, not copied field by field: status number and phrase stay as they
  // came (Beast's status enum has no name for 418 or 599), fields in their
  // order.
  // ReplyParser stored no hop-by-hop field (nor any a Connection field
  // named) and kept Content-Length only in a HEAD reply, where it says what
  // GET would carry; any other answer is framed by its body here.
  HttpResponse response = std::move(reply.outcome.response);
  response.version(version);
  if (!head_request) response.prepare_payload();
  return response;
}

}  // namespace yxgate::upstream
