// Issue 18: serving a cached hit takes no mutex (src/README.md, "the request
// hot path takes no lock"). Every metric on that path is an atomic add on a
// child resolved when the component was built; a Family lookup (the
// library's Family::Add) or prometheus::Histogram::Observe would take one.
//
// How: this binary interposes the pthread lock functions (the executable's
// definitions win over libc's for libstdc++, prometheus-cpp and our code
// alike) and counts, per thread, the locks taken while a probe is on. Not in
// sanitizer builds: their runtimes intercept the same functions.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <prometheus/histogram.h>
#include <pthread.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>

#include "config/config_loader.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "gateway/gateway.hpp"
#include "server/worker_pool.hpp"

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define YXGATE_LOCK_PROBE 0
#else
#define YXGATE_LOCK_PROBE 1
#endif

namespace {

struct LockCounts {
  long mutex = 0;  // pthread_mutex_lock / trylock (std::mutex)
  long read = 0;   // pthread_rwlock_rdlock / tryrdlock (std::shared_mutex, shared)
  long write = 0;  // pthread_rwlock_wrlock / trywrlock
};
thread_local bool probing = false;
thread_local LockCounts counts;

}  // namespace

#if YXGATE_LOCK_PROBE
namespace {

// libc's function of that name, looked up once (RTLD_NEXT: past this binary).
template <class Fn>
Fn next(Fn& cached, const char* name) {
  if (cached == nullptr) cached = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
  return cached;
}
using MutexFn = int (*)(pthread_mutex_t*);
using RwFn = int (*)(pthread_rwlock_t*);
MutexFn real_mutex_lock, real_mutex_trylock;
RwFn real_rdlock, real_tryrdlock, real_wrlock, real_trywrlock;

}  // namespace

extern "C" {
int pthread_mutex_lock(pthread_mutex_t* m) {
  if (probing) ++counts.mutex;
  return next(real_mutex_lock, "pthread_mutex_lock")(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
  if (probing) ++counts.mutex;
  return next(real_mutex_trylock, "pthread_mutex_trylock")(m);
}
int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  if (probing) ++counts.read;
  return next(real_rdlock, "pthread_rwlock_rdlock")(l);
}
int pthread_rwlock_tryrdlock(pthread_rwlock_t* l) {
  if (probing) ++counts.read;
  return next(real_tryrdlock, "pthread_rwlock_tryrdlock")(l);
}
int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  if (probing) ++counts.write;
  return next(real_wrlock, "pthread_rwlock_wrlock")(l);
}
int pthread_rwlock_trywrlock(pthread_rwlock_t* l) {
  if (probing) ++counts.write;
  return next(real_trywrlock, "pthread_rwlock_trywrlock")(l);
}
}
#endif

namespace yxgate {
namespace {

namespace asio = boost::asio;

// The locks `f` takes on this thread.
template <class F>
LockCounts locks_taken(F&& f) {
  counts = {};
  probing = true;
  f();
  probing = false;
  return counts;
}

class HitPathLocks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!YXGATE_LOCK_PROBE) GTEST_SKIP() << "sanitizer build: the lock probe is off";
  }
};

// The probe itself: what the hit path must not do is seen.
TEST_F(HitPathLocks, ProbeSeesAFamilyLookupAndTheLibraryHistogram) {
  metrics::Registry registry;
  metrics::YxgateMetrics m(registry);
  EXPECT_GE(locks_taken([&] {
              m.http_requests_total
                  .Add({{"route", "get_message"}, {"code", "200"}, {"cache", "hit"}})
                  .Increment();
            }).mutex,
            1);
  // Why metrics/histogram.hpp keeps a histogram of its own (prometheus-cpp 1.0).
  prometheus::Histogram library_histogram({0.001, 0.01});
  EXPECT_GE(locks_taken([&] { library_histogram.Observe(0.005); }).mutex, 1);
  metrics::Histogram ours({0.001, 0.01});
  EXPECT_EQ(locks_taken([&] { ours.observe(0.005); }).mutex, 0);
}

TEST_F(HitPathLocks, LocalCacheHitTakesNoMutex) {
  auto parsed = config::parse_config(R"(
server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, threads: 1 }
upstream: { base_url: http://127.0.0.1:9 }
apps: [{ name: default, app_key_env: YX_APP_KEY, app_secret_env: YX_APP_SECRET }]
log: { access_log: false }
)");
  ASSERT_TRUE(parsed) << parsed.error().message;
  config::Config config = *parsed;
  config.apps[0].resolved_app_key = "demo-app-key";
  config.apps[0].resolved_app_secret = "demo-app-secret";
  server::WorkerPool pool(1);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  server::ServerState state;
  gateway::Gateway gateway(config, pool, tls, state);

  const std::string target = "/im/v2/conversations/alice%7C1%7Cbob/messages/1001";
  const server::ClientInfo client(asio::ip::make_address("127.0.0.1"), 0);
  LockCounts hit;
  std::string warm_cache, probed_cache;
  auto body = [&]() -> asio::awaitable<void> {
    auto& cache = gateway.cache();
    request::RedisBudget no_redis;
    co_await cache.fill_message(
        0, cache.ticket(0, 1001),
        R"({"text":"hi","message_server_id":1001,"sender_id":"alice","conversation_type":1,)"
        R"("receiver_id":"bob","create_time":1698752272248,"message_type":0})",
        no_redis);
    // The first hit resolves its (route, cache, code) child: once per process.
    server::HttpRequest warm{server::http::verb::get, target, 11};
    warm_cache = std::string((co_await gateway.handle(warm, client))["X-Yxgate-Cache"]);
    server::HttpRequest request{server::http::verb::get, target, 11};
    counts = {};
    probing = true;
    // handle() of a local hit answers without suspending: this is the whole hit path.
    const auto response = co_await gateway.handle(request, client);
    probing = false;
    hit = counts;
    probed_cache = std::string(response["X-Yxgate-Cache"]);
  };
  asio::io_context io;
  auto done = asio::co_spawn(io, body(), asio::use_future);
  io.run();
  done.get();
  ASSERT_EQ(warm_cache, "hit");
  ASSERT_EQ(probed_cache, "hit");
  EXPECT_EQ(hit.mutex, 0) << "a mutex on the hit path (metrics must be atomic adds only)";
  EXPECT_EQ(hit.write, 0);
  // The one lock left: the local cache shard's shared lock (cache/local_cache.hpp).
  EXPECT_EQ(hit.read, 1);
}

}  // namespace
}  // namespace yxgate
