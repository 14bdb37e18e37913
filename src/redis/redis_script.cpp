#include "redis/redis_script.hpp"

#include <openssl/evp.h>

#include "redis/redis_connection.hpp"

namespace yxgate::redis {
namespace {

// Redis names scripts by the SHA1 of their text; computing it here saves a
// SCRIPT LOAD round trip.
std::string sha1_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

std::vector<std::string> eval_args(const std::string& command, const std::string& script,
                                   const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(3 + keys.size() + args.size());
  out.push_back(command);
  out.push_back(script);
  out.push_back(std::to_string(keys.size()));
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace

using Clock = std::chrono::steady_clock;

RedisScript::RedisScript(std::string source)
    : source_(std::move(source)), sha1_(sha1_hex(source_)) {}

boost::asio::awaitable<RedisReply> RedisScript::run(
    RedisConnection& connection, std::vector<std::string> keys, std::vector<std::string> args,
    std::optional<Clock::time_point> deadline) const {
  auto reply = co_await connection.command(eval_args("EVALSHA", sha1_, keys, args), deadline);
  if (reply.is_error() && reply->str.starts_with("NOSCRIPT")) {
    reply = co_await connection.command(eval_args("EVAL", source_, keys, args), deadline);
  }
  co_return reply;
}

bool RedisScript::send_unanswered(RedisConnection& connection, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args) const {
  return connection.send_unanswered(eval_args("EVAL", source_, keys, args));
}

}  // namespace yxgate::redis
