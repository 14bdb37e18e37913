#include "metrics/yxgate_metrics.hpp"

#include <string>

#include "metrics/process_collector.hpp"
#include "version.hpp"

namespace yxgate::metrics {
namespace {

router::RouteClass route_at(std::size_t i) { return static_cast<router::RouteClass>(i); }
std::string route_name(std::size_t i) { return std::string(router::route_class_name(route_at(i))); }

}  // namespace

// From 50 µs: a cache hit takes tens to hundreds of µs, and with 0.5 ms as
// the first bound every hit fell into it.
std::vector<double> duration_buckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

// A batch holds at most coalesce.max_batch <= 100 ids (the vendor's limit).
std::vector<double> batch_size_buckets() { return {1, 2, 5, 10, 20, 30, 50, 75, 100}; }

std::string_view cache_label_name(CacheLabel c) {
  switch (c) {
    case CacheLabel::kHit:
      return "hit";
    case CacheLabel::kMiss:
      return "miss";
    case CacheLabel::kCoalesced:
      return "coalesced";
    case CacheLabel::kBypass:
      return "bypass";
    case CacheLabel::kPartial:
      return "partial";
    case CacheLabel::kNone:
      return "none";
  }
  return "none";
}

CacheLabel cache_label_of(std::string_view text) {
  for (std::size_t i = 0; i < kCacheLabels; ++i) {
    const auto c = static_cast<CacheLabel>(i);
    if (cache_label_name(c) == text) return c;
  }
  return CacheLabel::kNone;
}

std::string_view upstream_outcome_name(UpstreamOutcome o) {
  switch (o) {
    case UpstreamOutcome::kOk:
      return "ok";
    case UpstreamOutcome::kError:
      return "error";
    case UpstreamOutcome::kHttpError:
      return "http_error";
    case UpstreamOutcome::kMalformed:
      return "malformed";
    case UpstreamOutcome::kAuthError:
      return "auth_error";
    case UpstreamOutcome::kRateLimited:
      return "rate_limited";
    case UpstreamOutcome::kConnectError:
      return "connect_error";
    case UpstreamOutcome::kTimeout:
      return "timeout";
    case UpstreamOutcome::kProtocolError:
      return "protocol_error";
  }
  return "error";
}

std::string_view decision_name(ratelimit::Decision d) {
  switch (d) {
    case ratelimit::Decision::kAllowed:
      return "allowed";
    case ratelimit::Decision::kDelayed:
      return "delayed";
    case ratelimit::Decision::kRejected:
      return "rejected";
  }
  return "rejected";
}

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
                                   .Add({})),
      upstream_batch_size(r.histogram("yxgate_upstream_batch_size",
                                      "Distinct message ids per coalesced batch_messages call.", {},
                                      batch_size_buckets())
                              .add({})),
      ratelimit_decisions_total(
          r.counter("yxgate_ratelimit_decisions_total",
                    "Rate limiter decisions (allowed|delayed|rejected), by app and route class.",
                    {"app", "route", "decision"})),
      redis_up(r.gauge("yxgate_redis_up",
                       "1 while every Redis connection (one per worker, plus pub/sub) is up; 0 "
                       "otherwise or without cache.redis.")
                   .Add({})),
      redis_errors_total(
          r.counter("yxgate_redis_errors_total", "Redis commands that failed or timed out.")
              .Add({})),
      redis_redirects_total(r.counter("yxgate_redis_redirects_total",
                                      "Cluster redirects followed (kind: moved|ask).", {"kind"})),
      // Both kinds exist from the start, so a rate() over them is defined.
      redis_moved_total(redis_redirects_total.Add({{"kind", "moved"}})),
      redis_ask_total(redis_redirects_total.Add({{"kind", "ask"}})),
      redis_failovers_total(r.counter("yxgate_redis_failovers_total",
                                      "Redis master changes this process followed (sentinel "
                                      "+switch-master, or a cluster master replaced in the "
                                      "slot map), each counted once per process.")
                                .Add({})),
      inflight_requests(
          r.gauge("yxgate_inflight_requests", "Client requests being processed.").Add({})),
      cache_local_bytes(
          r.gauge("yxgate_cache_local_bytes", "Bytes held by the in-process message cache.")
              .Add({})),
      idempotent_replays_total(
          r.counter("yxgate_idempotent_replays_total",
                    "Repeated writes (same X-custom-traceid, app, method, target and body) "
                    "answered with the first answer instead of going upstream again.")
              .Add({})),
      idempotent_joins_total(r.counter("yxgate_idempotent_joins_total",
                                       "Repeated writes that found the first still in flight "
                                       "and waited for its answer.")
                                 .Add({})),
      time_index_entries(r.gauge("yxgate_time_index_entries",
                                 "Learned message create_times held (coalesce.time_index_entries "
                                 "bounds it).")
                             .Add({})),
      time_index_lookups_total(
          r.counter("yxgate_time_index_lookups_total",
                    "Lookups without message_time that consulted the learned create_time index, "
                    "by result (hit: joined a batch; miss: went as a single GET).",
                    {"result"})),
      // Both results exist from the start, so a rate() over them is defined.
      time_index_hits(time_index_lookups_total.Add({{"result", "hit"}})),
      time_index_misses(time_index_lookups_total.Add({{"result", "miss"}})),
      build_info(r.gauge("yxgate_build_info", "Always 1; the version label names the build.",
                         {"version"})) {
  build_info.Add({{"version", kVersion}}).Set(1);
}

