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
#include "gateway/batcher.hpp"
#include "gateway/route_env.hpp"
#include "gateway/single_flight.hpp"
#include "gateway/worker.hpp"
#include "gateway/write_replay.hpp"
#include "limiter/rate_limiter.hpp"
#include "message_cache/cached_messages.hpp"
#include "message_cache/redis_message_store.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_links.hpp"
#include "request/request_context.hpp"
#include "server/http_server.hpp"
#include "upstream/upstream_caller.hpp"

namespace yxgate::gateway {

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
  // The front door's refusals, counted and logged as finish() does.
  void refused(const server::HttpRequest& partial, const server::ClientInfo& client,
               const server::HttpResponse& response) override;

  message_cache::CachedMessages& cache() { return *cache_; }
  // POST /admin/cache/purge (admin/admin_handler.hpp): every app's entry for
  // `message_server_id`, here and on every replica, within one Redis timeout.
  boost::asio::awaitable<void> purge(std::uint64_t message_server_id, std::size_t worker);

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
    const upstream::AppCredentials* app = nullptr;
  };
  // One connection's request record and triage, reused request after
  // request: RequestContext's strings keep their buffers.
  struct ConnectionScratch final : Scratch {
    request::RequestContext ctx;
    Triage triage;
  };
  Triage admit(server::HttpRequest& request, const server::ClientInfo& client,
               request::RequestContext& ctx, server::HttpResponse& response);
  RouteEnv route_env(server::HttpRequest& request, request::RequestContext& ctx,
                     const Triage& triage, Worker& worker);
  boost::asio::awaitable<server::HttpResponse> run_route(RouteEnv env);
  const upstream::AppCredentials* select_app(const server::HttpRequest& request) const;
  void finish(request::RequestContext& ctx, server::HttpResponse& response) const;
  // The request's metrics and access line (finish() and refused()).
  void record(const request::RequestContext& ctx) const;

  config::Config config_;
  server::ServerState& state_;
  auth::ClientAuthorizer clients_;
  std::vector<upstream::AppCredentials> apps_;
  metrics::HttpMetrics http_metrics_;  // children resolved once: finish() takes no lock
  std::unique_ptr<message_cache::CachedMessages> cache_;
  std::unique_ptr<redis::RedisLinks> redis_links_;
  std::unique_ptr<message_cache::RedisMessageStore> redis_;  // after cache_: destroyed first
  std::unique_ptr<limiter::RateLimiter> limiter_;
  std::unique_ptr<Batcher> batcher_;
  // One per worker (worker.hpp): server::ClientInfo::worker indexes it, once
  // per request, at the boundary; below it nothing is looked up by index.
  std::vector<std::unique_ptr<Worker>> workers_;
  SingleFlight flights_;
  std::unique_ptr<WriteReplay> replay_;
};

}  // namespace yxgate::gateway
