#include "admin/admin_handler.hpp"

#include "fidelity/url_text.hpp"
#include "metrics/registry.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "router/conversation_id.hpp"
#include "router/route.hpp"

namespace yxgate::admin {
namespace http = server::http;
using server::HttpResponse;

namespace {

// A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d.
bool is_loopback_client(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .is_loopback();
  }
  return address.is_loopback();
}

}  // namespace

AdminHandler::AdminHandler(server::ServerState& state, std::string redacted_config, Purge purge)
    : state_(state),
      redacted_config_(std::make_shared<const std::string>(std::move(redacted_config))),
      purge_(std::move(purge)) {}

void AdminHandler::set_redacted_config(std::string redacted_config) {
  auto rendered = std::make_shared<const std::string>(std::move(redacted_config));
  std::lock_guard lock(config_mutex_);
  redacted_config_ = std::move(rendered);
}

boost::asio::awaitable<HttpResponse> AdminHandler::handle_rest(server::HttpRequest& request,
                                                               const server::ClientInfo& client,
                                                               Scratch* /*scratch*/) {
  if (router::split_target(request.target()).path == "/admin/cache/purge") {
    co_return co_await purge(request, client);
  }
  co_return respond(request);
}

// SPEC §1: the one mutating admin call, answered only from loopback.
boost::asio::awaitable<HttpResponse> AdminHandler::purge(const server::HttpRequest& request,
                                                         const server::ClientInfo& client) {
  const unsigned version = request.version();
  if (!is_loopback_client(client.address)) {
    co_return server::make_error_response(
        http::status::forbidden, 403, "purge is only answered from loopback", "forbidden", version);
  }
  if (request.method() != http::verb::post) {
    auto res = server::make_error_response(http::status::method_not_allowed, 405,
                                           "method not allowed", "method_not_allowed", version);
    res.set(http::field::allow, "POST");
    co_return res;
  }
  const auto query = router::split_target(request.target()).query;
  const auto param = router::find_query_param(query, "message_server_id");
  // Percent-decoded, as every query value the data plane reads.
  std::optional<std::uint64_t> id;
  if (auto text = fidelity::decode_query_component(param.value); param.found && text) {
    if (auto parsed = router::parse_message_server_id(*text)) id = *parsed;
  }
  if (!id) {
    co_return server::make_error_response(
        http::status::bad_request, 400,
        "message_server_id must be a positive integer <= 9223372036854775807", "invalid_parameter",
        version);
  }
  if (purge_) co_await purge_(*id, client.worker);
  co_return server::make_json_response(
      http::status::ok,
      R"({"code":200,"msg":"success","data":{"purged":)" + std::to_string(*id) + "}}", version);
}

HttpResponse AdminHandler::respond(const server::HttpRequest& request) const {
  const auto path = router::split_target(request.target()).path;
  const unsigned version = request.version();
  const bool known =
      path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/config";
  if (!known) {
    return server::make_error_response(http::status::not_found, 404, "not found", "not_found",
                                       version);
  }
  // RFC 9110 §9.1: HEAD wherever GET is (health checkers use it); the
  // server sends no body after a HEAD.
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto res = server::make_error_response(http::status::method_not_allowed, 405,
                                           "method not allowed", "method_not_allowed", version);
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  if (path == "/healthz") {
    return server::make_json_response(http::status::ok, R"({"status":"ok"})", version);
  }
  if (path == "/readyz") {
    // SPEC §5: "shutting down" is a gateway-made 503 like any other.
    if (state_.draining) {
      return server::make_error_response(http::status::service_unavailable, 503,
                                         "draining: shutting down", "draining", version);
    }
    if (!state_.ready) {
      return server::make_error_response(http::status::service_unavailable, 503,
                                         "starting: not ready yet", "starting", version);
    }
    return server::make_json_response(http::status::ok, R"({"status":"ready"})", version);
  }
  if (path == "/config") {
    std::shared_ptr<const std::string> body;
    {
      std::lock_guard lock(config_mutex_);
      body = redacted_config_;
    }
    return server::make_json_response(http::status::ok, *body, version);
  }
  HttpResponse res{http::status::ok, version};
  res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  metrics::yxgate_metrics().inflight_requests.Set(static_cast<double>(state_.inflight.load()));
  res.body() = metrics::Registry::global().render();
  res.prepare_payload();
  return res;
}

}  // namespace yxgate::admin
