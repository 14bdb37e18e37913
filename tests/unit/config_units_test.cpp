#include <gtest/gtest.h>

#include "config/net_address.hpp"
#include "config/units.hpp"

namespace yxgate::config {
namespace {

using std::chrono::milliseconds;

TEST(ConfigUnits, DurationsInEveryUnit) {
  EXPECT_EQ(parse_duration("50ms"), milliseconds(50));
  EXPECT_EQ(parse_duration("15s"), milliseconds(15'000));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
}

TEST(ConfigUnits, MalformedDurationsRejected) {
  for (const char* bad :
       {"", "5", "5x", "ms", "-1s", "1 s", "1e3ms", "0.5ms", "1.2.3s", "5S", "1d"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(ConfigUnits, Sizes) {
  EXPECT_EQ(parse_size("1048576"), 1048576u);
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("64KiB"), 64u * 1024);
  EXPECT_EQ(parse_size("64MiB"), 64u * 1024 * 1024);
  EXPECT_EQ(parse_size("2GiB"), 2ull * 1024 * 1024 * 1024);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  for (const char* bad : {"", "64MB", "64 MiB", "-1", "1.5", "KiB", "64kib"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
  }
}

TEST(ConfigUnits, FormatDurationPicksLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(50)), "50ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(15'000)), "15s");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(120'000)), "2m");
  EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
  // Round trip.
  for (int ms : {1, 2, 999, 1000, 61'000, 7'200'000}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms));
  }
}

TEST(ConfigNetAddress, HostPort) {
  auto v4 = parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto v6 = parse_host_port("[::1]:9901");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(is_loopback_host(v6->host));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("::"));
  for (const char* bad :
       {"", "host", ":80", "host:", "host:0", "host:65536", "host:80x", "::1:80", "[zz]:80"}) {
    EXPECT_FALSE(parse_host_port(bad).ok()) << bad;
  }
}

TEST(ConfigNetAddress, HttpUrl) {
  auto u = parse_http_url("https://open.yunxinapi.com");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "open.yunxinapi.com");
  EXPECT_EQ(u->port, 443);
  auto p = parse_http_url("http://127.0.0.1:9000/");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->tls);
  EXPECT_EQ(p->port, 9000);
  auto v6 = parse_http_url("http://[::1]");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 80);
  for (const char* bad : {"open.yunxinapi.com", "https://", "https://h/path", "https://h?q",
                          "https://u@h", "https://h:0", "ftp://h"}) {
    EXPECT_FALSE(parse_http_url(bad).ok()) << bad;
  }
}

TEST(ConfigNetAddress, RedisUrl) {
  auto plain = parse_redis_url("redis://127.0.0.1:6379/0");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_TRUE(plain->password.empty());
  auto auth = parse_redis_url("redis://:s3cr@t@redis.svc:6380/2");
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->password, "s3cr@t");
  EXPECT_EQ(auth->host, "redis.svc");
  EXPECT_EQ(auth->db, 2);
  EXPECT_TRUE(parse_redis_url("redis://h:1").ok());
  auto acl = parse_redis_url("redis://svc-user:pw@h:1");  // SPEC §11.6: ACL users
  ASSERT_TRUE(acl.ok());
  EXPECT_EQ(acl->username, "svc-user");
  EXPECT_EQ(acl->password, "pw");
  auto tls = parse_redis_url("rediss://svc-user:pw@redis.svc:6380/1");  // SPEC §7: TLS
  ASSERT_TRUE(tls.ok());
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->host, "redis.svc");
  EXPECT_EQ(tls->port, 6380);
  EXPECT_EQ(tls->username, "svc-user");
  EXPECT_FALSE(parse_redis_url("redis://h:1")->tls);
  for (const char* bad : {"redis://h", "rediss://h", "redis:/h:1", "redis://u@h:1", "redis://:@h:1",
                          "redis://u:@h:1", "redis://h:1/x"}) {
    EXPECT_FALSE(parse_redis_url(bad).ok()) << bad;
  }
  EXPECT_EQ(redact_url_password("redis://:s3cr@t@redis.svc:6380/2"),
            "redis://:***@redis.svc:6380/2");
  EXPECT_EQ(redact_url_password("redis://svc-user:pw@h:1"), "redis://***:***@h:1");
  EXPECT_EQ(redact_url_password("redis://127.0.0.1:6379/0"), "redis://127.0.0.1:6379/0");
}

}  // namespace
}  // namespace yxgate::config
