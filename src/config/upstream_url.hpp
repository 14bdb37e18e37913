#pragma once
// Parsed `upstream.base_url` / `backup_url`: scheme, host and port only.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace yxgate::config {

struct UpstreamUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string host_header;  // host, plus :port when not the scheme default

  std::string to_string() const;
};

// Accepts http(s)://host[:port] with an optional trailing "/" (config rules).
Result<UpstreamUrl> parse_upstream_url(std::string_view url);

}  // namespace yxgate::config
