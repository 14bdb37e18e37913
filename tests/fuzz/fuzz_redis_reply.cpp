// libFuzzer target: RESP bytes -> hiredis' reader -> from_hiredis() and
// describe() (issue 13). Oracle, per reply the reader yields:
//  - the RedisValue matches the redisReply field by field (type, bytes,
//    integer, element count, recursively);
//  - re-encoded as RESP and read again, it converts to the same value;
//  - describe() is one printable ASCII line (it goes into logs);
//  - a ["message", channel, payload] push whose payload parses as an
//    invalidation re-renders to the same payload.
#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cache/invalidation_message.hpp"
#include "redis/redis_reply.hpp"

namespace {
using yxgate::redis::RedisValue;

struct ReaderFree {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
struct ReplyFree {
  void operator()(void* r) const { freeReplyObject(r); }
};
using Reader = std::unique_ptr<redisReader, ReaderFree>;
using Reply = std::unique_ptr<void, ReplyFree>;

// hiredis 0.14 callocs an array of the announced size before reading any
// element (Redis is trusted; a fuzzer is not): skip absurd announcements.
bool announces_too_much(std::string_view input) {
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '*') continue;
    std::size_t j = i + 1;
    if (j < input.size() && input[j] == '-') continue;
    std::uint64_t n = 0;
    while (j < input.size() && input[j] >= '0' && input[j] <= '9' && n < input.size()) {
      n = n * 10 + static_cast<std::uint64_t>(input[j++] - '0');
    }
    if (n >= input.size()) return true;
  }
  return false;
}

void expect_same(const redisReply& r, const RedisValue& v) {
  using T = RedisValue::Type;
  const auto bytes = [&] { return std::string_view(r.str, r.len) == v.str; };
  switch (r.type) {
    case REDIS_REPLY_STRING:
      if (v.type != T::kString || !bytes()) __builtin_trap();
      return;
    case REDIS_REPLY_STATUS:
      if (v.type != T::kStatus || !bytes()) __builtin_trap();
      return;
    case REDIS_REPLY_ERROR:
      if (v.type != T::kError || !bytes()) __builtin_trap();
      return;
    case REDIS_REPLY_INTEGER:
      if (v.type != T::kInteger || v.integer != r.integer) __builtin_trap();
      return;
    case REDIS_REPLY_NIL:
      if (v.type != T::kNil) __builtin_trap();
      return;
    case REDIS_REPLY_ARRAY:
      if (v.type != T::kArray || v.elements.size() != r.elements) __builtin_trap();
      for (std::size_t i = 0; i < r.elements; ++i) expect_same(*r.element[i], v.elements[i]);
      return;
    default:
      __builtin_trap();  // hiredis 0.14 has no other type
  }
}

void encode(std::string& out, const RedisValue& v) {
  using T = RedisValue::Type;
  switch (v.type) {
    case T::kNil:
      out += "$-1\r\n";
      break;
    case T::kString:
      out += "$" + std::to_string(v.str.size()) + "\r\n" + v.str + "\r\n";
      break;
    case T::kStatus:
      out += "+" + v.str + "\r\n";
      break;
    case T::kError:
      out += "-" + v.str + "\r\n";
      break;
    case T::kInteger:
      out += ":" + std::to_string(v.integer) + "\r\n";
      break;
    case T::kArray:
      out += "*" + std::to_string(v.elements.size()) + "\r\n";
      for (const auto& e : v.elements) encode(out, e);
      break;
  }
}

bool same(const RedisValue& a, const RedisValue& b) {
  if (a.type != b.type || a.str != b.str || a.integer != b.integer) return false;
  if (a.elements.size() != b.elements.size()) return false;
  for (std::size_t i = 0; i < a.elements.size(); ++i) {
    if (!same(a.elements[i], b.elements[i])) return false;
  }
  return true;
}

void round_trip(const RedisValue& value) {
  std::string bytes;
  encode(bytes, value);
  Reader reader(redisReaderCreate());
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK) __builtin_trap();
  void* raw = nullptr;
  if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK || raw == nullptr) __builtin_trap();
  Reply reply(raw);
  if (!same(yxgate::redis::from_hiredis(*static_cast<redisReply*>(raw)), value)) __builtin_trap();
}

void check_describe(const RedisValue& value) {
  for (const unsigned char c : yxgate::redis::describe(value)) {
    if (c < 0x20 || c >= 0x7f) __builtin_trap();
  }
}

void check_push(const RedisValue& value) {
  if (!value.is_array() || value.elements.size() != 3) return;
  const auto& e = value.elements;
  if (!e[0].is_string() || e[0].str != "message" || !e[2].is_string()) return;
  const auto parsed = yxgate::cache::parse_invalidation(e[2].str);
  if (parsed && yxgate::cache::render_invalidation(parsed->nonce, parsed->app, parsed->kind,
                                                   parsed->subject) != e[2].str) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (announces_too_much(input)) return 0;
  Reader reader(redisReaderCreate());
  if (redisReaderFeed(reader.get(), input.data(), input.size()) != REDIS_OK) return 0;
  for (int replies = 0; replies < 64; ++replies) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK || raw == nullptr) break;
    Reply reply(raw);
    const auto& r = *static_cast<const redisReply*>(raw);
    const RedisValue value = yxgate::redis::from_hiredis(r);
    expect_same(r, value);
    round_trip(value);
    check_describe(value);
    check_push(value);
  }
  return 0;
}
