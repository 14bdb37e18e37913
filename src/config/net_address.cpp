#include "config/net_address.hpp"

#include <algorithm>
#include <charconv>

namespace yxgate::config {
namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool valid_ipv6_text(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != ':' && c != '.') return false;
  }
  return s.find(':') != std::string_view::npos;
}

template <class Int>
bool parse_uint(std::string_view s, Int& out) {
  if (s.empty() || s.size() > 9) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size();
}

}  // namespace

Result<HostPort> parse_host_port(std::string_view text, bool allow_port_zero) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return make_error("expected host:port (got " + quoted(text) + ")");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (!valid_ipv6_text(host)) return make_error("invalid IPv6 address in " + quoted(text));
  } else if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) {
    // Also catches an unbracketed IPv6 address, whose port would be ambiguous.
    return make_error("expected host:port (got " + quoted(text) + ")");
  }
  unsigned port = 0;
  const unsigned min_port = allow_port_zero ? 0 : 1;
  if (!parse_uint(port_text, port) || port < min_port || port > 65535) {
    return make_error("expected host:port with port " + std::to_string(min_port) + "..65535 (got " +
                      quoted(text) + ")");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Result<HttpUrl> parse_http_url(std::string_view text) {
  HttpUrl url;
  std::string_view rest;
  if (text.starts_with("https://")) {
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    url.tls = false;
    rest = text.substr(7);
  } else {
    return make_error("expected http(s)://host[:port] (got " + quoted(text) + ")");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return make_error("expected http(s)://host[:port] with no path, query or userinfo (got " +
                      quoted(text) + ")");
  }
  const bool has_port = rest.find(':') != std::string_view::npos &&
                        (rest.front() != '[' || rest.find("]:") != std::string_view::npos);
  if (has_port) {
    auto hp = parse_host_port(rest);
    if (!hp) return make_error("expected http(s)://host[:port] (got " + quoted(text) + ")");
    url.host = std::move(hp->host);
    url.port = hp->port;
    return url;
  }
  std::string_view host = rest;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (!valid_ipv6_text(host)) return make_error("invalid IPv6 address in " + quoted(text));
  } else if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) {
    return make_error("expected http(s)://host[:port] (got " + quoted(text) + ")");
  }
  url.host = std::string(host);
  url.port = url.tls ? 443 : 80;
  return url;
}

Result<RedisUrl> parse_redis_url(std::string_view text) {
  // The message never echoes the URL: it may hold a password.
  const Error bad{"expected redis[s]://[[user]:password@]host:port[/db]"};
  RedisUrl url;
  std::string_view rest;
  if (text.starts_with("rediss://")) {
    url.tls = true;
    rest = text.substr(9);
  } else if (text.starts_with("redis://")) {
    rest = text.substr(8);
  } else {
    return bad;
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos || colon + 1 == userinfo.size()) return bad;
    url.username = std::string(userinfo.substr(0, colon));
    url.password = std::string(userinfo.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  std::string_view db_text;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    db_text = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db_text.empty() && !parse_uint(db_text, url.db)) return bad;
  }
  auto hp = parse_host_port(rest);
  if (!hp) return bad;
  url.host = std::move(hp->host);
  url.port = hp->port;
  return url;
}

std::string redact_url_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < scheme_end) return std::string(url);
  // An ACL user name goes too: it is half of the credential.
  const bool has_user = url[scheme_end + 3] != ':';
  return std::string(url.substr(0, scheme_end + 3)) + (has_user ? "***:***" : ":***") +
         std::string(url.substr(at));
}

}  // namespace yxgate::config
