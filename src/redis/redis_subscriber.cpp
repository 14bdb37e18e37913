#include "redis/redis_subscriber.hpp"

#include <hiredis/hiredis.h>

#include <map>

#include "redis/redis_session.hpp"

namespace yxgate::redis {

struct RedisSubscriber::Channels {
  struct Handlers {
    MessageHandler on_message;
    SubscribedHandler on_subscribed;
  };
  // shared_ptr: a handler may replace its own entry while it runs.
  std::map<std::string, std::shared_ptr<const Handlers>, std::less<>> by_name;

  std::shared_ptr<const Handlers> find(const redisReply& name) const {
    if (name.type != REDIS_REPLY_STRING) return nullptr;
    const auto it = by_name.find(std::string_view(name.str, name.len));
    return it == by_name.end() ? nullptr : it->second;
  }

  // ["message", channel, payload] or ["subscribe", channel, count]; the
  // rest (unsubscribe confirmations) needs nothing.
  void dispatch(const redisReply& reply) const {
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3) return;
    const redisReply& kind = *reply.element[0];
    if (kind.type != REDIS_REPLY_STRING) return;
    const std::string_view what(kind.str, kind.len);
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
  RedisSession::Hooks hooks;
  hooks.on_ready = [channels = channels_](RedisSession& session) {
    if (channels->by_name.empty()) return;
    std::vector<std::string> args{"SUBSCRIBE"};
    for (const auto& [name, handlers] : channels->by_name) args.push_back(name);
    session.send_push(args);
  };
  hooks.on_push = [channels = channels_](const redisReply& reply) { channels->dispatch(reply); };
  session_ = std::make_shared<RedisSession>(std::move(executor), std::move(options),
                                            std::move(hooks), "subscriber");
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

bool RedisSubscriber::up() const { return session_->up(); }

boost::asio::awaitable<bool> RedisSubscriber::wait_until(bool want,
                                                         std::chrono::milliseconds timeout) {
  return session_->wait_until(want, timeout);
}

}  // namespace yxgate::redis
