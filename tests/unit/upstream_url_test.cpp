#include "config/upstream_url.hpp"

#include <gtest/gtest.h>

namespace yxgate::config {
namespace {

TEST(UpstreamUrl, DefaultPortsAreLeftOutOfTheHostHeader) {
  auto https = parse_upstream_url("https://open.yunxinapi.com");
  ASSERT_TRUE(https.ok());
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->port, "443");
  EXPECT_EQ(https->host_header, "open.yunxinapi.com");
  auto http = parse_upstream_url("http://127.0.0.1:18090/");
  ASSERT_TRUE(http.ok());
  EXPECT_FALSE(http->tls);
  EXPECT_EQ(http->host_header, "127.0.0.1:18090");
}

TEST(UpstreamUrl, Ipv6HostIsBracketedInTheHostHeader) {
  auto url = parse_upstream_url("http://[::1]:9000");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->host_header, "[::1]:9000");
}

TEST(UpstreamUrl, RejectsPathsAndOtherSchemes) {
  EXPECT_FALSE(parse_upstream_url("ftp://x").ok());
  EXPECT_FALSE(parse_upstream_url("http://x/im/v2").ok());
}

}  // namespace
}  // namespace yxgate::config
