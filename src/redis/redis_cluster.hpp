#pragma once
// Internal to src/redis: a RedisConnection in cluster mode (SPEC §11.6).
// One RedisSession per master node on the connection's executor, a slot map
// from CLUSTER SLOTS, commands routed by their first key's slot. MOVED
// updates the map, retries once on the named node and asks for a refresh;
// ASK sends ASKING then the command to the named node, once. Both retries
// spend only what is left of cache.redis.timeout (SPEC §11.3). A node that
// is down (killed master) fails its slots' commands fast and makes the
// refresh loop ask the other nodes until the cluster has promoted a
// replica.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "redis/cluster_slots.hpp"
#include "redis/redis_health.hpp"
#include "redis/redis_options.hpp"
#include "redis/redis_reply.hpp"

namespace yxgate::redis {

class RedisSession;

class RedisCluster : public std::enable_shared_from_this<RedisCluster> {
 public:
  RedisCluster(boost::asio::any_io_executor executor, RedisOptions options);
  ~RedisCluster();

  void start();
  void stop();

  // `deadline`: as RedisSession::command's; redirects share it.
  boost::asio::awaitable<RedisReply> command(
      std::vector<std::string> args,
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);
  // Routed by the first command's first key: every key must share its slot
  // (a hash tag). MOVED (the slot's master changed) sends the whole pipeline
  // once more to the new master; ASK and TRYAGAIN (a slot half migrated)
  // come back as the error replies they are.
  boost::asio::awaitable<std::vector<RedisReply>> pipeline(
      std::vector<std::vector<std::string>> commands,
      std::optional<std::chrono::steady_clock::time_point> deadline);
  bool send_unanswered(const std::vector<std::string>& args);
  bool reconnect_now();
  // A slot map is known and every master's session is up. Any thread.
  bool up() const;
  boost::asio::awaitable<bool> wait_until(bool want, std::chrono::milliseconds timeout);

  // The slot of the command's first key; none for keyless commands.
  static std::optional<std::uint16_t> command_slot(const std::vector<std::string>& args);

 private:
  std::shared_ptr<RedisSession> session_for(const ClusterNode& node);
  std::shared_ptr<RedisSession> route(const std::vector<std::string>& args);
  boost::asio::awaitable<void> refresh_loop(std::shared_ptr<RedisCluster> self);
  boost::asio::awaitable<bool> refresh();
  void want_refresh();
  void update_up();

  boost::asio::any_io_executor executor_;
  RedisOptions options_;
  boost::asio::steady_timer refresh_wake_;
  std::optional<SlotMap> map_;
  bool refresh_wanted_ = true;
  bool stopped_ = false;
  // By "host:port". Guarded by mutex_ for up() from other threads; only
  // the executor changes it.
  std::map<std::string, std::shared_ptr<RedisSession>> sessions_;
  mutable std::mutex mutex_;
  std::atomic<bool> mapped_{false};
  // Down until the first slot map: the seeds' sessions being up does not
  // mean a command can be routed (yxgate_redis_up). Reset by stop().
  std::optional<RedisHealth::Vote> vote_;
};

}  // namespace yxgate::redis
