#pragma once
// The data-plane request pipeline (SPEC §3): one readable sequence of stages
// in answer_now() and handle_rest(), each of which answers or passes on. Route-specific work lives
// in the *_route files; later stages (access control, rate limits) plug in
// here.
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "auth/client_auth.hpp"
#include "config/config.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "pipeline/batcher.hpp"
#include "pipeline/cached_messages.hpp"
#include "pipeline/rate_limiter.hpp"
#include "pipeline/redis_links.hpp"
#include "pipeline/redis_message_store.hpp"
#include "pipeline/request_context.hpp"
#include "pipeline/route_env.hpp"
#include "pipeline/single_flight.hpp"
#include "pipeline/upstream_caller.hpp"
#include "pipeline/write_replay.hpp"
#include "server/http_server.hpp"

namespace yxgate::pipeline {

class Gateway final : public server::RequestHandler {
 public:
  Gateway(const config::Config& config, server::WorkerPool& pool, boost::asio::ssl::context& tls,
          server::ServerState& state);
  ~Gateway() override;

  std::unique_ptr<Scratch> new_scratch() override;
  // admit() and, when it answered, finish(): a refusal or an in-process
  // cache hit is served without a coroutine frame.
  bool answer_now(server::HttpRequest& request, const server::ClientInfo& client, Scratch* scratch,
                  server::HttpResponse& response) override;
  // The route handler of what answer_now() admitted, then finish().
  boost::asio::awaitable<server::HttpResponse> handle_rest(server::HttpRequest& request,
                                                           const server::ClientInfo& client,
                                                           Scratch* scratch) override;

  CachedMessages& cache() { return *cache_; }

  // SIGHUP (SPEC §1): rate limits and cache TTLs from `config`, which has
  // been validated; everything else needs a restart.
  void reload(const config::Config& config);

 private:
  // What the checks that need no waiting decided (SPEC §5 errors, access
  // control, app choice, an in-process cache hit): an answer, or a route.
  struct Triage {
    bool answered = false;  // the answer is in the response passed to admit()
    router::Route route;
    std::string_view query;
    const AppCredentials* app = nullptr;
  };
  // One connection's request record and triage, reused request after
  // request: RequestContext's strings keep their buffers.
  struct ConnectionScratch final : Scratch {
    RequestContext ctx;
    Triage triage;
  };
  Triage admit(server::HttpRequest& request, const server::ClientInfo& client, RequestContext& ctx,
               server::HttpResponse& response);
  RouteEnv route_env(server::HttpRequest& request, RequestContext& ctx, const Triage& triage,
                     std::size_t worker);
  boost::asio::awaitable<server::HttpResponse> run_route(RouteEnv env);
  const AppCredentials* select_app(const server::HttpRequest& request) const;
  void finish(RequestContext& ctx, server::HttpResponse& response) const;

  config::Config config_;
  server::ServerState& state_;
  auth::ClientAuthorizer clients_;
  std::vector<AppCredentials> apps_;
  metrics::HttpMetrics http_metrics_;  // children resolved once: finish() takes no lock
  std::unique_ptr<CachedMessages> cache_;
  std::unique_ptr<RedisLinks> redis_links_;
  std::unique_ptr<RedisMessageStore> redis_;  // after cache_: destroyed first
  std::unique_ptr<RateLimiter> limiter_;
  std::vector<std::unique_ptr<UpstreamCaller>> upstreams_;  // one per worker
  std::unique_ptr<Batcher> batcher_;
  SingleFlight flights_;
  std::unique_ptr<WriteReplay> replay_;
};

}  // namespace yxgate::pipeline
