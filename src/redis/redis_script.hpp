#pragma once
// A Lua script run by EVALSHA, falling back to EVAL when Redis answers
// NOSCRIPT (after a restart, a failover or SCRIPT FLUSH). EVAL also caches
// the script, so the next EVALSHA hits again. Used for the atomic GCRA
// rate limit (SPEC §4) and conditional cache writes (SPEC §3.3).
//
// Immutable after construction: one instance may be shared by all workers.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_reply.hpp"

namespace yxgate::redis {

class RedisConnection;

class RedisScript {
 public:
  explicit RedisScript(std::string source);

  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }  // 40 lowercase hex digits

  // EVALSHA sha numkeys keys... args...; on NOSCRIPT, EVAL with the source.
  // The script's own errors come back as error replies.
  // `deadline`: as RedisConnection::command's.
  boost::asio::awaitable<RedisReply> run(
      RedisConnection& connection, std::vector<std::string> keys, std::vector<std::string> args,
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) const;
  // EVAL with the source (a restarted Redis knows no sha), waiting for
  // nothing: RedisConnection::send_unanswered.
  bool send_unanswered(RedisConnection& connection, const std::vector<std::string>& keys,
                       const std::vector<std::string>& args) const;

 private:
  std::string source_;
  std::string sha1_;
};

}  // namespace yxgate::redis
