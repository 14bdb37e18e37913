#pragma once
// Process-wide serving state shared by listeners, handlers and the admin
// endpoints (SPEC §9). Plain atomics: written by the signal handler coroutine,
// read on every worker.
#include <atomic>
#include <cstdint>

namespace yxgate::server {

struct ServerState {
  std::atomic<bool> ready{false};         // config loaded, listeners bound
  std::atomic<bool> draining{false};      // SIGTERM/SIGINT received
  std::atomic<std::int64_t> inflight{0};  // data-plane requests being handled
};

}  // namespace yxgate::server
