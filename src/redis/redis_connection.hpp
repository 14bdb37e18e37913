#pragma once
// A Redis connection for one worker (SPEC §3.1 cache, §4 global limits).
//
// One per worker io_context (src/README.md): commands from the worker's
// coroutines are pipelined on it, with no lock and no
// per-command serialisation. It connects in the background and reconnects
// with backoff; while it is down, commands fail at once with kNotConnected,
// so the gateway bypasses Redis instead of stalling (SPEC §9). Every command
// is bounded by cache.redis.timeout.
//
// Use it only from its executor; destroy it there (or before its io_context
// is destroyed). Moving yxgate_redis_up: see redis_health.hpp.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_command.hpp"
#include "redis/redis_options.hpp"
#include "redis/redis_reply.hpp"

namespace yxgate::redis {

class RedisSession;
class RedisCluster;

class RedisConnection {
 public:
  // Starts connecting at once (asynchronously; nothing blocks).
  RedisConnection(boost::asio::any_io_executor executor, RedisOptions options);
  // Commands still waiting complete with kDisconnected.
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Binary-safe: cmd("SET", key, bytes) (redis_command.hpp). Completes with
  // the server's reply (error replies included) or a RedisFailure; every
  // failure is counted in yxgate_redis_errors_total. Await it at once. Not
  // for SUBSCRIBE/MONITOR, which change the protocol: use RedisSubscriber.
  // With `deadline` (a request's share of cache.redis.timeout, SPEC §11.3):
  // kOutOfTime if it comes before the reply and before the timeout.
  boost::asio::awaitable<RedisReply> command(
      std::vector<std::string> args,
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

  // Several commands in one write, answered in one round trip: a reply per
  // command, in order, each as command() would give it. Not atomic (other
  // clients' commands may run between them). In cluster mode every key must
  // be in the first key's slot.
  boost::asio::awaitable<std::vector<RedisReply>> pipeline(
      std::vector<std::vector<std::string>> commands,
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

  // Down: skip the rest of the reconnect backoff and try now. True when it
  // was down (then wait_until(true, ...) tells whether it came back).
  bool reconnect_now();

  // Sends without waiting, also while Redis is suspect (no timeout has been
  // cleared by a probe yet): Redis runs it in order when it reads this
  // connection again. False when not connected. Not counted in metrics.
  bool send_unanswered(const std::vector<std::string>& args);

  // Connected, handshake (AUTH/SELECT/PING) done, and no command timed out
  // since a probe was last answered. Any thread may read it.
  bool up() const;

  // Waits until up() == want; false at the timeout. For startup and tests.
  boost::asio::awaitable<bool> wait_until(bool want, std::chrono::milliseconds timeout);

 private:
  // Exactly one: a session (standalone, sentinel) or a router over one
  // session per cluster master (mode cluster).
  std::shared_ptr<RedisSession> session_;
  std::shared_ptr<RedisCluster> cluster_;
};

}  // namespace yxgate::redis
