#include "redis/redis_cluster.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <charconv>

#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_command.hpp"
#include "redis/redis_failovers.hpp"
#include "redis/redis_session.hpp"

namespace yxgate::redis {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// While a master is down, ask again this often (a failover takes about
// cluster-node-timeout plus an election); otherwise this often, to notice
// resharding without waiting for a MOVED.
constexpr auto kRefreshWhileDown = std::chrono::milliseconds(250);
constexpr auto kRefreshIdle = std::chrono::seconds(5);

std::string node_name(const ClusterNode& node) {
  return node.host + ":" + std::to_string(node.port);
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

RedisCluster::RedisCluster(asio::any_io_executor executor, RedisOptions options)
    : executor_(std::move(executor)), options_(std::move(options)), refresh_wake_(executor_) {
  if (!options_.liveness) options_.liveness = std::make_shared<RedisLiveness>();
  if (options_.health) vote_.emplace(*options_.health);
}

RedisCluster::~RedisCluster() { stop(); }

void RedisCluster::start() {
  // Seeds first: the first refresh asks whichever answers.
  for (const auto& seed : options_.cluster_seeds) session_for({seed.host, seed.port});
  asio::co_spawn(executor_, refresh_loop(shared_from_this()), asio::detached);
}

void RedisCluster::stop() {
  if (stopped_) return;
  stopped_ = true;
  refresh_wake_.cancel();
  std::lock_guard lock(mutex_);
  for (auto& [name, session] : sessions_) session->stop();
  sessions_.clear();
  mapped_ = false;
  vote_.reset();
}

std::optional<std::uint16_t> RedisCluster::command_slot(const std::vector<std::string>& args) {
  if (args.size() < 2) return std::nullopt;
  const auto name = upper(args[0]);
  if (name == "EVALSHA" || name == "EVAL" || name == "EVAL_RO" || name == "EVALSHA_RO") {
    std::size_t keys = 0;
    const auto& n = args[2 < args.size() ? 2 : 0];
    std::from_chars(n.data(), n.data() + n.size(), keys);
    if (keys == 0 || args.size() < 4) return std::nullopt;
    return key_slot(args[3]);
  }
  if (name == "PING" || name == "CLUSTER" || name == "ASKING" || name == "SCRIPT" ||
      name == "INFO") {
    return std::nullopt;  // any node
  }
  // PUBLISH reaches the whole cluster from any node, but answers with the
  // receivers on its own node: routed by the channel, it goes where the
  // subscribers pinned to that channel are (RedisOptions::pubsub_pin).
  return key_slot(args[1]);
}

std::shared_ptr<RedisSession> RedisCluster::session_for(const ClusterNode& node) {
  const auto name = node_name(node);
  std::lock_guard lock(mutex_);
  auto& session = sessions_[name];
  if (!session) {
    auto options = options_;
    options.host = node.host;
    options.port = node.port;
    options.cluster_seeds.clear();
    session = std::make_shared<RedisSession>(executor_, std::move(options), RedisSession::Hooks{},
                                             "cluster " + name);
    session->start();
  }
  return session;
}

std::shared_ptr<RedisSession> RedisCluster::route(const std::vector<std::string>& args) {
  if (!map_) return nullptr;
  if (const auto slot = command_slot(args)) {
    const auto* node = map_->master_for(*slot);
    return node == nullptr ? nullptr : session_for(*node);
  }
  // Keyless: the first master that is up.
  for (const auto& node : map_->masters()) {
    auto session = session_for(node);
    if (session->up()) return session;
  }
  return map_->masters().empty() ? nullptr : session_for(map_->masters().front());
}

asio::awaitable<RedisReply> RedisCluster::command(std::vector<std::string> args,
                                                  std::optional<Clock::time_point> deadline) {
  auto self = shared_from_this();
  const auto started = Clock::now();
  auto session = route(args);
  if (!session) {
    metrics::yxgate_metrics().redis_errors_total.Increment();
    want_refresh();
    co_return RedisFailure::kNotConnected;
  }
  auto reply = co_await session->command(args, deadline);
  // A redirected command gets only what is left of the caller's bound.
  auto bound = started + options_.timeout;
  if (deadline && *deadline < bound) bound = *deadline;
  for (int redirects = 0; redirects < 2; ++redirects) {
    if (!reply.ok()) {
      // Lost or absent node: perhaps failed over. The caller bypasses Redis.
      if (reply.failure() != RedisFailure::kTimeout) want_refresh();
      co_return reply;
    }
    if (!reply.is_error()) co_return reply;
    const auto redirect = parse_redirect(reply->str);
    if (!redirect) co_return reply;
    if (Clock::now() >= bound) co_return RedisFailure::kOutOfTime;
    auto target = session_for(redirect->node);
    auto& metrics = metrics::yxgate_metrics();
    (redirect->kind == Redirect::Kind::kMoved ? metrics.redis_moved_total : metrics.redis_ask_total)
        .Increment();
    if (redirect->kind == Redirect::Kind::kMoved) {
      if (map_) map_->move(redirect->slot, redirect->node);
      want_refresh();
    } else {
      // One-shot: ASKING applies to the next command on that connection.
      target->send_unanswered(cmd("ASKING"));
    }
    reply = co_await target->command(args, bound);
  }
  co_return reply;
}

asio::awaitable<std::vector<RedisReply>> RedisCluster::pipeline(
    std::vector<std::vector<std::string>> commands, std::optional<Clock::time_point> deadline) {
  auto self = shared_from_this();
  const auto started = Clock::now();
  auto session = commands.empty() ? nullptr : route(commands.front());
  if (!session) {
    metrics::yxgate_metrics().redis_errors_total.Increment();
    want_refresh();
    co_return std::vector<RedisReply>(commands.size(), RedisFailure::kNotConnected);
  }
  auto bound = started + options_.timeout;
  if (deadline && *deadline < bound) bound = *deadline;
  auto replies = co_await session->pipeline(commands, deadline);
  std::optional<Redirect> moved;
  for (const auto& reply : replies) {
    if (!reply.ok()) {
      if (reply.failure() != RedisFailure::kTimeout) want_refresh();
      co_return replies;
    }
    if (!reply.is_error()) continue;
    const auto redirect = parse_redirect(reply->str);
    if (redirect && redirect->kind == Redirect::Kind::kMoved) moved = redirect;
  }
  if (!moved) co_return replies;
  metrics::yxgate_metrics().redis_moved_total.Increment();
  if (map_) map_->move(moved->slot, moved->node);
  want_refresh();
  if (Clock::now() >= bound) {
    co_return std::vector<RedisReply>(commands.size(), RedisFailure::kOutOfTime);
  }
  co_return co_await session_for(moved->node)->pipeline(std::move(commands), bound);
}

bool RedisCluster::send_unanswered(const std::vector<std::string>& args) {
  auto session = route(args);
  return session && session->send_unanswered(args);
}

bool RedisCluster::reconnect_now() {
  bool any = false;
  std::lock_guard lock(mutex_);
  for (auto& [name, session] : sessions_) any = session->reconnect_now() || any;
  return any;
}

bool RedisCluster::up() const {
  if (!mapped_.load(std::memory_order_relaxed)) return false;
  std::lock_guard lock(mutex_);
  return !sessions_.empty() && std::all_of(sessions_.begin(), sessions_.end(),
                                           [](const auto& entry) { return entry.second->up(); });
}

asio::awaitable<bool> RedisCluster::wait_until(bool want, std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  asio::steady_timer timer(executor_);
  const auto deadline = Clock::now() + timeout;
  // Polled: up() combines many sessions' states, none of which knows the others.
  while (up() != want && Clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(use_tuple);
  }
  co_return up() == want;
}

void RedisCluster::want_refresh() {
  if (refresh_wanted_) return;
  refresh_wanted_ = true;
  refresh_wake_.cancel();
}

asio::awaitable<void> RedisCluster::refresh_loop(std::shared_ptr<RedisCluster> self) {
  while (!stopped_) {
    if (refresh_wanted_ || !map_) {
      refresh_wanted_ = false;
      if (!co_await refresh()) refresh_wanted_ = true;
    }
    if (stopped_) break;
    bool any_down = !map_;
    {
      std::lock_guard lock(mutex_);
      for (auto& [name, session] : sessions_) any_down = any_down || !session->up();
    }
    refresh_wake_.expires_after(any_down || refresh_wanted_ ? kRefreshWhileDown : kRefreshIdle);
    co_await refresh_wake_.async_wait(use_tuple);
    if (any_down) refresh_wanted_ = true;
  }
}

asio::awaitable<bool> RedisCluster::refresh() {
  // (host, session): a node may answer "" for its own address.
  std::vector<std::pair<std::string, std::shared_ptr<RedisSession>>> candidates;
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, session] : sessions_) {
      if (session->up()) candidates.emplace_back(name.substr(0, name.rfind(':')), session);
    }
  }
  if (candidates.empty()) {
    // Nobody up: make sure the seeds are being tried.
    for (const auto& seed : options_.cluster_seeds) session_for({seed.host, seed.port});
    co_return false;
  }
  for (auto& [host, session] : candidates) {
    auto reply = co_await session->command(cmd("CLUSTER", "SLOTS"));
    if (stopped_) co_return false;
    if (!reply.ok() || reply.is_error()) continue;
    auto map = SlotMap::from_cluster_slots(reply.value(), host);
    if (!map || map->masters().empty()) continue;
    // A node answering from before a failover may still name the dead
    // master; the loop asks again while any master is down.
    std::vector<std::string> previous;
    if (map_) {
      for (const auto& node : map_->masters()) previous.push_back(node_name(node));
    }
    auto map_had = [&](const std::string& name) {
      return std::find(previous.begin(), previous.end(), name) != previous.end();
    };
    map_ = std::move(map);
    std::map<std::string, std::shared_ptr<RedisSession>> keep;
    for (const auto& node : map_->masters()) keep[node_name(node)] = session_for(node);
    std::vector<std::shared_ptr<RedisSession>> dropped;
    {
      std::lock_guard lock(mutex_);
      for (auto& [name, s] : sessions_) {
        if (keep.contains(name)) continue;
        // A master that was down and is no longer one: the cluster failed
        // it over (seeds that are replicas were never masters of the map).
        if (map_had(name) && !s->up()) note_failover("cluster master " + name);
        dropped.push_back(s);
      }
      sessions_ = std::move(keep);
    }
    for (auto& s : dropped) s->stop();
    mapped_ = true;
    if (vote_) vote_->set_up(true);
    co_return true;
  }
  co_return false;
}

}  // namespace yxgate::redis
