#pragma once
// The admin listener (SPEC §1, §9): /healthz, /readyz, /metrics, /config.
// Read-only, apart from POST /admin/cache/purge from a loopback address.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "server/http_server.hpp"

namespace yxgate::admin {

class AdminHandler final : public server::RequestHandler {
 public:
  // Drops one message id from every app's cache, on this replica and, through
  // Redis, on every other one (SPEC §3.3); `worker` is the calling worker.
  using Purge = std::function<boost::asio::awaitable<void>(std::uint64_t message_server_id,
                                                           std::size_t worker)>;

  // `redacted_config` is /config's body: the running configuration,
  // secrets redacted (config/redacted_json.hpp). Without `purge` (no data
  // plane) POST /admin/cache/purge answers and does nothing.
  AdminHandler(server::ServerState& state, std::string redacted_config, Purge purge);

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
  Purge purge_;
};

}  // namespace yxgate::admin
