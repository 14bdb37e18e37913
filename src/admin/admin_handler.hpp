#pragma once
// The admin listener (SPEC §1, §9): /healthz, /readyz, /metrics, /config.
// Read-only; the loopback-only purge arrives with the cache.
#include <string>

#include "server/http_server.hpp"

namespace yxgate::admin {

class AdminHandler final : public server::RequestHandler {
 public:
  // `redacted_config` is rendered once at startup (and on reload).
  AdminHandler(server::ServerState& state, std::string redacted_config);

  boost::asio::awaitable<server::HttpResponse> handle(server::HttpRequest& request,
                                                      const server::ClientInfo& client) override;
  server::HttpResponse respond(const server::HttpRequest& request) const;

 private:
  server::ServerState& state_;
  std::string redacted_config_;
};

}  // namespace yxgate::admin
