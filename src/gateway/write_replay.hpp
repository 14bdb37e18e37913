#pragma once
// Write replay (SPEC §11.4): a write repeated with the same X-custom-traceid,
// app, method, target and body within idempotency.window reaches upstream at
// most once. The first (the owner) goes upstream; a repeat while it is in
// flight waits for its answer; a repeat after it gets that answer again with
// `X-Yxgate-Replayed: 1`.
//
// The owner's upstream exchange runs detached from its client and may take up
// to twice upstream.timeout: the client still gets its 504 at
// upstream.timeout (it must arrive before the SDKs' own 5 s deadline), and a
// retry then learns the real outcome instead of sending the write again.
//
// With cache.redis the record is shared by every replica: the owner claims
// the key with SET NX PX (a pending marker that expires when the owner's
// exchange must have ended: max_wait + 2 x upstream.timeout + 2 x
// cache.redis.timeout + 1 s, so a replica that dies mid-exchange does not
// block the key for the whole window), then stores the answer for the
// window; a repeat on another replica polls it for at most upstream.timeout,
// then answers 504 (outcome unknown, a body the SDKs do not retry). Once a
// dead owner's marker has expired, the next repeat takes the key over and
// goes upstream: the first attempt's outcome was never recorded. While
// Redis is down each replica keeps its own records only: a repeat through the
// same replica is still answered once, one through another replica may reach
// upstream again.
#include <boost/asio/awaitable.hpp>
#include <memory>

#include "config/config.hpp"
#include "gateway/route_env.hpp"
#include "idempotency/replay_record.hpp"
#include "redis/redis_links.hpp"

namespace yxgate::gateway {

class WriteReplay {
 public:
  using Handler = boost::asio::awaitable<server::HttpResponse> (*)(RouteEnv);

  // `redis` may be null (no cache.redis).
  WriteReplay(const config::Config& config, redis::RedisLinks* redis);
  ~WriteReplay();

  // Replay is on, the request is a write and the client sent its own
  // X-custom-traceid (a generated one cannot repeat).
  bool applies(const server::HttpRequest& request, const RouteEnv& env) const;

  // Answers `env` through `handler` at most once per key.
  boost::asio::awaitable<server::HttpResponse> run(RouteEnv env, Handler handler);

 private:
  struct Exchange;
  using Record = std::shared_ptr<idempotency::ReplayTable::Record>;
  // What this replica knows of its pending marker in Redis. kUnknown: the
  // SET NX was sent but not answered (Redis paused, or the link dropped):
  // Redis may run it when it reads again, so the answer is written anyway.
  enum class RedisClaim { kNone, kTaken, kUnknown };

  boost::asio::awaitable<server::HttpResponse> lead(RouteEnv& env, Handler handler,
                                                    const Record& record, const std::string& key,
                                                    RedisClaim claim);
  // The exchange's end in Redis: its answer for repeats, or the key freed.
  boost::asio::awaitable<void> settle_claim(redis::RedisConnection& connection,
                                            std::vector<std::string> command,
                                            const std::string& trace_id);
  boost::asio::awaitable<void> exchange(std::shared_ptr<Exchange> exchange, RouteEnv env,
                                        Handler handler);
  boost::asio::awaitable<server::HttpResponse> join(RouteEnv& env, const Record& record);
  boost::asio::awaitable<server::HttpResponse> follow_redis(RouteEnv& env, Handler handler,
                                                            const Record& record,
                                                            const std::string& key);

  std::string key_prefix_;  // cache.redis.key_prefix: replicas of one deployment meet
  std::chrono::milliseconds window_;
  std::chrono::milliseconds upstream_timeout_;
  std::chrono::milliseconds pending_ttl_;    // PX of the pending marker (write_replay.cpp)
  std::chrono::milliseconds redis_timeout_;  // cache.redis.timeout: the request's Redis budget
  redis::RedisLinks* redis_;
  idempotency::ReplayTable table_;
};

}  // namespace yxgate::gateway