YxgateMetrics& yxgate_metrics() {
  static YxgateMetrics metrics = [] {
    add_process_metrics(Registry::global());
    return YxgateMetrics(Registry::global());
  }();
  return metrics;
}

HttpMetrics::HttpMetrics(YxgateMetrics& m)
    : requests_family_(m.http_requests_total),
      coalesced_(m.coalesced_requests_total),
      slots_(std::make_unique<std::atomic<Counter*>[]>(kRouteClasses * kCacheLabels * kCodes)) {
  for (std::size_t r = 0; r < kRouteClasses; ++r) {
    duration_[r] = &m.http_request_duration_seconds.add({route_name(r)});
  }
}

Counter& HttpMetrics::requests(std::size_t route, CacheLabel cache, int status) const {
  auto resolve = [&] {
    return &requests_family_.Add({{"route", route_name(route)},
                                  {"code", std::to_string(status)},
                                  {"cache", std::string(cache_label_name(cache))}});
  };
  if (status < kFirstCode || status >= kFirstCode + kCodes) return *resolve();  // never from Beast
  auto& slot = slots_[(route * kCacheLabels + static_cast<std::size_t>(cache)) * kCodes +
                      static_cast<std::size_t>(status - kFirstCode)];
  Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // First request with this combination: Family::Add (a mutex) returns the
    // same child to every thread that races here.
    counter = resolve();
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

void HttpMetrics::record(router::RouteClass route, std::string_view cache, int status,
                         double seconds) const {
  const auto r = static_cast<std::size_t>(route);
  const auto label = cache_label_of(cache);
  requests(r, label, status).Increment();
  duration_[r]->observe(seconds);
  if (label == CacheLabel::kCoalesced) coalesced_.Increment();
}

UpstreamMetrics::UpstreamMetrics(YxgateMetrics& m) {
  for (std::size_t r = 0; r < kRouteClasses; ++r) {
    duration_[r] = &m.upstream_request_duration_seconds.add({route_name(r)});
    for (std::size_t o = 0; o < kUpstreamOutcomes; ++o) {
      requests_[r][o] = &m.upstream_requests_total.Add(
          {{"route", route_name(r)},
           {"outcome", std::string(upstream_outcome_name(static_cast<UpstreamOutcome>(o)))}});
    }
  }
}

CacheLookupMetrics::CacheLookupMetrics(YxgateMetrics& m) {
  constexpr std::array<const char*, 2> kLayers{"local", "redis"};
  constexpr std::array<const char*, 4> kResults{"hit", "negative_hit", "miss", "error"};
  for (std::size_t l = 0; l < kLayers.size(); ++l) {
    for (std::size_t r = 0; r < kResults.size(); ++r) {
      lookups_[l][r] = &m.cache_lookups_total.Add({{"layer", kLayers[l]}, {"result", kResults[r]}});
    }
  }
}

RateLimitMetrics::RateLimitMetrics(YxgateMetrics& m, const std::string& app) {
  for (std::size_t r = 0; r < kRouteClasses; ++r) {
    for (std::size_t d = 0; d < kDecisions; ++d) {
      decisions_[r][d] = &m.ratelimit_decisions_total.Add(
          {{"app", app},
           {"route", route_name(r)},
           {"decision", std::string(decision_name(static_cast<ratelimit::Decision>(d)))}});
    }
  }
}

}  // namespace yxgate::metrics
