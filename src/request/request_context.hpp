#pragma once
// What the pipeline learns about one client request as it passes the stages:
// the access log's record (SPEC §10) and what the stages tell each other.
#include <chrono>
#include <string>
#include <string_view>

#include "log/access_record.hpp"
#include "request/redis_budget.hpp"
#include "router/route.hpp"

namespace yxgate::request {

struct RequestContext : log::AccessRecord {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  // The path percent-decoded when the client encoded any of it: routing
  // reads it as upstream does (SPEC §11.1); the route's views point here.
  std::string routed_path;
  // Upstream may have acted on this request (SPEC §11.4): it answered, or the
  // whole request was written before the exchange failed.
  bool upstream_reached = false;
  // Bound of the upstream exchange; 0: upstream.timeout. Write replay lets an
  // exchange outlive the client's answer (gateway/write_replay.hpp).
  std::chrono::milliseconds upstream_timeout{0};
  RedisBudget redis;  // SPEC §11.3: its time on Redis, lookup and fill together
};

}  // namespace yxgate::request
