#include "redis/redis_connection.hpp"

#include "redis/redis_cluster.hpp"
#include "redis/redis_session.hpp"

namespace yxgate::redis {

RedisConnection::RedisConnection(boost::asio::any_io_executor executor, RedisOptions options) {
  if (!options.cluster_seeds.empty()) {
    cluster_ = std::make_shared<RedisCluster>(std::move(executor), std::move(options));
    cluster_->start();
    return;
  }
  session_ = std::make_shared<RedisSession>(std::move(executor), std::move(options),
                                            RedisSession::Hooks{}, "connection");
  session_->start();
}

RedisConnection::~RedisConnection() {
  if (cluster_) {
    cluster_->stop();
  } else {
    session_->stop();
  }
}

boost::asio::awaitable<RedisReply> RedisConnection::command(
    std::vector<std::string> args, std::optional<std::chrono::steady_clock::time_point> deadline) {
  // Not a coroutine itself: hands out the session's, saving a frame per command.
  if (cluster_) return cluster_->command(std::move(args), deadline);
  return session_->command(std::move(args), deadline);
}

boost::asio::awaitable<std::vector<RedisReply>> RedisConnection::pipeline(
    std::vector<std::vector<std::string>> commands,
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (cluster_) return cluster_->pipeline(std::move(commands), deadline);
  return session_->pipeline(std::move(commands), deadline);
}

bool RedisConnection::reconnect_now() {
  return cluster_ ? cluster_->reconnect_now() : session_->reconnect_now();
}

bool RedisConnection::send_unanswered(const std::vector<std::string>& args) {
  return cluster_ ? cluster_->send_unanswered(args) : session_->send_unanswered(args);
}

bool RedisConnection::up() const { return cluster_ ? cluster_->up() : session_->up(); }

boost::asio::awaitable<bool> RedisConnection::wait_until(bool want,
                                                         std::chrono::milliseconds timeout) {
  if (cluster_) return cluster_->wait_until(want, timeout);
  return session_->wait_until(want, timeout);
}

}  // namespace yxgate::redis
