#include "redis/redis_subscriber.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <map>
#include <utility>

#include "log/logging.hpp"
#include "redis/redis_session.hpp"

namespace yxgate::redis {

struct RedisSubscriber::Channels {
  struct Handlers {
    MessageHandler on_message;
    SubscribedHandler on_subscribed;
  };
  // shared_ptr: a handler may replace its own entry while it runs.
  std::map<std::string, std::shared_ptr<const Handlers>, std::less<>> by_name;
  std::function<void()> on_lost;  // on_disconnected()

  std::shared_ptr<const Handlers> find(const redisReply& name) const {
    if (name.type != REDIS_REPLY_STRING) return nullptr;
    const auto it = by_name.find(std::string_view(name.str, name.len));
    return it == by_name.end() ? nullptr : it->second;
  }

  // Cluster mode: the channel whose slot's master the subscriber is on
  // (RedisOptions::pubsub_pin), also subscribed as a sharded channel
  // (SSUBSCRIBE, Redis 7). Nothing is published there: it is the tripwire
  // for a reshard. The node pushes `sunsubscribe` when the slot leaves it,
  // and answers MOVED when the subscriber came to a node that no longer
  // serves the slot; either way the subscriber moves to the slot's master.
  std::string pin;
  bool sharded = false;  // SSUBSCRIBE pin on each connection
  // The SSUBSCRIBE went out first on this connection and is not answered
  // yet: an error now is its answer.
  bool sharded_pending = false;
  std::weak_ptr<RedisSession> session;

  void relink(std::string why, bool at_once) const {
    if (const auto s = session.lock()) s->relink(std::move(why), at_once);
  }

  void on_error(std::string_view error) {
    if (!std::exchange(sharded_pending, false)) {
      // SUBSCRIBE refused (NOPERM...): as any broken link, try again later.
      relink("subscribe refused: " + std::string(error), false);
    } else if (error.starts_with("MOVED")) {
      relink("the invalidation channel's slot is served elsewhere: " + std::string(error), false);
    } else {
      // Redis before 7 (unknown command), or an ACL user without SSUBSCRIBE:
      // invalidations still flow; a reshard is followed on the next
      // reconnect only.
      sharded = false;
      std::string escaped;
      log::append_json_escaped(escaped, error);
      spdlog::warn("\"event\":\"redis_sharded_pubsub_unavailable\",\"error\":\"{}\"", escaped);
    }
  }

  // ["message", channel, payload] or ["subscribe", channel, count];
  // ["sunsubscribe", pin, count]: the pin's slot moved; the rest
  // (confirmations of the sharded tripwire) needs nothing.
  void dispatch(const redisReply& reply) {
    if (reply.type == REDIS_REPLY_ERROR) return on_error(std::string_view(reply.str, reply.len));
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3) return;
    const redisReply& kind = *reply.element[0];
    if (kind.type != REDIS_REPLY_STRING) return;
    const std::string_view what(kind.str, kind.len);
    if (what == "ssubscribe") {
      sharded_pending = false;
      return;
    }
    if (what == "sunsubscribe") {
      const redisReply& name = *reply.element[1];
      if (name.type == REDIS_REPLY_STRING && std::string_view(name.str, name.len) == pin) {
        relink("the invalidation channel's slot moved", true);
      }
      return;
    }
    const auto handlers = find(*reply.element[1]);
    if (!handlers) return;
    if (what == "message") {
      const redisReply& payload = *reply.element[2];
      if (payload.type == REDIS_REPLY_STRING && handlers->on_message) {
        handlers->on_message(std::string_view(payload.str, payload.len));
      }
    } else if (what == "subscribe") {
      if (handlers->on_subscribed) handlers->on_subscribed();
    }
  }
};

RedisSubscriber::RedisSubscriber(boost::asio::any_io_executor executor, RedisOptions options)
    : channels_(std::make_shared<Channels>()) {
  if (!options.cluster_seeds.empty() && !options.pubsub_pin.empty()) {
    channels_->pin = options.pubsub_pin;
    channels_->sharded = true;
  }
  RedisSession::Hooks hooks;
  hooks.on_ready = [channels = channels_](RedisSession& session) {
    channels->sharded_pending =
        channels->sharded && session.send_push({"SSUBSCRIBE", channels->pin});
    if (channels->by_name.empty()) return;
    std::vector<std::string> args{"SUBSCRIBE"};
    for (const auto& [name, handlers] : channels->by_name) args.push_back(name);
    session.send_push(args);
  };
  hooks.on_push = [channels = channels_](const redisReply& reply) { channels->dispatch(reply); };
  hooks.on_down = [channels = channels_] {
    if (channels->on_lost) channels->on_lost();
  };
  session_ = std::make_shared<RedisSession>(std::move(executor), std::move(options),
                                            std::move(hooks), "subscriber");
  channels_->session = session_;
  session_->start();
}

RedisSubscriber::~RedisSubscriber() { session_->stop(); }

void RedisSubscriber::subscribe(std::string channel, MessageHandler on_message,
                                SubscribedHandler on_subscribed) {
  const bool known = channels_->by_name.contains(channel);
  channels_->by_name[channel] = std::make_shared<const Channels::Handlers>(
      Channels::Handlers{std::move(on_message), std::move(on_subscribed)});
  // Not connected: on_ready subscribes to everything on the next connection.
  if (!known) session_->send_push({"SUBSCRIBE", channel});
}

void RedisSubscriber::on_disconnected(std::function<void()> handler) {
  channels_->on_lost = std::move(handler);
}

bool RedisSubscriber::up() const { return session_->up(); }

boost::asio::awaitable<bool> RedisSubscriber::wait_until(bool want,
                                                         std::chrono::milliseconds timeout) {
  return session_->wait_until(want, timeout);
}

}  // namespace yxgate::redis
