#pragma once
// Injected upstream failures (emulator/README.md, "Faults"): installed with
// POST /_emulator/faults for a route, or per request with X-Emulator-Fault.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "request.hpp"
#include "target.hpp"

namespace yxgate::emulator {

enum class FaultKind { kLatency, kCode500, kHttp503, kClose, kMalformed, kHang, kRateLimit416 };

struct Fault {
  FaultKind kind = FaultKind::kLatency;
  std::chrono::milliseconds latency{0};  // delay before acting, any kind
};

inline constexpr std::chrono::milliseconds kDefaultLatency{1000};

std::optional<FaultKind> parse_fault_kind(std::string_view name);
// "<kind>[;latency_ms=N]" (the X-Emulator-Fault header).
Result<Fault> parse_fault_header(std::string_view text);
// {"route":"get_message|...|any","kind":"...","latency_ms":N,"count":K}
struct FaultRule {
  std::optional<Route> route;  // nullopt = any
  Fault fault;
  std::uint64_t remaining = 0;  // 0 = until reset
};
Result<FaultRule> parse_fault_rule(std::string_view json);

// The reply a fault produces, or nullopt for kLatency (answer normally, later).
std::optional<Reply> fault_reply(const Fault& fault);

class FaultTable {
 public:
  void add(FaultRule rule);
  // The first rule matching `route`, consuming one of its uses.
  std::optional<Fault> take(Route route);
  void clear();

 private:
  std::mutex mutex_;
  std::vector<FaultRule> rules_;
};

}  // namespace yxgate::emulator
