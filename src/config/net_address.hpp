#pragma once
// Address syntaxes of the config (SPEC §7): listen addresses, upstream URLs,
// the Redis URL. Parsed here once so the listener, the upstream client and the
// Redis client never split strings themselves.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace yxgate::config {

struct HostPort {
  std::string host;  // IPv6 without brackets
  std::uint16_t port = 0;
};

// "127.0.0.1:8080", "localhost:80", "[::1]:8080"; port 1..65535.
// `allow_port_zero`: listen addresses may ask the kernel for a free port.
Result<HostPort> parse_host_port(std::string_view text, bool allow_port_zero = false);

// 127.0.0.0/8, ::1, localhost.
bool is_loopback_host(std::string_view host);

struct HttpUrl {
  bool tls = true;
  std::string host;
  std::uint16_t port = 0;  // 80 / 443 when the URL omits it
};

// "http(s)://host[:port]" with no path (a single trailing "/" is tolerated).
Result<HttpUrl> parse_http_url(std::string_view text);

struct RedisUrl {
  std::string host;
  std::uint16_t port = 0;
  std::string username;  // ACL user (empty: the default user)
  std::string password;  // empty = no AUTH
  int db = 0;
  bool tls = false;  // rediss://
};

// "redis[s]://[[user]:password@]host:port[/db]".
Result<RedisUrl> parse_redis_url(std::string_view text);

// The URL with any userinfo replaced by ":***" (for /config and logs).
std::string redact_url_password(std::string_view url);

}  // namespace yxgate::config
