#pragma once
// A dedicated Redis connection in SUBSCRIBE mode: the cache invalidation
// broadcast between replicas (SPEC §3.3). One per process is enough.
//
// It reconnects like RedisConnection and subscribes again to every channel
// after each reconnect. Messages published while it was disconnected are
// lost (Redis pub/sub keeps nothing): `on_subscribed` runs each time Redis
// confirms a subscription, so the cache can drop what it may have missed.
//
// Use it only from its executor; handlers run there, inside the link's read
// callback: they may call subscribe() but must not destroy the subscriber.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "redis/redis_options.hpp"

namespace yxgate::redis {

class RedisSession;

class RedisSubscriber {
 public:
  using MessageHandler = std::function<void(std::string_view message)>;
  using SubscribedHandler = std::function<void()>;

  // Starts connecting at once. `options.db` does not matter to pub/sub.
  RedisSubscriber(boost::asio::any_io_executor executor, RedisOptions options);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // Subscribes now if connected, and after every reconnect. A second call
  // for the same channel replaces its handlers.
  void subscribe(std::string channel, MessageHandler on_message,
                 SubscribedHandler on_subscribed = {});

  // `handler` runs each time the connection is lost (from then on messages
  // are missed until `on_subscribed` runs again), on the executor, inside
  // the link's callback: it must not destroy the subscriber.
  void on_disconnected(std::function<void()> handler);

  bool up() const;
  boost::asio::awaitable<bool> wait_until(bool want, std::chrono::milliseconds timeout);

 private:
  struct Channels;
  std::shared_ptr<Channels> channels_;
  std::shared_ptr<RedisSession> session_;
};

}  // namespace yxgate::redis
