#pragma once
// The whole emulator behind the socket: request in, reply out. Control
// endpoints (/_emulator/), then signature check, stats, faults, routes.
#include <cstdint>

#include "auth.hpp"
#include "faults.hpp"
#include "message_store.hpp"
#include "request.hpp"
#include "stats.hpp"
#include "target.hpp"

namespace yxgate::emulator {

class Emulator {
 public:
  Emulator(AppSecrets apps, std::uint64_t seed) : apps_(std::move(apps)), store_(seed) {}

  // Thread-safe: called concurrently from every io thread.
  Reply handle(const Request& request);
  // A client connection was accepted (tests check upstream connection reuse).
  void record_connection() { stats_.record_connection(); }

 private:
  Reply handle_control(const Request& request, const Target& target);

  const AppSecrets apps_;
  MessageStore store_;
  Stats stats_;
  FaultTable faults_;
};

}  // namespace yxgate::emulator
