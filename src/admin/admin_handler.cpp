#include "admin/admin_handler.hpp"

#include "metrics/registry.hpp"
#include "router/route.hpp"

namespace yxgate::admin {
namespace http = server::http;
using server::HttpResponse;

AdminHandler::AdminHandler(server::ServerState& state, std::string redacted_config)
    : state_(state), redacted_config_(std::move(redacted_config)) {}

boost::asio::awaitable<HttpResponse> AdminHandler::handle(server::HttpRequest& request,
                                                          const server::ClientInfo&) {
  co_return respond(request);
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
  if (request.method() != http::verb::get) {
    auto res = server::make_error_response(http::status::method_not_allowed, 405,
                                           "method not allowed", "method_not_allowed", version);
    res.set(http::field::allow, "GET");
    return res;
  }
  if (path == "/healthz") {
    return server::make_json_response(http::status::ok, R"({"status":"ok"})", version);
  }
  if (path == "/readyz") {
    if (state_.draining) {
      return server::make_json_response(http::status::service_unavailable,
                                        R"({"status":"draining"})", version);
    }
    if (!state_.ready) {
      return server::make_json_response(http::status::service_unavailable,
                                        R"({"status":"starting"})", version);
    }
    return server::make_json_response(http::status::ok, R"({"status":"ready"})", version);
  }
  if (path == "/config") {
    return server::make_json_response(http::status::ok, redacted_config_, version);
  }
  HttpResponse res{http::status::ok, version};
  res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.body() = metrics::Registry::global().render();
  res.prepare_payload();
  return res;
}

}  // namespace yxgate::admin
