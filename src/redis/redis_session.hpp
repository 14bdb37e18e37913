#pragma once
// Internal to src/redis: the reconnecting core shared by RedisConnection and
// RedisSubscriber. One session = one logical Redis connection on one
// executor: it owns the current RedisLink, reconnects in the background
// with backoff, runs the AUTH/SELECT/PING handshake, bounds every command by
// the timeout and keeps yxgate_redis_up / yxgate_redis_errors_total.
//
// Not thread-safe: everything runs on `executor` (one worker, SPEC threading
// model in src/README.md); only up() may be read from other threads.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "redis/redis_health.hpp"
#include "redis/redis_link.hpp"
#include "redis/redis_options.hpp"
#include "redis/redis_reply.hpp"

namespace yxgate::redis {

class RedisSession : public std::enable_shared_from_this<RedisSession>,
                     private RedisLink::Listener {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  // Replies to commands sent with send_push() (pub/sub) carry this tag.
  static constexpr std::uint64_t kPushTag = RedisLink::kPushTag;

  struct Hooks {
    // After each successful handshake, right after up() turned true; may
    // send_push(). Runs on the executor, outside link callbacks.
    std::function<void(RedisSession& session)> on_ready{};
    // Each reply with kPushTag. Runs inside the link's read callback: record
    // or dispatch, but never stop() the session from here.
    std::function<void(const redisReply& reply)> on_push{};
    // When up() turns false because the link was lost (not on stop()).
    // Runs inside link callbacks too: record, never stop() the session.
    std::function<void()> on_down{};
  };

  // `role` names the session in logs ("connection", "subscriber").
  RedisSession(boost::asio::any_io_executor executor, RedisOptions options, Hooks hooks,
               std::string role);
  ~RedisSession();

  // Starts the background connect/reconnect loop.
  void start();
  // Closes the connection for good: waiting commands complete with
  // kDisconnected, later ones with kNotConnected.
  void stop();

  // Connected, handshake done, and Redis not suspect (redis_liveness.hpp).
  bool up() const { return up_.load(std::memory_order_relaxed) && !options_.liveness->suspect(); }
  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Fails at once with kNotConnected unless up(). Counted in metrics.
  // Waits until `deadline` when that comes before cache.redis.timeout: then
  // kOutOfTime, which marks nothing suspect (the caller's budget ran out),
  // unless the command waited half a timeout or more: that is kTimeout.
  boost::asio::awaitable<RedisReply> command(std::vector<std::string> args,
                                             std::optional<Deadline> deadline = std::nullopt);
  // Several commands written together and answered in one round trip: a
  // reply per command, in order (each as command() would give it; when the
  // link fails or the time runs out, every unanswered one gets that failure,
  // counted once). For independent reads: nothing makes them atomic.
  boost::asio::awaitable<std::vector<RedisReply>> pipeline(
      std::vector<std::vector<std::string>> commands, std::optional<Deadline> deadline);
  // True once up() == want, false at the deadline.
  boost::asio::awaitable<bool> wait_until(bool want, std::chrono::milliseconds timeout);
  // Down and waiting out a reconnect backoff: try now instead (a caller that
  // must reach Redis, e.g. a mutation's invalidation after a restart). True
  // when the link was down.
  bool reconnect_now();
  // Sends on the current connection, also while Redis is suspect, and waits
  // for nothing: Redis runs it in order once it reads the connection again
  // (an invalidation behind a paused Redis). False when not connected.
  bool send_unanswered(const std::vector<std::string>& args);
  // Closes the current connection on the next turn (safe from inside
  // on_push) so that the run loop connects again, asking the sentinels or
  // the cluster where to: the node it is on no longer serves what it is for
  // (a pub/sub pin whose slot moved). `at_once` skips the reconnect backoff.
  // Logged, not counted as a Redis error.
  void relink(std::string why, bool at_once);
  // Sends on the current connection with kPushTag, no waiter, no timeout.
  // False unless up() (on_ready runs again on the next connection).
  bool send_push(const std::vector<std::string>& args);

 private:
  struct Waiter {
    std::optional<RedisReply> result;
    // Cancelled by the reply; null for all but a pipeline's last command
    // (replies come in order: the last one's means all are in).
    boost::asio::steady_timer* timer;
  };

  // `self` keeps the session alive for as long as the loop runs.
  boost::asio::awaitable<void> run(std::shared_ptr<RedisSession> self);
  boost::asio::awaitable<bool> connect_once();
  boost::asio::awaitable<bool> handshake();
  boost::asio::awaitable<std::optional<boost::asio::ip::tcp::endpoint>> resolve(
      const std::string& host, std::uint16_t port);
  RedisLink::Target target_for(boost::asio::ip::tcp::endpoint endpoint, const std::string& host);
  // Connects `slot` to `target`; true once connected, false (and why) when
  // it failed or the connect timeout passed. Link events cancel `timer`.
  boost::asio::awaitable<bool> open_link(RedisLink::Target target, std::shared_ptr<RedisLink>& slot,
                                         boost::asio::steady_timer& timer, std::string& why);
  // Sends on the current link and waits up to the timeout (or `deadline`,
  // if earlier: then kOutOfTime); no up() check.
  boost::asio::awaitable<RedisReply> send(std::vector<std::string> args,
                                          std::optional<Deadline> deadline = std::nullopt);
  boost::asio::awaitable<RedisReply> send_on(std::shared_ptr<RedisLink> link,
                                             std::vector<std::string> args,
                                             std::chrono::milliseconds timeout,
                                             std::optional<Deadline> deadline = std::nullopt);
  boost::asio::awaitable<std::vector<RedisReply>> send_all(
      std::vector<std::vector<std::string>> commands, std::optional<Deadline> deadline);
  // The failure of a command sent at `sent`, as command() reports it (a
  // budget cut short after half a timeout of silence is a timeout); counts it.
  RedisFailure settle(RedisFailure failure, std::chrono::steady_clock::time_point sent);
  boost::asio::awaitable<void> wait_for_link_event(std::chrono::steady_clock::time_point deadline);
  static boost::asio::awaitable<void> wait_on(boost::asio::steady_timer& timer,
                                              std::chrono::steady_clock::time_point deadline);

  // Sentinel mode (redis_session_sentinel.cpp): the master the sentinels
  // name, and a SUBSCRIBE +switch-master link to one of them.
  boost::asio::awaitable<std::optional<boost::asio::ip::tcp::endpoint>> ask_sentinels();
  boost::asio::awaitable<void> watch_sentinels(std::shared_ptr<RedisSession> self);
  // Cluster mode (a subscriber): the master of pubsub_pin's slot, asked of
  // the seeds in turn; `host` gets the name to verify with TLS.
  boost::asio::awaitable<std::optional<boost::asio::ip::tcp::endpoint>> ask_cluster(
      std::string& host);
  void on_sentinel_push(const redisReply& reply);
  // AUTH with the URL's credentials on a sentinel's or seed's link (none
  // without a password). The refusal, if any, without the credentials.
  boost::asio::awaitable<std::optional<std::string>> authenticate(std::shared_ptr<RedisLink> link);
  std::chrono::milliseconds jittered(std::chrono::milliseconds backoff);
  void set_up(bool up);
  void connect_failed(std::string_view why);
  void on_command_timeout();
  // PINGs on the open link until one is answered (clearing the suspicion)
  // or the link is lost (then the reconnect handshake probes).
  boost::asio::awaitable<void> probe(std::shared_ptr<RedisSession> self);
  void set_vote(bool up);

  void on_link_connected(RedisLink& link) override;
  void on_link_closed(RedisLink& link, std::string_view why) override;
  void on_link_reply(RedisLink& link, std::uint64_t tag, const redisReply* reply) override;

  boost::asio::any_io_executor executor_;
  RedisOptions options_;
  Hooks hooks_;
  std::string role_;
  std::shared_ptr<RedisLink> link_;
  std::optional<boost::asio::ip::tcp::endpoint> endpoint_;  // where link_ goes
  // Sentinel mode: the +switch-master subscription and its loop's timer.
  std::shared_ptr<RedisLink> sentinel_link_;
  boost::asio::steady_timer sentinel_wake_;
  std::size_t next_sentinel_ = 0;  // the sentinel asked first
  bool watching_ = false;
  // The run loop sleeps on it; link events and stop() cancel it to wake it.
  boost::asio::steady_timer wake_;
  // Commands in flight by tag. A timed-out command removes itself, so its
  // late reply finds nothing and is dropped: the link only ever carries the
  // tag, never a pointer into a coroutine frame.
  std::unordered_map<std::uint64_t, Waiter*> waiters_;
  std::uint64_t next_tag_ = kPushTag + 1;
  std::vector<boost::asio::steady_timer*> state_waiters_;
  std::atomic<bool> up_{false};
  bool stopped_ = false;
  bool failing_ = false;  // a connect failure was logged; quiet until up again
  bool probing_ = false;
  bool relinking_ = false;  // relink() closed the link: not an error
  bool skip_backoff_ = false;
  std::string last_error_;
  std::optional<RedisHealth::Vote> vote_;  // reset by stop()
  std::minstd_rand rng_;
};

}  // namespace yxgate::redis
