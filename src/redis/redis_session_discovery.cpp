// RedisSession: where a link goes. Resolving names, opening a link with a
// deadline, sentinel mode (SPEC §11.6): ask the sentinels for the master
// of `sentinel_master`, and follow +switch-master; cluster mode: the master
// of the pin's slot, and going there again when it moves (relink).
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <sstream>

#include "log/logging.hpp"
#include "redis/cluster_slots.hpp"
#include "redis/redis_command.hpp"
#include "redis/redis_failovers.hpp"
#include "redis/redis_session.hpp"

namespace yxgate::redis {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<std::optional<asio::ip::tcp::endpoint>> RedisSession::resolve(
    const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) co_return asio::ip::tcp::endpoint(address, port);
  // Asynchronously: a blocking getaddrinfo() would stall the worker.
  asio::ip::tcp::resolver resolver(executor_);
  auto [rec, results] = co_await resolver.async_resolve(host, std::to_string(port), use_tuple);
  if (rec || results.empty()) {
    connect_failed("resolve " + host + ": " + (rec ? rec.message() : "no address"));
    co_return std::nullopt;
  }
  co_return results.begin()->endpoint();
}

RedisLink::Target RedisSession::target_for(asio::ip::tcp::endpoint endpoint,
                                           const std::string& host) {
  const auto& tls = options_.tls;
  return {endpoint, tls.context, tls.server_name.empty() ? host : tls.server_name, tls.verify};
}

asio::awaitable<bool> RedisSession::open_link(RedisLink::Target target,
                                              std::shared_ptr<RedisLink>& slot,
                                              asio::steady_timer& timer, std::string& why) {
  slot = RedisLink::connect(executor_, std::move(target), this);
  const auto link = slot;
  const auto deadline = Clock::now() + options_.connect_timeout;
  while (!stopped_ && link->open() && !link->connected() && Clock::now() < deadline) {
    co_await wait_on(timer, deadline);
  }
  if (link->connected() && !stopped_) co_return true;
  why = link->open() ? "connect timeout" : link->why();
  link->close();
  co_return false;
}

// The node no longer serves what the link is for: ask again where to go.
void RedisSession::relink(std::string why, bool at_once) {
  asio::post(executor_, [self = shared_from_this(), why = std::move(why), at_once] {
    if (self->stopped_ || !self->link_ || !self->link_->open()) return;
    std::string escaped;
    log::append_json_escaped(escaped, why);
    spdlog::info("\"event\":\"redis_relink\",\"role\":\"{}\",\"reason\":\"{}\"", self->role_,
                 escaped);
    self->relinking_ = true;
    self->skip_backoff_ = at_once;
    self->link_->close();
    self->relinking_ = false;
  });
}

