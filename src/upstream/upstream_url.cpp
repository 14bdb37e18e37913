#include "upstream/upstream_url.hpp"

#include <charconv>

namespace yxgate::upstream {

std::string UpstreamUrl::to_string() const {
  return std::string(tls ? "https://" : "http://") + host + ":" + port;
}

Result<UpstreamUrl> parse_upstream_url(std::string_view url) {
  UpstreamUrl out;
  if (url.starts_with("https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return make_error("must start with http:// or https://");
  }
  if (url.ends_with('/')) url.remove_suffix(1);
  if (url.empty() || url.find('/') != std::string_view::npos) {
    return make_error("must be scheme://host[:port] without a path");
  }
  std::string_view host = url;
  std::string_view port = out.tls ? "443" : "80";
  bool explicit_port = false;
  if (url.front() == '[') {  // IPv6 literal
    const auto close = url.find(']');
    if (close == std::string_view::npos) return make_error("bad IPv6 literal");
    host = url.substr(1, close - 1);
    if (close + 1 < url.size()) {
      if (url[close + 1] != ':') return make_error("bad port");
      port = url.substr(close + 2);
      explicit_port = true;
    }
  } else if (const auto colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
    explicit_port = true;
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 ||
      value > 65535) {
    return make_error("bad host or port");
  }
  out.host = std::string(host);
  out.port = std::string(port);
  const bool default_port = (out.tls && value == 443) || (!out.tls && value == 80);
  out.host_header = std::string(url.front() == '[' ? url.substr(0, url.find(']') + 1) : host);
  if (explicit_port && !default_port) out.host_header += ":" + out.port;
  return out;
}

}  // namespace yxgate::upstream
