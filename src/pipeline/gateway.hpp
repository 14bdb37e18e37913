#pragma once
// The data-plane request pipeline (SPEC §3): one readable sequence of stages,
// each of which answers or passes on. Later stages (access control, cache,
// coalescing, rate limits) plug in here as further steps of handle().
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <vector>

#include "config/config.hpp"
#include "pipeline/request_context.hpp"
#include "server/http_server.hpp"

namespace yxgate::upstream {
class UpstreamClient;
}

namespace yxgate::pipeline {

class BodyCodeReader;

struct AppCredentials {
  std::string name;
  std::string key;
  std::string secret;
};

class Gateway final : public server::RequestHandler {
 public:
  Gateway(const config::Config& config, server::WorkerPool& pool, boost::asio::ssl::context& tls,
          server::ServerState& state);
  ~Gateway() override;

  boost::asio::awaitable<server::HttpResponse> handle(server::HttpRequest& request,
                                                      const server::ClientInfo& client) override;

 private:
  struct Worker;
  const AppCredentials* select_app(const server::HttpRequest& request) const;
  boost::asio::awaitable<server::HttpResponse> forward(server::HttpRequest& request,
                                                       RequestContext& ctx,
                                                       const AppCredentials& app, Worker& worker);
  server::HttpResponse reply_error(RequestContext& ctx, server::http::status status, int code,
                                   std::string_view msg, std::string_view reason,
                                   unsigned version) const;
  void finish(RequestContext& ctx, server::HttpResponse& response) const;

  config::Config config_;
  server::ServerState& state_;
  std::vector<AppCredentials> apps_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace yxgate::pipeline