asio::awaitable<std::optional<std::string>> RedisSession::authenticate(
    std::shared_ptr<RedisLink> link) {
  if (options_.password.empty()) co_return std::nullopt;
  auto auth = options_.username.empty() ? cmd("AUTH", options_.password)
                                        : cmd("AUTH", options_.username, options_.password);
  const auto reply = co_await send_on(std::move(link), std::move(auth), options_.timeout);
  if (!reply.ok()) co_return std::string(to_string(reply.failure()));
  // A sentinel (or seed) without requirepass refuses AUTH: nothing to prove.
  // The error names neither the user nor the password.
  if (reply.is_error() && reply->str.find("without any password configured") == std::string::npos) {
    co_return describe(reply);
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<asio::ip::tcp::endpoint>> RedisSession::ask_sentinels() {
  const auto& sentinel = *options_.sentinel;
  std::string errors;
  for (std::size_t i = 0; i < sentinel.nodes.size() && !stopped_; ++i) {
    const auto index = (next_sentinel_ + i) % sentinel.nodes.size();
    const auto& node = sentinel.nodes[index];
    const auto where = node.host + ":" + std::to_string(node.port);
    const auto endpoint = co_await resolve(node.host, node.port);
    if (!endpoint) continue;
    std::shared_ptr<RedisLink> link;
    std::string why;
    if (!co_await open_link(target_for(*endpoint, node.host), link, wake_, why)) {
      errors += (errors.empty() ? "" : "; ") + where + ": " + why;
      continue;
    }
    // Sentinels that require a password get the URL's credentials.
    if (const auto refused = co_await authenticate(link)) {
      link->close();
      errors += (errors.empty() ? "" : "; ") + where + ": AUTH: " + *refused;
      continue;
    }
    auto reply = co_await send_on(link, cmd("SENTINEL", "get-master-addr-by-name", sentinel.master),
                                  options_.timeout);
    link->close();
    // [ip, port], or nil while the sentinel does not know the master.
    if (reply.ok() && reply->is_array() && reply->elements.size() == 2) {
      const auto& ip = reply->elements[0].str;
      const auto& port_text = reply->elements[1].str;
      std::uint16_t port = 0;
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
      if (port != 0) {
        next_sentinel_ = index;  // keep asking one that answers
        co_return co_await resolve(ip, port);
      }
    }
    errors += (errors.empty() ? "" : "; ") + where + ": " +
              (reply.ok() ? describe(reply) : std::string(to_string(reply.failure())));
  }
  if (!stopped_) connect_failed("no sentinel named the master " + sentinel.master + ": " + errors);
  co_return std::nullopt;
}

asio::awaitable<std::optional<asio::ip::tcp::endpoint>> RedisSession::ask_cluster(
    std::string& host) {
  const auto& seeds = options_.cluster_seeds;
  std::string errors;
  for (std::size_t i = 0; i < seeds.size() && !stopped_; ++i) {
    const auto index = (next_sentinel_ + i) % seeds.size();
    const auto& seed = seeds[index];
    const auto where = seed.host + ":" + std::to_string(seed.port);
    const auto endpoint = co_await resolve(seed.host, seed.port);
    if (!endpoint) continue;
    std::shared_ptr<RedisLink> link;
    std::string why;
    if (!co_await open_link(target_for(*endpoint, seed.host), link, wake_, why)) {
      errors += (errors.empty() ? "" : "; ") + where + ": " + why;
      continue;
    }
    // Authenticated like any link: CLUSTER SLOTS needs it under ACLs.
    std::optional<ClusterNode> pinned;
    co_await authenticate(link);  // refused: CLUSTER SLOTS says why
    auto reply = co_await send_on(link, cmd("CLUSTER", "SLOTS"), options_.timeout);
    link->close();
    if (reply.ok() && !reply.is_error()) {
      if (auto map = SlotMap::from_cluster_slots(reply.value(), seed.host)) {
        if (const auto* node = map->master_for(key_slot(options_.pubsub_pin))) pinned = *node;
      }
    }
    if (!pinned) {
      errors += (errors.empty() ? "" : "; ") + where + ": " +
                (reply.ok() ? describe(reply) : std::string(to_string(reply.failure())));
      continue;
    }
    next_sentinel_ = index;
    host = pinned->host;
    co_return co_await resolve(pinned->host, pinned->port);
  }
  if (!stopped_) connect_failed("no cluster node named the master of the channel: " + errors);
  co_return std::nullopt;
}

asio::awaitable<void> RedisSession::watch_sentinels(std::shared_ptr<RedisSession> self) {
  // One subscription per session, so each session learns of a failover on
  // its own executor, without state shared across workers.
  const auto& nodes = options_.sentinel->nodes;
  auto backoff = options_.backoff_min;
  while (!stopped_) {
    const auto& node = nodes[next_sentinel_ % nodes.size()];
    std::string why;
    const auto endpoint = co_await resolve(node.host, node.port);
    bool opened = endpoint && co_await open_link(target_for(*endpoint, node.host), sentinel_link_,
                                                 sentinel_wake_, why);
    if (opened && co_await authenticate(sentinel_link_)) {
      sentinel_link_->close();  // refused: the next sentinel
      opened = false;
    }
    if (opened) {
      sentinel_link_->send(cmd("SUBSCRIBE", "+switch-master"), kPushTag);
      backoff = options_.backoff_min;
      while (!stopped_ && sentinel_link_->open())
        co_await wait_on(sentinel_wake_, Clock::time_point::max());
    } else {
      ++next_sentinel_;  // try the next one
    }
    if (stopped_) break;
    const auto until = Clock::now() + backoff;
    while (!stopped_ && Clock::now() < until) co_await wait_on(sentinel_wake_, until);
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

void RedisSession::on_sentinel_push(const redisReply& reply) {
  // ["message", "+switch-master", "<name> <old-ip> <old-port> <new-ip> <new-port>"]
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3) return;
  const redisReply& kind = *reply.element[0];
  const redisReply& payload = *reply.element[2];
  if (kind.type != REDIS_REPLY_STRING || std::string_view(kind.str, kind.len) != "message" ||
      payload.type != REDIS_REPLY_STRING) {
    return;
  }
  std::istringstream fields(std::string(payload.str, payload.len));
  std::string name, old_ip, old_port, new_ip;
  unsigned new_port = 0;
  if (!(fields >> name >> old_ip >> old_port >> new_ip >> new_port)) return;
  if (name != options_.sentinel->master) return;
  note_failover(std::string(payload.str, payload.len));
  spdlog::warn(
      "\"event\":\"redis_failover\",\"role\":\"{}\",\"master\":\"{}\",\"from\":\"{}:{}\","
      "\"to\":\"{}:{}\"",
      role_, name, old_ip, old_port, new_ip, new_port);
  // Not from inside the sentinel link's read: drop the master link on the
  // next turn; the run loop asks the sentinels again at once.
  asio::post(executor_, [self = shared_from_this(), new_ip, new_port] {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(new_ip, ec);
    const bool same =
        !ec && self->endpoint_ && *self->endpoint_ == asio::ip::tcp::endpoint(address, new_port);
    if (!same && self->link_ && self->link_->open()) self->link_->close();
    self->reconnect_now();
  });
}

}  // namespace yxgate::redis
