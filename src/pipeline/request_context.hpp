#pragma once
// What the pipeline learns about one client request as it passes the stages;
// read at the end for the access log (SPEC §10) and metrics (SPEC §8).
#include <chrono>
#include <string>
#include <string_view>

#include "pipeline/redis_budget.hpp"
#include "router/route.hpp"

namespace yxgate::pipeline {

struct RequestContext {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string trace_id;
  std::string app;
  std::string method;
  std::string path;  // without the query string
  // The path percent-decoded when the client encoded any of it: routing
  // reads it as upstream does (SPEC §11.1); the route's views point here.
  std::string routed_path;
  std::string client;       // peer address
  std::string client_name;  // SPEC §6 client, when tokens are configured
  router::RouteClass route = router::RouteClass::kNone;
  int status = 0;
  long long body_code = 0;          // 0 when the body carried none
  std::string_view cache = "none";  // hit|miss|coalesced|bypass|partial|none
  int upstream_calls = 0;           // every attempt, a retry on a fresh connection included
  // Upstream may have acted on this request (SPEC §11.4): it answered, or the
  // whole request was written before the exchange failed.
  bool upstream_reached = false;
  // Bound of the upstream exchange; 0: upstream.timeout. Write replay lets an
  // exchange outlive the client's answer (pipeline/write_replay.hpp).
  std::chrono::milliseconds upstream_timeout{0};
  RedisBudget redis;              // SPEC §11.3: its time on Redis, lookup and fill together
  std::string upstream_trace_id;  // the shared batch call this request rode on
  std::string error;              // X-Yxgate-Error value when the gateway answered
};

}  // namespace yxgate::pipeline
