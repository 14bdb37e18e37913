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

#include "request.hpp"
#include "result.hpp"
#include "target.hpp"

namespace yxgate::emulator {

enum class FaultKind {
  kLatency,
  kCode500,
  kHttp503,
  kClose,
  kMalformed,
  kHang,
  kRateLimit416,
  kChunked,          // normal answer, Transfer-Encoding: chunked
  kConnectionClose,  // normal answer with Connection: close, then close
  kWrongShape,       // valid JSON of the wrong shape
  kNotJson,          // HTTP 200, an HTML page
  kStatus,           // any HTTP status
  kFailedCode,       // batch items fail with error_code; other routes answer it
  kInterim,          // normal answer after interim replies (103 Early Hints, 100 Continue)
  kSwitching,        // 101 Switching Protocols nobody asked for, then the normal answer
  kBloatedChunks,    // chunked, with a 1 MiB chunk extension and a 1 MiB trailer field
  kForeignFields,    // normal answer plus X-Yxgate-* fields (the gateway's namespace)
};

struct Fault {
  FaultKind kind = FaultKind::kLatency;
  std::chrono::milliseconds latency{0};  // delay before acting, any kind
  int status = 500;                      // kStatus
  long long error_code = 500;            // kFailedCode
  std::string error_msg = "internal error";
  std::optional<std::string> body;  // kStatus, kWrongShape, kNotJson: replaces the default body
};

inline constexpr std::chrono::milliseconds kDefaultLatency{1000};

std::optional<FaultKind> parse_fault_kind(std::string_view name);
// "<kind>[;latency_ms=N][;status=N][;error_code=N][;error_msg=TEXT]" (X-Emulator-Fault).
Result<Fault> parse_fault_header(std::string_view text);
// {"route":"get_message|...|any","kind":"...","latency_ms":N,"count":K,
//  "status":N,"error_code":N,"error_msg":"..","body":".."}
struct FaultRule {
  std::optional<Route> route;  // nullopt = any
  Fault fault;
  std::uint64_t remaining = 0;  // 0 = until reset
};
Result<FaultRule> parse_fault_rule(std::string_view json);

// The reply a fault produces instead of the route's, or nullopt when the
// route runs (latency, chunked, bloated_chunks, foreign_fields,
// connection_close, interim, switching; failed_code on batch_messages).
std::optional<Reply> fault_reply(const Fault& fault, Route route);
// Applies what a fault changes about a route's answer (framing, delay).
void apply_fault(const Fault& fault, Reply& reply);

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
