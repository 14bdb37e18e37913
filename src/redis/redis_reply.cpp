#include "redis/redis_reply.hpp"

#include <hiredis/hiredis.h>

#include <cstdio>

namespace yxgate::redis {
namespace {

constexpr std::size_t kDescribeMaxBytes = 200;

void append_escaped(std::string& out, std::string_view s) {
  const auto shown = s.substr(0, kDescribeMaxBytes);
  for (const unsigned char c : shown) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (shown.size() < s.size()) out += "...";
}

void describe_value(std::string& out, const RedisValue& v) {
  switch (v.type) {
    case RedisValue::Type::kNil:
      out += "(nil)";
      break;
    case RedisValue::Type::kString:
      out += '"';
      append_escaped(out, v.str);
      out += '"';
      break;
    case RedisValue::Type::kInteger:
      out += "(integer) " + std::to_string(v.integer);
      break;
    case RedisValue::Type::kStatus:
      append_escaped(out, v.str);
      break;
    case RedisValue::Type::kError:
      out += "(error) ";
      append_escaped(out, v.str);
      break;
    case RedisValue::Type::kArray:
      out += '[';
      for (std::size_t i = 0; i < v.elements.size(); ++i) {
        if (i > 0) out += ", ";
        describe_value(out, v.elements[i]);
      }
      out += ']';
      break;
  }
}

}  // namespace

std::string_view to_string(RedisFailure failure) {
  switch (failure) {
    case RedisFailure::kTimeout:
      return "timeout";
    case RedisFailure::kDisconnected:
      return "disconnected";
    case RedisFailure::kNotConnected:
      return "not_connected";
    case RedisFailure::kOutOfTime:
      return "out_of_time";
  }
  return "unknown";
}

RedisValue from_hiredis(const redisReply& r) {
  switch (r.type) {
    case REDIS_REPLY_STRING:
      return RedisValue::string(std::string(r.str, r.len));
    case REDIS_REPLY_STATUS:
      return RedisValue::status(std::string(r.str, r.len));
    case REDIS_REPLY_ERROR:
      return RedisValue::error(std::string(r.str, r.len));
    case REDIS_REPLY_INTEGER:
      return RedisValue::integer_value(r.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<RedisValue> elements;
      elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) elements.push_back(from_hiredis(*r.element[i]));
      return RedisValue::array(std::move(elements));
    }
    default:
      return RedisValue::nil();
  }
}

std::string describe(const RedisReply& reply) {
  if (!reply.ok()) return "<" + std::string(to_string(reply.failure())) + ">";
  std::string out;
  describe_value(out, reply.value());
  return out;
}

}  // namespace yxgate::redis
