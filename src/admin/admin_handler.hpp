#pragma once
// The admin listener (SPEC §1, §9): /healthz, /readyz, /metrics, /config.
// Read-only, apart from POST /admin/cache/purge from a loopback address.
#include <string>

#include "server/http_server.hpp"

namespace yxgate::pipeline {
class CachedMessages;
}

namespace yxgate::admin {

class AdminHandler final : public server::RequestHandler {
 public:
  // `redacted_config` is rendered once at startup (and on reload).
  AdminHandler(server::ServerState& state, std::string redacted_config,
               pipeline::CachedMessages* cache);

  boost::asio::awaitable<server::HttpResponse> handle(server::HttpRequest& request,
                                                      const server::ClientInfo& client) override;
  server::HttpResponse respond(const server::HttpRequest& request) const;

 private:
  boost::asio::awaitable<server::HttpResponse> purge(const server::HttpRequest& request,
                                                     const server::ClientInfo& client);

  server::ServerState& state_;
  std::string redacted_config_;
  pipeline::CachedMessages* cache_;
};

}  // namespace yxgate::admin
