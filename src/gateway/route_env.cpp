#include "gateway/route_env.hpp"

#include <boost/beast/core/string.hpp>

#include "yunxin/codes.hpp"

namespace yxgate::gateway {

server::HttpResponse parameter_error(RouteEnv& env, std::string_view what) {
  return upstream::gateway_error(env.ctx, server::http::status::ok, yunxin::kParameterError,
                                 "parameter error: " + std::string(what), "invalid_parameter",
                                 env.version());
}

std::string_view encoded_body_refusal(const RouteEnv& env) {
  const auto [first, last] = env.request.equal_range(server::http::field::content_encoding);
  const bool plain = first == last || (std::next(first) == last &&
                                       boost::beast::iequals(first->value(), "identity"));
  return plain ? std::string_view() : "Content-Encoding of the request body not supported";
}

upstream::Request parsed_upstream_request(RouteEnv& env, std::string target, std::string body) {
  auto up = upstream::UpstreamCaller::from_client(env.request,
                                                  upstream::UpstreamCaller::ReplyCoding::kIdentity);
  up.target(std::move(target));
  up.body() = std::move(body);
  return up;
}

server::HttpResponse relay_shared(RouteEnv& env, const upstream::UpstreamReply& reply) {
  upstream::UpstreamReply copy = reply;
  // A failure is worded for what the client sent: a GET that shared a
  // batch_messages POST gets a read's 502, not a write's unknown outcome.
  copy.write = upstream::UpstreamCaller::is_write(env.request.method());
  if (copy.code) env.ctx.body_code = *copy.code;
  return upstream::UpstreamCaller::relay(std::move(copy), env.ctx, env.version(), false);
}

server::HttpResponse json_answer(RouteEnv& env, std::string body, long long code,
                                 std::string_view cache_result) {
  env.ctx.body_code = code;
  env.ctx.cache = cache_result;
  auto response =
      server::make_json_response(server::http::status::ok, std::move(body), env.version());
  response.set(kCacheHeader, cache_result);
  return response;
}

}  // namespace yxgate::gateway
