#pragma once
// The admin listener (SPEC §1, §9): /healthz, /readyz, /metrics, /config.
// Read-only, apart from POST /admin/cache/purge from a loopback address.
#include <memory>
#include <mutex>
#include <string>

#include "server/http_server.hpp"

namespace yxgate::pipeline {
class CachedMessages;
}

namespace yxgate::admin {

class AdminHandler final : public server::RequestHandler {
 public:
  // `redacted_config` is /config's body: the running configuration,
  // secrets redacted (config/redacted_json.hpp).
  AdminHandler(server::ServerState& state, std::string redacted_config,
               pipeline::CachedMessages* cache);

  // SIGHUP applied a new configuration: /config shows it from now on.
  void set_redacted_config(std::string redacted_config);

  boost::asio::awaitable<server::HttpResponse> handle_rest(server::HttpRequest& request,
                                                           const server::ClientInfo& client,
                                                           Scratch* scratch) override;
  server::HttpResponse respond(const server::HttpRequest& request) const;

 private:
  boost::asio::awaitable<server::HttpResponse> purge(const server::HttpRequest& request,
                                                     const server::ClientInfo& client);

  server::ServerState& state_;
  mutable std::mutex config_mutex_;  // admin requests only: not the data path
  std::shared_ptr<const std::string> redacted_config_;
  pipeline::CachedMessages* cache_;
};

}  // namespace yxgate::admin
