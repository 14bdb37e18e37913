#include "config/upstream_url.hpp"

#include "config/net_address.hpp"

namespace yxgate::config {

std::string UpstreamUrl::to_string() const {
  return std::string(tls ? "https://" : "http://") + host_header;
}

Result<UpstreamUrl> parse_upstream_url(std::string_view url) {
  auto parsed = config::parse_http_url(url);
  if (!parsed) return parsed.error();
  UpstreamUrl out;
  out.tls = parsed->tls;
  out.host = parsed->host;
  out.port = std::to_string(parsed->port);
  const bool ipv6 = out.host.find(':') != std::string::npos;
  out.host_header = ipv6 ? "[" + out.host + "]" : out.host;
  const bool default_port = parsed->port == (out.tls ? 443 : 80);
  if (!default_port) out.host_header += ":" + out.port;
  return out;
}

}  // namespace yxgate::config
