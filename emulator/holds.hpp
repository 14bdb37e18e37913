#pragma once
// Holding requests until a test releases them (emulator/README.md, "Holds"):
// lets a test see that a request reached upstream and decide when it is
// answered, instead of sleeping. No Asio here: the server hands each held
// request a waker (a callback that resumes the waiting session on its own
// strand), so a hold never blocks an io thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "request.hpp"
#include "result.hpp"
#include "target.hpp"

namespace yxgate::emulator {

enum class HoldPhase {
  kBefore,  // held before the route reads the state; runs on release
  kAfter,   // the route runs on arrival; only the answer waits
};

struct HoldRule {
  std::optional<Route> route;   // nullopt = any
  std::uint64_t remaining = 1;  // requests still to hold; 0 = until reset
  HoldPhase phase = HoldPhase::kBefore;
};
// {"route":"batch_messages","count":N,"phase":"before|after"}
Result<HoldRule> parse_hold_rule(std::string_view json);

// One held request. Thread-safe.
class Held {
 public:
  Held(std::uint64_t id, Route route, std::string target, std::string body, HoldPhase phase)
      : id_(id), route_(route), target_(std::move(target)), body_(std::move(body)), phase_(phase) {}

  std::uint64_t id() const { return id_; }
  HoldPhase phase() const { return phase_; }
  std::string json() const;

  // The server's wake-up call; run at once if already released.
  void set_waker(std::function<void()> wake);
  // dropped: the session closes the connection without an answer (reset).
  void release(bool dropped);
  bool released() const;
  bool dropped() const;
  void forget_waker();  // shutdown: drop the callback without calling it

 private:
  const std::uint64_t id_;
  const Route route_;
  const std::string target_;
  const std::string body_;
  const HoldPhase phase_;
  mutable std::mutex mutex_;
  bool released_ = false;
  bool dropped_ = false;
  std::function<void()> wake_;
};

class HoldTable {
 public:
  void add(HoldRule rule);
  // At arrival: when a rule matches, the request is held and returned.
  std::shared_ptr<Held> take(Route route, const Request& request);

  std::size_t held_count() const;
  std::string held_json() const;  // [{"id":K,"route":..,"target":..,"body":..,"phase":..},...]
  bool release(std::uint64_t id);
  std::size_t release_all();
  // Calls `wake` once, at the next arrival of a held request (or reset).
  void on_next_arrival(std::function<void()> wake);

  // Reset: rules gone, held requests dropped (their connections close).
  void reset();
  // Shutdown: the io_context is going; forget every callback into it.
  void shutdown();

 private:
  std::vector<std::function<void()>> take_arrival_wakers();

  mutable std::mutex mutex_;
  std::vector<HoldRule> rules_;
  std::vector<std::shared_ptr<Held>> held_;  // arrival order, not yet released
  std::vector<std::function<void()>> arrival_wakers_;
  std::uint64_t next_id_ = 1;
};

}  // namespace yxgate::emulator
