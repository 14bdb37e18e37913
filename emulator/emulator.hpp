#pragma once
// The whole emulator behind the socket: request in, reply out. Control
// endpoints (/_emulator/), then signature check, stats, holds, faults, routes.
#include <atomic>
#include <chrono>
#include <cstdint>

#include "auth.hpp"
#include "faults.hpp"
#include "holds.hpp"
#include "message_store.hpp"
#include "options.hpp"
#include "request.hpp"
#include "stats.hpp"
#include "target.hpp"

namespace yxgate::emulator {

// The switches a test may flip at run time (POST /_emulator/options);
// reset restores the command line's values.
struct Switches {
  std::atomic<bool> gzip{false};
  std::atomic<bool> chunked{false};
  std::atomic<std::int64_t> idle_timeout_ms{0};
  // gzip every compressible answer, even when the request asked for
  // identity: an upstream that ignores Accept-Encoding (control API only).
  std::atomic<bool> gzip_always{false};

  void set(const Options& options) {
    gzip = options.gzip;
    gzip_always = false;
    chunked = options.chunked;
    idle_timeout_ms = options.idle_timeout_ms;
  }
};

class Emulator {
 public:
  explicit Emulator(const Options& options)
      : options_(options), apps_(options.apps), store_(options.seed) {
    switches_.set(options_);
  }

  // Thread-safe: called concurrently from every io thread.
  Reply handle(const Request& request);
  // A request held in phase "before" was released: run it now.
  Reply run_released(const Request& request);
  // A client connection was accepted (tests check upstream connection reuse).
  void record_connection() { stats_.record_connection(); }
  void record_idle_close() { stats_.record_idle_close(); }

  const Switches& switches() const { return switches_; }
  HoldTable& holds() { return holds_; }
  // The io_context is going away: forget callbacks into it.
  void shutdown() { holds_.shutdown(); }

 private:
  Reply handle_control(const Request& request, const Target& target);
  Reply set_switches(std::string_view json);
  Reply release(std::string_view json);
  // Faults, then the route.
  Reply respond(const Request& request, const Target& target, Route route);

  const Options options_;
  const AppSecrets apps_;
  MessageStore store_;
  Stats stats_;
  FaultTable faults_;
  HoldTable holds_;
  Switches switches_;
};

}  // namespace yxgate::emulator
