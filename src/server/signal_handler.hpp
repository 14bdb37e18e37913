#pragma once
// SIGTERM/SIGINT: drain and stop (SPEC §1). SIGHUP: reload (SPEC §1, issue 5).
#include <chrono>
#include <functional>

#include "server/http_server.hpp"

namespace yxgate::server {

struct DrainPlan {
  std::chrono::milliseconds drain_timeout{15'000};
  std::function<void()> on_reload;  // SIGHUP
};

// Installs the handlers on worker 0. On SIGTERM/SIGINT: /readyz turns 503,
// `data` stops accepting, in-flight requests get up to drain_timeout, then
// every worker stops (WorkerPool::run returns).
void install_signal_handlers(WorkerPool& pool, ServerState& state, HttpServer& data,
                             HttpServer& admin, DrainPlan plan);

}  // namespace yxgate::server
