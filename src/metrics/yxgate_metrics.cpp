#include "metrics/yxgate_metrics.hpp"

#include "metrics/process_collector.hpp"
#include "version.hpp"

namespace yxgate::metrics {

std::vector<double> duration_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> batch_size_buckets() { return {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}; }

YxgateMetrics::YxgateMetrics(Registry& r)
    : http_requests_total(r.counter("yxgate_http_requests_total",
                                    "Client requests answered, by route class, HTTP status and "
                                    "X-Yxgate-Cache result.",
                                    {"route", "code", "cache"})),
      http_request_duration_seconds(
          r.histogram("yxgate_http_request_duration_seconds",
                      "Time from request read to response written, by route class.", {"route"},
                      duration_buckets())),
      upstream_requests_total(r.counter("yxgate_upstream_requests_total",
                                        "Calls made to the Yunxin API, by route class and outcome.",
                                        {"route", "outcome"})),
      upstream_request_duration_seconds(r.histogram(
          "yxgate_upstream_request_duration_seconds",
          "Latency of calls to the Yunxin API, by route class.", {"route"}, duration_buckets())),
      cache_lookups_total(r.counter("yxgate_cache_lookups_total",
                                    "Message cache lookups, by layer (local|redis) and result "
                                    "(hit|miss|negative_hit|error).",
                                    {"layer", "result"})),
      coalesced_requests_total(r.counter("yxgate_coalesced_requests_total",
                                         "Client requests answered by an upstream call that also "
                                         "served another client request.")
                                   .with({})),
      upstream_batch_size(r.histogram("yxgate_upstream_batch_size",
                                      "Distinct message ids per coalesced batch_messages call.", {},
                                      batch_size_buckets())
                              .with({})),
      ratelimit_decisions_total(
          r.counter("yxgate_ratelimit_decisions_total",
                    "Rate limiter decisions (allowed|delayed|rejected), by app and route class.",
                    {"app", "route", "decision"})),
      redis_up(r.gauge("yxgate_redis_up",
                       "1 while every Redis connection (one per worker, plus pub/sub) is up; 0 "
                       "otherwise or without cache.redis.")
                   .with({})),
      redis_errors_total(
          r.counter("yxgate_redis_errors_total", "Redis commands that failed or timed out.")
              .with({})),
      redis_redirects_total(r.counter("yxgate_redis_redirects_total",
                                      "Cluster redirects followed (kind: moved|ask).", {"kind"})),
      redis_failovers_total(r.counter("yxgate_redis_failovers_total",
                                      "Redis master changes this process followed (sentinel "
                                      "+switch-master, or a cluster master replaced in the "
                                      "slot map), each counted once per process.")
                                .with({})),
      inflight_requests(
          r.gauge("yxgate_inflight_requests", "Client requests being processed.").with({})),
      cache_local_bytes(
          r.gauge("yxgate_cache_local_bytes", "Bytes held by the in-process message cache.")
              .with({})),
      idempotent_replays_total(
          r.counter("yxgate_idempotent_replays_total",
                    "Repeated writes (same X-custom-traceid, app, method, target and body) "
                    "answered with the first answer instead of going upstream again.")
              .with({})),
      idempotent_joins_total(r.counter("yxgate_idempotent_joins_total",
                                       "Repeated writes that found the first still in flight "
                                       "and waited for its answer.")
                                 .with({})),
      time_index_entries(r.gauge("yxgate_time_index_entries",
                                 "Learned message create_times held (coalesce.time_index_entries "
                                 "bounds it).")
                             .with({})),
      time_index_lookups_total(
          r.counter("yxgate_time_index_lookups_total",
                    "Lookups without message_time that consulted the learned create_time index, "
                    "by result (hit: joined a batch; miss: went as a single GET).",
                    {"result"})),
      build_info(r.gauge("yxgate_build_info", "Always 1; the version label names the build.",
                         {"version"})) {
  build_info.with({kVersion}).set(1);
  // Both results exist from the start, so a rate() over them is defined.
  redis_redirects_total.with({"moved"});
  redis_redirects_total.with({"ask"});
  time_index_lookups_total.with({"hit"});
  time_index_lookups_total.with({"miss"});
}

YxgateMetrics& yxgate_metrics() {
  static YxgateMetrics metrics = [] {
    add_process_metrics(Registry::global());
    return YxgateMetrics(Registry::global());
  }();
  return metrics;
}

}  // namespace yxgate::metrics
