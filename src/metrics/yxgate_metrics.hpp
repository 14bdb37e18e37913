#pragma once
// Every yxgate metric family of SPEC §8, declared in this one place: names,
// HELP, label names and buckets. Label values come from fixed sets, each an
// enum: route = router::RouteClass; cache = CacheLabel; outcome =
// UpstreamOutcome; layer = CacheLayer; result = LookupResult; decision =
// ratelimit::Decision; app = the configured app names.
//
// The request path never looks a child up: each component builds one of the
// small structs below at construction (children resolved once, indexed by
// those enums) and does atomic adds only per request.
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.hpp"
#include "ratelimit/gcra.hpp"
#include "router/route.hpp"

namespace yxgate::metrics {

// Latency buckets (seconds): sub-millisecond cache hits up to the 10 s request timeout.
std::vector<double> duration_buckets();
// Ids per coalesced batch call, up to well past the default max_batch of 100.
std::vector<double> batch_size_buckets();

inline constexpr std::size_t kRouteClasses =
    static_cast<std::size_t>(router::RouteClass::kNone) + 1;

// X-Yxgate-Cache (RequestContext::cache), label `cache`.
enum class CacheLabel { kHit, kMiss, kCoalesced, kBypass, kPartial, kNone };
inline constexpr std::size_t kCacheLabels = 6;
std::string_view cache_label_name(CacheLabel c);
CacheLabel cache_label_of(std::string_view text);  // unknown text: kNone

// yxgate_upstream_requests_total{outcome}.
enum class UpstreamOutcome {
  kOk,
  kError,
  kHttpError,
  kMalformed,
  kAuthError,
  kRateLimited,
  kConnectError,
  kTimeout,
  kProtocolError,
};
inline constexpr std::size_t kUpstreamOutcomes = 9;
std::string_view upstream_outcome_name(UpstreamOutcome o);

enum class CacheLayer { kLocal, kRedis };
// cache::Lookup's values in its order, then the Redis error.
enum class LookupResult { kHit, kNegativeHit, kMiss, kError };

inline constexpr std::size_t kDecisions = 3;  // ratelimit::Decision
std::string_view decision_name(ratelimit::Decision d);

struct YxgateMetrics {
  explicit YxgateMetrics(Registry& registry);

  Family<Counter>& http_requests_total;                // route, code, cache
  HistogramFamily& http_request_duration_seconds;      // route
  Family<Counter>& upstream_requests_total;            // route, outcome
  HistogramFamily& upstream_request_duration_seconds;  // route
  Family<Counter>& cache_lookups_total;                // layer, result
  Counter& coalesced_requests_total;
  Histogram& upstream_batch_size;
  Family<Counter>& ratelimit_decisions_total;  // app, route, decision
  Gauge& redis_up;
  Counter& redis_errors_total;
  Family<Counter>& redis_redirects_total;  // kind = moved|ask (cluster mode)
  Counter& redis_moved_total;              // its two children
  Counter& redis_ask_total;
  Counter& redis_failovers_total;  // master changes followed (sentinel, cluster)
  Gauge& inflight_requests;
  Gauge& cache_local_bytes;
  Counter& idempotent_replays_total;  // SPEC §11.4
  Counter& idempotent_joins_total;
  Gauge& time_index_entries;                  // SPEC §11.5 learned create_times held
  Family<Counter>& time_index_lookups_total;  // result = hit|miss
  Counter& time_index_hits;                   // its two children
  Counter& time_index_misses;
  Family<Gauge>& build_info;  // version; the child for this build is set to 1
};

// The instance on Registry::global(), with the process_* metrics added.
YxgateMetrics& yxgate_metrics();

// Gateway::finish: yxgate_http_requests_total, yxgate_http_request_duration_seconds,
// yxgate_coalesced_requests_total. Routes and cache labels are resolved at
// construction; the status code is open-ended, so each (route, cache, code)
// child is resolved on its first use into a slot of its own, then read with
// one atomic load (and only ever the codes seen appear in /metrics).
class HttpMetrics {
 public:
  explicit HttpMetrics(YxgateMetrics& m);
  void record(router::RouteClass route, std::string_view cache, int status, double seconds) const;

 private:
  Counter& requests(std::size_t route, CacheLabel cache, int status) const;

  Family<Counter>& requests_family_;
  Counter& coalesced_;
  std::array<Histogram*, kRouteClasses> duration_{};
  static constexpr int kFirstCode = 100;
  static constexpr int kCodes = 500;                // 100..599
  std::unique_ptr<std::atomic<Counter*>[]> slots_;  // [route][cache][status - 100]
};

// UpstreamCaller::call.
class UpstreamMetrics {
 public:
  explicit UpstreamMetrics(YxgateMetrics& m);
  Histogram& duration(router::RouteClass route) const {
    return *duration_[static_cast<std::size_t>(route)];
  }
  Counter& requests(router::RouteClass route, UpstreamOutcome outcome) const {
    return *requests_[static_cast<std::size_t>(route)][static_cast<std::size_t>(outcome)];
  }

 private:
  std::array<Histogram*, kRouteClasses> duration_{};
  std::array<std::array<Counter*, kUpstreamOutcomes>, kRouteClasses> requests_{};
};

// CachedMessages: yxgate_cache_lookups_total by layer and result.
class CacheLookupMetrics {
 public:
  explicit CacheLookupMetrics(YxgateMetrics& m);
  Counter& lookups(CacheLayer layer, LookupResult result) const {
    return *lookups_[static_cast<std::size_t>(layer)][static_cast<std::size_t>(result)];
  }

 private:
  std::array<std::array<Counter*, 4>, 2> lookups_{};
};

// RateLimiter: one per configured app.
class RateLimitMetrics {
 public:
  RateLimitMetrics(YxgateMetrics& m, const std::string& app);
  Counter& decisions(router::RouteClass route, ratelimit::Decision decision) const {
    return *decisions_[static_cast<std::size_t>(route)][static_cast<std::size_t>(decision)];
  }

 private:
  std::array<std::array<Counter*, kDecisions>, kRouteClasses> decisions_{};
};

}  // namespace yxgate::metrics
