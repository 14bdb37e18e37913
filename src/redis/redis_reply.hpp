#pragma once
// What a Redis command completes with: a reply from the server (which may be
// an error reply such as WRONGTYPE or NOSCRIPT) or a client-side failure that
// means "no answer" (timeout, lost or absent connection). Pure value types:
// no hiredis, no Asio.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct redisReply;  // hiredis

namespace yxgate::redis {

// RESP2 reply, converted from hiredis' redisReply (which dies with its callback).
struct RedisValue {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };

  Type type = Type::kNil;
  std::string str;                   // kString (binary-safe), kStatus ("OK"), kError (message)
  std::int64_t integer = 0;          // kInteger
  std::vector<RedisValue> elements;  // kArray (nested)

  bool is_nil() const { return type == Type::kNil; }
  bool is_string() const { return type == Type::kString; }
  bool is_integer() const { return type == Type::kInteger; }
  bool is_array() const { return type == Type::kArray; }
  bool is_status() const { return type == Type::kStatus; }
  bool is_error() const { return type == Type::kError; }

  static RedisValue nil() { return {}; }
  static RedisValue string(std::string s) { return {Type::kString, std::move(s), 0, {}}; }
  static RedisValue status(std::string s) { return {Type::kStatus, std::move(s), 0, {}}; }
  static RedisValue error(std::string s) { return {Type::kError, std::move(s), 0, {}}; }
  static RedisValue integer_value(std::int64_t v) { return {Type::kInteger, {}, v, {}}; }
  static RedisValue array(std::vector<RedisValue> v) { return {Type::kArray, {}, 0, std::move(v)}; }
};

// Why a command got no reply. Each but kOutOfTime is counted in
// yxgate_redis_errors_total.
enum class RedisFailure {
  kTimeout,       // no reply within cache.redis.timeout; a late reply is dropped
  kDisconnected,  // the connection was lost (or closed) while the command waited
  kNotConnected,  // no usable connection right now: failed at once, nothing sent
  // The caller's deadline came first (its share of cache.redis.timeout, SPEC
  // §11.3, was spent elsewhere): not a sign that Redis is slow, so it marks
  // nothing suspect and is not counted as a Redis error.
  kOutOfTime,
};

std::string_view to_string(RedisFailure failure);

// Deep copy of a hiredis reply (RESP2: hiredis 0.14 knows no other types).
RedisValue from_hiredis(const redisReply& reply);

class RedisReply {
 public:
  RedisReply(RedisValue value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  RedisReply(RedisFailure failure) : v_(failure) {}       // NOLINT

  // True when the server answered (possibly with an error reply).
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const RedisValue& value() const& { return std::get<0>(v_); }
  RedisValue&& value() && { return std::get<0>(std::move(v_)); }
  const RedisValue* operator->() const { return &value(); }
  RedisFailure failure() const { return std::get<1>(v_); }

  // Shorthands: answered, and with that type.
  bool is_error() const { return ok() && value().is_error(); }
  bool is_nil() const { return ok() && value().is_nil(); }

 private:
  std::variant<RedisValue, RedisFailure> v_;
};

// For logs and test messages: `"bar"`, `(integer) 1`, `(error) ERR ...`,
// `[...]`, `<timeout>`. Binary bytes are escaped; long strings truncated.
std::string describe(const RedisReply& reply);

}  // namespace yxgate::redis
