#pragma once
// Every yxgate metric family of SPEC §8, declared in this one place: names,
// HELP and label names. Label values come from fixed sets (route class, not
// raw path): route = get_message|batch_messages|chatroom_messages|
// thread_messages|conversations|default|...; cache = hit|miss|coalesced|
// bypass|partial|none; layer = local|redis; result = hit|miss|negative_hit|
// error; decision = allowed|delayed|rejected.
#include <vector>

#include "metrics/registry.hpp"

namespace yxgate::metrics {

// Latency buckets (seconds): sub-millisecond cache hits up to the 10 s request timeout.
std::vector<double> duration_buckets();
// Ids per coalesced batch call, up to well past the default max_batch of 100.
std::vector<double> batch_size_buckets();

struct YxgateMetrics {
  explicit YxgateMetrics(Registry& registry);

  Family<Counter>& http_requests_total;                  // route, code, cache
  Family<Histogram>& http_request_duration_seconds;      // route
  Family<Counter>& upstream_requests_total;              // route, outcome
  Family<Histogram>& upstream_request_duration_seconds;  // route
  Family<Counter>& cache_lookups_total;                  // layer, result
  Counter& coalesced_requests_total;
  Histogram& upstream_batch_size;
  Family<Counter>& ratelimit_decisions_total;  // app, route, decision
  Gauge& redis_up;
  Counter& redis_errors_total;
  Family<Counter>& redis_redirects_total;  // kind = moved|ask (cluster mode)
  Counter& redis_failovers_total;          // master changes followed (sentinel, cluster)
  Gauge& inflight_requests;
  Gauge& cache_local_bytes;
  Counter& idempotent_replays_total;  // SPEC §11.4
  Counter& idempotent_joins_total;
  Gauge& time_index_entries;                  // SPEC §11.5 learned create_times held
  Family<Counter>& time_index_lookups_total;  // result = hit|miss
  Family<Gauge>& build_info;                  // version; the child for this build is set to 1
};

// The instance on Registry::global(), with the process_* metrics added.
YxgateMetrics& yxgate_metrics();

}  // namespace yxgate::metrics
