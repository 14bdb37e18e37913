#include "limiter/rate_limiter.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <mutex>
#include <optional>

#include "metrics/yxgate_metrics.hpp"
#include "ratelimit/gcra.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_script.hpp"

namespace yxgate::limiter {
namespace asio = boost::asio;
using ratelimit::BucketShape;
using ratelimit::Decision;

namespace {

constexpr std::size_t kClasses = 6;  // RouteClass values that reach upstream

// GCRA with Redis' clock, atomically. KEYS: bucket. ARGV: interval_us,
// tolerance_us, max_wait_us. Returns {1, wait_us} (go after wait_us) or
// {0, retry_after_us}. Numbers are kept below 2^53 (microseconds since 1970).
constexpr const char* kGcraScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local delay = tat - tolerance - now
if delay > tonumber(ARGV[3]) then return {0, delay} end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
if delay < 0 then delay = 0 end
return {1, delay}
)lua";

std::array<BucketShape, kClasses> shapes_of(const config::RateLimits& r) {
  auto shape = [](const config::RateLimit& l) { return BucketShape{l.rate, l.burst}; };
  // Indexed by RouteClass.
  return {shape(r.get_message),     shape(r.batch_messages), shape(r.chatroom_messages),
          shape(r.thread_messages), shape(r.conversations),  shape(r.default_)};
}

}  // namespace

struct RateLimiter::App {
  std::string name;
  std::string key_prefix;
  std::mutex mutex;  // guards the settings below (reload)
  bool global = false;
  int replicas = 1;
  std::chrono::microseconds max_wait{0};
  std::array<BucketShape, kClasses> shapes{};
  std::array<std::unique_ptr<ratelimit::Gcra>, kClasses> local;
  std::array<std::unique_ptr<ratelimit::Gcra>, kClasses> fallback;  // global, Redis down
  redis::RedisScript script{kGcraScript};
  std::optional<metrics::RateLimitMetrics> metrics;  // set once at construction

  void configure(const config::AppConfig& app) {
    std::lock_guard lock(mutex);
    global = app.rate_limits.scope == "global";
    replicas = app.rate_limits.expected_replicas;
    max_wait = app.rate_limits.max_wait;
    shapes = shapes_of(app.rate_limits);
    for (std::size_t i = 0; i < kClasses; ++i) {
      if (!local[i]) {
        local[i] = std::make_unique<ratelimit::Gcra>(shapes[i]);
        fallback[i] = std::make_unique<ratelimit::Gcra>(ratelimit::divided(shapes[i], replicas));
      } else {
        const auto now = std::chrono::steady_clock::now();
        local[i]->reshape(shapes[i], now);
        fallback[i]->reshape(ratelimit::divided(shapes[i], replicas), now);
      }
    }
  }
};

RateLimiter::RateLimiter(const std::vector<config::AppConfig>& apps,
                         const std::string& redis_key_prefix) {
  for (const auto& config : apps) {
    auto app = std::make_unique<App>();
    app->name = config.name;
    app->metrics.emplace(metrics::yxgate_metrics(), config.name);
    app->key_prefix = redis_key_prefix + "rl:" + config.name + ":";
    app->configure(config);
    apps_.push_back(std::move(app));
  }
}

RateLimiter::~RateLimiter() = default;

void RateLimiter::reload(const std::vector<config::AppConfig>& apps) {
  for (std::size_t i = 0; i < apps.size() && i < apps_.size(); ++i) apps_[i]->configure(apps[i]);
}

// One call's view of its app's settings, read under the app's lock (SIGHUP
// may change them): Redis is asked for a global bucket it can reach, else
// `bucket` decides (a global app's fallback share while Redis is out).
struct RateLimiter::CallSettings {
  bool via_redis = false;
  std::chrono::microseconds max_wait{0};
  BucketShape shape;
  ratelimit::Gcra* bucket = nullptr;
};

RateLimiter::CallSettings RateLimiter::settings(App& app, router::RouteClass route,
                                                const redis::RedisConnection* redis) {
  const auto cls = std::min<std::size_t>(static_cast<std::size_t>(route), kClasses - 1);
  std::lock_guard lock(app.mutex);
  return CallSettings{app.global && redis, app.max_wait, app.shapes[cls],
                      app.global ? app.fallback[cls].get() : app.local[cls].get()};
}

std::optional<Admission> RateLimiter::admit_now(redis::RedisConnection* redis,
                                                std::uint32_t app_index, router::RouteClass route) {
  auto& app = *apps_[app_index];
  const auto call = settings(app, route, redis);
  if (call.via_redis) return std::nullopt;  // one script call: admit()
  // No wait allowed: a call that would have to wait is refused, and a
  // refusal changes nothing in the bucket (gcra_step), so admit() decides it
  // afresh, in arrival order.
  const auto verdict =
      call.bucket->take(std::chrono::steady_clock::now(), std::chrono::microseconds{0});
  if (verdict.decision != Decision::kAllowed) return std::nullopt;
  app.metrics->decisions(route, Decision::kAllowed).Increment();
  return Admission{};
}

asio::awaitable<Admission> RateLimiter::admit(redis::RedisConnection* redis,
                                              std::uint32_t app_index, router::RouteClass route) {
  auto& app = *apps_[app_index];
  const auto call = settings(app, route, redis);
  const auto& [via_redis, max_wait, shape, bucket] = call;
  ratelimit::Verdict verdict;
  bool decided = false;
  if (via_redis) {
    const auto interval = std::llround(1e6 / shape.rate);
    const auto tolerance = std::llround((shape.burst - 1) * 1e6 / shape.rate);
    std::vector<std::string> keys{app.key_prefix + std::string(router::route_class_name(route))};
    std::vector<std::string> args{std::to_string(interval), std::to_string(tolerance),
                                  std::to_string(max_wait.count())};
    auto reply = co_await app.script.run(*redis, std::move(keys), std::move(args));
    if (reply && reply->is_array() && reply->elements.size() == 2) {
      const auto go = reply->elements[0].integer == 1;
      const std::chrono::microseconds amount(reply->elements[1].integer);
      verdict =
          go ? ratelimit::Verdict{amount.count() > 0 ? Decision::kDelayed : Decision::kAllowed,
                                  amount,
                                  {}}
             : ratelimit::Verdict{Decision::kRejected, {}, amount};
      decided = true;
    }
  }
  if (!decided) verdict = bucket->take(std::chrono::steady_clock::now(), max_wait);
  app.metrics->decisions(route, verdict.decision).Increment();
  if (verdict.decision == Decision::kDelayed) {
    asio::steady_timer timer(co_await asio::this_coro::executor, verdict.wait);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (verdict.decision == Decision::kRejected) {
    const auto seconds = (verdict.retry_after.count() + 999'999) / 1'000'000;
    co_return Admission{false, std::chrono::seconds(std::max<long long>(1, seconds))};
  }
  co_return Admission{};
}

}  // namespace yxgate::limiter
