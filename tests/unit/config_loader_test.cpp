#include "config/config_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace yxgate::config {
namespace {

using std::chrono::milliseconds;

const std::filesystem::path kTestdata =
    std::filesystem::path(YXGATE_SOURCE_DIR) / "tests" / "unit" / "testdata";

Config parse_ok(std::string_view yaml) {
  auto cfg = parse_config(yaml);
  EXPECT_TRUE(cfg.ok()) << cfg.error().message;
  return cfg.ok() ? std::move(cfg).value() : Config{};
}

TEST(ConfigLoader, EmptyTextGivesAllSpecDefaults) {
  const Config c = parse_ok("");
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.server.admin_listen, "0.0.0.0:9901");
  EXPECT_EQ(c.server.threads, 0);
  EXPECT_EQ(c.server.max_body_bytes, 1048576u);
  EXPECT_EQ(c.server.idle_timeout, milliseconds(60'000));
  EXPECT_FALSE(c.server.allow_unauthenticated);
  EXPECT_EQ(c.upstream.base_url, "https://open.yunxinapi.com");
  EXPECT_TRUE(c.upstream.backup_url.empty());
  ASSERT_EQ(c.apps.size(), 1u);
  EXPECT_EQ(c.apps[0].name, "default");
  EXPECT_EQ(c.apps[0].app_key_env, "YX_APP_KEY");
  EXPECT_EQ(c.apps[0].app_secret_env, "YX_APP_SECRET");
  EXPECT_EQ(c.apps[0].rate_limits.get_message.rate, 100);
  EXPECT_EQ(c.cache.ttl, milliseconds(3'600'000));
  EXPECT_EQ(c.cache.local_max_bytes, 64u << 20);
  EXPECT_FALSE(c.cache.redis.has_value());  // in-process cache alone is the embedded default
  EXPECT_EQ(c.coalesce.window, milliseconds(2));
  EXPECT_EQ(c.log.format, "json");
  EXPECT_TRUE(c.clients.empty());
}

TEST(ConfigLoader, CommentsOnlyAndEmptySectionsKeepDefaults) {
  const Config c = parse_ok("# nothing\nserver:\nlog: {}\n");
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.log.level, "info");
}

TEST(ConfigLoader, SpecExampleFileParsesToItsValues) {
  auto loaded = load_config_file((kTestdata / "spec_example.yaml").string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Config& c = *loaded;
  EXPECT_EQ(c.server.request_timeout, milliseconds(10'000));
  EXPECT_EQ(c.server.drain_timeout, milliseconds(15'000));
  EXPECT_EQ(c.server.max_connections, 10000u);
  EXPECT_EQ(c.server.max_inflight, 4096u);
  EXPECT_EQ(c.server.admin_max_connections, 64u);
  EXPECT_EQ(c.upstream.backup_url, "https://open-bak.yunxinapi.com");
  EXPECT_EQ(c.upstream.connect_timeout, milliseconds(1'000));
  EXPECT_EQ(c.upstream.timeout, milliseconds(4'000));
  EXPECT_EQ(c.upstream.max_connections, 64u);
  EXPECT_TRUE(c.upstream.tls_verify);
  ASSERT_EQ(c.apps.size(), 1u);
  const auto& rl = c.apps[0].rate_limits;
  EXPECT_EQ(rl.scope, "local");
  EXPECT_EQ(rl.max_wait, milliseconds(50));
  EXPECT_EQ(rl.default_.rate, 50);
  EXPECT_EQ(rl.default_.burst, 100);
  EXPECT_EQ(rl.batch_messages.rate, 20);
  EXPECT_EQ(rl.batch_messages.burst, 40);
  EXPECT_EQ(rl.conversations.burst, 50);
  EXPECT_EQ(c.cache.negative_ttl, milliseconds(5'000));
  EXPECT_EQ(c.cache.local_max_bytes, 64u * 1024 * 1024);
  ASSERT_TRUE(c.cache.redis.has_value());
  EXPECT_EQ(c.cache.redis->url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(c.cache.redis->key_prefix, "yxgate:");
  EXPECT_EQ(c.cache.redis->timeout, milliseconds(50));
  EXPECT_EQ(c.cache.redis->mode, "standalone");
  EXPECT_TRUE(c.cache.redis->nodes.empty());
  EXPECT_TRUE(c.cache.redis->tls.verify);
  EXPECT_EQ(c.coalesce.max_batch, 100);
  EXPECT_EQ(c.coalesce.time_index_entries, 1'000'000u);
  EXPECT_EQ(c.coalesce.max_hold, milliseconds(20));
  EXPECT_EQ(c.idempotency.window, milliseconds(60'000));
  EXPECT_EQ(c.coalesce.batch_path, "/im/v2/conversations/{conversation_id}/batch_messages");
  EXPECT_TRUE(c.log.access_log);
}

TEST(ConfigLoader, OverridesEveryKind) {
  const Config c = parse_ok(R"(
server: {listen: "[::1]:18080", threads: 4, max_body_bytes: 2KiB, allow_unauthenticated: true}
upstream: {base_url: "http://127.0.0.1:9000/", tls_verify: false, timeout: 1.5s}
apps:
  - name: main
    app_key: abc
    app_secret_file: /run/secret
    rate_limits:
      scope: global
      expected_replicas: 3
      get_message: {rate: 2.5}
  - name: other
    app_key_env: OTHER_KEY
    app_secret_env: OTHER_SECRET
cache: {ttl: 10m, negative_ttl: 0, local: {max_bytes: 0}, redis: {url: "redis://:pw@redis:6379"}}
coalesce: {window: 5ms, max_batch: 50, batch_path: "/im/v2.1/conversations/{conversation_id}/batch_messages"}
log: {level: debug, format: text, access_log: false}
clients:
  - name: billing
    token_sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08
    allow: ["GET /im/v2/conversations/*/messages/*", "* /im/v2/**"]
)");
  EXPECT_EQ(c.server.listen, "[::1]:18080");
  EXPECT_EQ(c.server.threads, 4);
  EXPECT_EQ(c.server.max_body_bytes, 2048u);
  EXPECT_EQ(c.upstream.base_url, "http://127.0.0.1:9000/");
  EXPECT_FALSE(c.upstream.tls_verify);
  EXPECT_EQ(c.upstream.timeout, milliseconds(1500));
  ASSERT_EQ(c.apps.size(), 2u);
  EXPECT_EQ(c.apps[0].app_key, "abc");
  EXPECT_TRUE(c.apps[0].app_key_env.empty());  // a listed app does not inherit YX_APP_KEY
  EXPECT_EQ(c.apps[0].app_secret_file, "/run/secret");
  EXPECT_TRUE(c.apps[0].app_secret_env.empty());
  EXPECT_EQ(c.apps[0].rate_limits.scope, "global");
  EXPECT_EQ(c.apps[0].rate_limits.expected_replicas, 3);
  EXPECT_EQ(c.apps[0].rate_limits.get_message.rate, 2.5);
  EXPECT_EQ(c.apps[0].rate_limits.get_message.burst, 3);     // ceil(rate) when omitted
  EXPECT_EQ(c.apps[0].rate_limits.batch_messages.rate, 20);  // untouched classes keep defaults
  EXPECT_EQ(c.apps[1].app_key_env, "OTHER_KEY");
  EXPECT_EQ(c.cache.ttl, milliseconds(600'000));
  EXPECT_EQ(c.cache.negative_ttl, milliseconds(0));
  EXPECT_EQ(c.cache.local_max_bytes, 0u);
  ASSERT_TRUE(c.cache.redis.has_value());
  EXPECT_EQ(c.cache.redis->key_prefix, "yxgate:");
  EXPECT_EQ(c.coalesce.window, milliseconds(5));
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_FALSE(c.log.access_log);
  ASSERT_EQ(c.clients.size(), 1u);
  EXPECT_EQ(c.clients[0].token_sha256,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  EXPECT_EQ(c.clients[0].allow.size(), 2u);
}

TEST(ConfigLoader, NonLoopbackListenAcceptedWithClientsOrExplicitOptOut) {
  parse_ok("server: {listen: 0.0.0.0:8080, allow_unauthenticated: true}\n");
  parse_ok(R"(
server: {listen: 0.0.0.0:8080}
clients:
  - {name: a, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, allow: ["GET /im/v2/**"]}
)");
}

TEST(ConfigLoader, NullRedisSectionMeansNoRedis) {
  EXPECT_FALSE(parse_ok("cache:\n  redis:\n").cache.redis.has_value());
}

TEST(ConfigLoader, UnreadableFileErrorNamesThePath) {
  auto missing = load_config_file("/nonexistent/yxgate.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/yxgate.yaml"), std::string::npos);
  auto dir = load_config_file(kTestdata.string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find(kTestdata.string()), std::string::npos);
}

TEST(ConfigLoader, FileErrorsArePrefixedWithThePath) {
  const auto path = std::filesystem::temp_directory_path() / "yxgate_config_loader_test.yaml";
  { std::ofstream(path) << "server:\n  threads: many\n"; }
  auto cfg = load_config_file(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error().message,
            path.string() + ": server.threads: expected an integer (got \"many\")");
}

}  // namespace
}  // namespace yxgate::config

namespace yxgate::config {
namespace {

TEST(ConfigLoader, ListenPortZeroAsksForAFreePort) {
  auto config = parse_config("server: {listen: \"127.0.0.1:0\", admin_listen: \"127.0.0.1:0\"}\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.listen, "127.0.0.1:0");
}

}  // namespace
}  // namespace yxgate::config
