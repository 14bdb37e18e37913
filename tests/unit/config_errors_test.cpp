// Every rejected config gives one line that names the key path and what is wrong.
#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "config/config_validate.hpp"

namespace yxgate::config {
namespace {

struct ErrorCase {
  const char* name;
  const char* yaml;
  const char* expected;  // substring of the error message, starting with the key path
};

constexpr const char* kToken = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::string app(const std::string& body) {
  return "apps:\n  - name: a\n    app_key_env: K\n    app_secret_env: S\n" + body;
}
std::string client(const std::string& fields) { return "clients:\n  - {" + fields + "}\n"; }

// Built at run time where a case needs string assembly.
std::vector<std::pair<std::string, std::string>> dynamic_cases() {
  const std::string tok = std::string("token_sha256: ") + kToken;
  return {
      {app("    rate_limits: {get_message: {rate: 0}}\n"),
       "apps[0].rate_limits.get_message.rate: must be > 0 (got 0)"},
      {app("    rate_limits: {default: {rate: -1, burst: 5}}\n"),
       "apps[0].rate_limits.default.rate: must be > 0 (got -1)"},
      {app("    rate_limits: {batch_messages: {rate: 5, burst: 0.5}}\n"),
       "apps[0].rate_limits.batch_messages.burst: must be >= 1 (got 0.5)"},
      {app("    rate_limits: {conversations: {rate: fast}}\n"),
       "apps[0].rate_limits.conversations.rate: expected a number (got \"fast\")"},
      {app("    rate_limits: {thread_messages: 5}\n"),
       "apps[0].rate_limits.thread_messages: expected a map (got \"5\")"},
      {app("    rate_limits: {chatroom_messages: {rate: 1, limit: 2}}\n"),
       "apps[0].rate_limits.chatroom_messages.limit: unknown key"},
      {app("    rate_limits: {expected_replicas: 0}\n"),
       "apps[0].rate_limits.expected_replicas: must be >= 1 (got 0)"},
      {app("    rate_limits: {scope: cluster}\n"),
       "apps[0].rate_limits.scope: must be one of local|global (got \"cluster\")"},
      {app("    rate_limits: {max_wait: 5x}\n"),
       "apps[0].rate_limits.max_wait: invalid duration \"5x\" (use ms, s, m, h)"},
      {app("    app_secret: hunter2\n"),
       "apps[0].app_secret: secrets are never read from the YAML; use app_secret_env or "
       "app_secret_file"},
      {app("    app_key: k\n"), "apps[0].app_key: conflicts with app_key_env"},
      {app("    app_secret_file: /f\n"), "apps[0].app_secret_file: conflicts with app_secret_env"},
      {app("  - name: a\n    app_key_env: K\n    app_secret_env: S\n"),
       "apps[1].name: duplicate app name \"a\""},
      {app("  - app_key_env: K\n    app_secret_env: S\n"), "apps[1].name: missing"},
      {client("name: c, token_sha256: abc, allow: [\"GET /x\"]"),
       "clients[0].token_sha256: must be 64 hex characters"},
      {client("name: c, token_sha256: " + std::string(63, 'a') + "g, allow: [\"GET /x\"]"),
       "clients[0].token_sha256: must be 64 hex characters"},
      {client("name: c, " + tok + ", allow: [\"FETCH /im/v2/x\"]"),
       "clients[0].allow[0]: method must be one of GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|*"},
      {client("name: c, " + tok + ", allow: [\"GET\"]"),
       "clients[0].allow[0]: expected \"METHOD /path\""},
      {client("name: c, " + tok + ", allow: [\"GET im/v2\"]"),
       "clients[0].allow[0]: expected \"METHOD /path\""},
      {client("name: c, " + tok + ", allow: []"), "clients[0].allow: must list at least one route"},
      {client("name: c, " + tok + ", allow: \"GET /x\""),
       "clients[0].allow: expected a list (got \"GET /x\")"},
      {client("name: c, " + tok), "clients[0].allow: missing"},
      {client(tok + ", allow: [\"GET /x\"]"), "clients[0].name: missing"},
      {client("name: c, token: secret, allow: [\"GET /x\"]"),
       "clients[0].token: put the token's SHA-256 in token_sha256"},
      {"clients:\n  - {name: c, " + tok + ", allow: [\"GET /x\"]}\n  - {name: c, token_sha256: " +
           std::string(64, 'b') + ", allow: [\"GET /x\"]}\n",
       "clients[1].name: duplicate client name \"c\""},
      {"clients:\n  - {name: c, " + tok + ", allow: [\"GET /x\"]}\n  - {name: d, " + tok +
           ", allow: [\"GET /x\"]}\n",
       "clients[1].token_sha256: same token as another client"},
  };
}

const ErrorCase kCases[] = {
    // Structure and unknown keys, at every level.
    {"UnknownTopLevel", "servre: {}\n", "servre: unknown key"},
    {"UnknownServer", "server: {foo: 1}\n", "server.foo: unknown key"},
    {"UnknownUpstream", "upstream: {retries: 2}\n", "upstream.retries: unknown key"},
    {"UnknownApp", "apps: [{name: a, app_key_env: K, app_secret_env: S, colour: red}]\n",
     "apps[0].colour: unknown key"},
    {"UnknownRateLimits",
     "apps: [{name: a, app_key_env: K, app_secret_env: S, rate_limits: {get_messages: {rate: "
     "1}}}]\n",
     "apps[0].rate_limits.get_messages: unknown key"},
    {"UnknownCache", "cache: {size: 1}\n", "cache.size: unknown key"},
    {"UnknownCacheLocal", "cache: {local: {max_entries: 1}}\n",
     "cache.local.max_entries: unknown key"},
    {"UnknownRedis", "cache: {redis: {password: x}}\n", "cache.redis.password: unknown key"},
    {"UnknownCoalesce", "coalesce: {delay: 1ms}\n", "coalesce.delay: unknown key"},
    {"UnknownLog", "log: {file: /tmp/x}\n", "log.file: unknown key"},
    {"UnknownClient", "clients: [{name: c, extra: 1}]\n", "clients[0].extra: unknown key"},
    {"DuplicateKey", "server:\n  threads: 1\n  threads: 2\n", "server.threads: duplicate key"},
    {"RootNotMap", "- a\n- b\n", "(top level): expected a map (got a list)"},
    {"SectionIsScalar", "server: 8080\n", "server: expected a map (got \"8080\")"},
    {"SectionIsList", "log: [info]\n", "log: expected a map (got a list)"},
    {"AppsNotList", "apps: {name: a}\n", "apps: expected a list (got a map)"},
    {"AppsEmpty", "apps: []\n", "apps: must list at least one app"},
    {"AppIsScalar", "apps: [default]\n", "apps[0]: expected a map (got \"default\")"},
    {"YamlSyntax", "server: {listen: [\n", "YAML syntax error at line"},
    // Wrong scalar types.
    {"ThreadsNotInteger", "server: {threads: many}\n",
     "server.threads: expected an integer (got \"many\")"},
    {"ThreadsFraction", "server: {threads: 1.5}\n",
     "server.threads: expected an integer (got \"1.5\")"},
    {"ThreadsIsMap", "server: {threads: {n: 1}}\n",
     "server.threads: expected an integer (got a map)"},
    {"ThreadsNull", "server: {threads: }\n", "server.threads: expected an integer (got nothing)"},
    {"BoolNotBool", "server: {allow_unauthenticated: maybe}\n",
     "server.allow_unauthenticated: expected true or false (got \"maybe\")"},
    {"TlsVerifyNotBool", "upstream: {tls_verify: 1}\n",
     "upstream.tls_verify: expected true or false"},
    {"AccessLogList", "log: {access_log: [true]}\n",
     "log.access_log: expected true or false (got a list)"},
    {"ListenIsList", "server: {listen: [a, b]}\n", "server.listen: expected a string (got a list)"},
    {"AllowEntryIsMap", "clients: [{name: c, allow: [{GET: /x}]}]\n",
     "clients[0].allow[0]: expected a string (got a map)"},
    // Durations and sizes.
    {"BadDurationUnit", "cache: {ttl: 5x}\n",
     "cache.ttl: invalid duration \"5x\" (use ms, s, m, h)"},
    {"BareNumberDuration", "server: {idle_timeout: 60}\n",
     "server.idle_timeout: invalid duration \"60\""},
    {"NegativeDuration", "upstream: {timeout: -1s}\n",
     "upstream.timeout: invalid duration \"-1s\""},
    {"SubMillisecondDuration", "coalesce: {window: 0.5ms}\n",
     "coalesce.window: invalid duration \"0.5ms\""},
    {"DurationIsMap", "cache: {negative_ttl: {s: 1}}\n",
     "cache.negative_ttl: expected a duration (got a map)"},
    {"BadSizeUnit", "cache: {local: {max_bytes: 64MB}}\n",
     "cache.local.max_bytes: invalid size \"64MB\" (use bytes, KiB, MiB, GiB)"},
    {"NegativeSize", "server: {max_body_bytes: -1}\n",
     "server.max_body_bytes: invalid size \"-1\""},
    // Impossible values.
    {"ThreadsNegative", "server: {threads: -1}\n", "server.threads: must be >= 0 (got -1)"},
    {"MaxBodyZero", "server: {max_body_bytes: 0}\n", "server.max_body_bytes: must be > 0 (got 0)"},
    {"IdleTimeoutZero", "server: {idle_timeout: 0}\n", "server.idle_timeout: must be > 0 (got 0s)"},
    {"RequestTimeoutZero", "server: {request_timeout: 0ms}\n",
     "server.request_timeout: must be > 0"},
    {"MaxConnectionsZero", "server: {max_connections: 0}\n",
     "server.max_connections: must be >= 1 (got 0)"},
    {"MaxConnectionsNegative", "server: {max_connections: -5}\n",
     "server.max_connections: must be >= 0 (got -5)"},
    {"MaxInflightZero", "server: {max_inflight: 0}\n", "server.max_inflight: must be >= 1 (got 0)"},
    {"AdminMaxConnectionsZero", "server: {admin_max_connections: 0}\n",
     "server.admin_max_connections: must be >= 1 (got 0)"},
    {"AdminMaxConnectionsNotANumber", "server: {admin_max_connections: many}\n",
     "server.admin_max_connections"},
    {"ConnectTimeoutZero", "upstream: {connect_timeout: 0s}\n",
     "upstream.connect_timeout: must be > 0"},
    {"UpstreamTimeoutZero", "upstream: {timeout: 0s}\n", "upstream.timeout: must be > 0"},
    {"UpstreamMaxConnectionsZero", "upstream: {max_connections: 0}\n",
     "upstream.max_connections: must be >= 1"},
    {"TtlZero", "cache: {ttl: 0s}\n", "cache.ttl: must be > 0"},
    {"RedisTimeoutZero", "cache: {redis: {timeout: 0ms}}\n", "cache.redis.timeout: must be > 0"},
    {"MaxBatchZero", "coalesce: {max_batch: 0}\n", "coalesce.max_batch: must be >= 1 (got 0)"},
    {"WindowOverTimeout", "upstream: {timeout: 1s}\ncoalesce: {window: 2s}\n",
     "coalesce.window: must not exceed upstream.timeout (2s > 1s)"},
    {"LogLevel", "log: {level: verbose}\n",
     "log.level: must be one of trace|debug|info|warn|error|critical|off (got \"verbose\")"},
    {"LogFormat", "log: {format: xml}\n", "log.format: must be one of json|text (got \"xml\")"},
    // Addresses and paths.
    {"ListenNoPort", "server: {listen: localhost}\n", "server.listen: expected host:port"},
    {"ListenPortTooBig", "server: {listen: \"127.0.0.1:65536\"}\n",
     "server.listen: expected host:port"},
    {"ListenEmptyHost", "server: {listen: \":8080\"}\n", "server.listen: expected host:port"},
    {"ListenBareIpv6", "server: {listen: \"::1:8080\"}\n", "server.listen: expected host:port"},
    {"AdminListenBad", "server: {admin_listen: \"0.0.0.0:port\"}\n",
     "server.admin_listen: expected host:port"},
    {"AdminSameAsListen", "server: {admin_listen: \"127.0.0.1:8080\"}\n",
     "server.admin_listen: same address as server.listen"},
    {"BindRule", "server: {listen: \"0.0.0.0:8080\"}\n",
     "server.listen: non-loopback address \"0.0.0.0:8080\" needs clients"},
    {"BaseUrlScheme", "upstream: {base_url: ftp://x}\n",
     "upstream.base_url: expected http(s)://host[:port]"},
    {"BaseUrlPath", "upstream: {base_url: \"https://x.com/im/v2\"}\n",
     "upstream.base_url: expected http(s)://host[:port] with no path"},
    {"BaseUrlBadPort", "upstream: {base_url: \"https://x.com:0\"}\n",
     "upstream.base_url: expected http(s)://host[:port]"},
    {"BackupUrlBad", "upstream: {backup_url: \"open-bak.yunxinapi.com\"}\n",
     "upstream.backup_url: expected http(s)://host[:port]"},
    {"RedisUrlScheme", "cache: {redis: {url: \"http://127.0.0.1:6379\"}}\n",
     "cache.redis.url: expected redis[s]://[[user]:password@]host:port[/db]"},
    {"RedisTlsCertWithoutKey",
     "cache: {redis: {url: \"rediss://127.0.0.1:6380\", tls: {cert_file: /c.pem}}}\n",
     "cache.redis.tls: cert_file and key_file go together"},
    {"RedisTlsWithoutRediss", "cache: {redis: {tls: {ca_file: /ca.pem}}}\n",
     "cache.redis.tls: used only with a rediss:// url"},
    {"RedisModeUnknown", "cache: {redis: {mode: shard}}\n", "cache.redis.mode: must be one of"},
    {"RedisClusterWithoutNodes", "cache: {redis: {mode: cluster}}\n",
     "cache.redis.nodes: cluster mode needs seed nodes"},
    {"RedisClusterDb",
     "cache: {redis: {mode: cluster, url: \"redis://h:1/2\", nodes: [\"h:1\"]}}\n",
     "cache.redis.url: cluster mode has database 0 only"},
    {"RedisSentinelWithoutNodes", "cache: {redis: {mode: sentinel, sentinel_master: m}}\n",
     "cache.redis.nodes: sentinel mode needs the sentinels"},
    {"RedisSentinelWithoutMaster", "cache: {redis: {mode: sentinel, nodes: [\"h:26379\"]}}\n",
     "cache.redis.sentinel_master: sentinel mode needs the master's name"},
    {"RedisNodeBad", "cache: {redis: {mode: sentinel, sentinel_master: m, nodes: [h]}}\n",
     "cache.redis.nodes[0]:"},
    {"MaxBatchOverVendorLimit", "coalesce: {max_batch: 101}\n",
     "coalesce.max_batch: must be at most 100"},
    {"MaxHoldZero", "coalesce: {max_hold: 0ms}\n", "coalesce.max_hold: must be > 0"},
    {"IdempotencyWindowType", "idempotency: {window: soon}\n", "idempotency.window"},
    {"RedisUrlNoPort", "cache: {redis: {url: \"redis://127.0.0.1\"}}\n",
     "cache.redis.url: expected redis[s]://"},
    {"RedisUrlBadDb", "cache: {redis: {url: \"redis://127.0.0.1:6379/x\"}}\n",
     "cache.redis.url: expected redis[s]://"},
    {"RedisUrlUserInfo", "cache: {redis: {url: \"redis://user@127.0.0.1:6379\"}}\n",
     "cache.redis.url: expected redis[s]://"},
    {"BatchPathNoPlaceholder", "coalesce: {batch_path: /im/v2/conversations/x/batch_messages}\n",
     "coalesce.batch_path: must contain {conversation_id}"},
    {"BatchPathPrefix", "coalesce: {batch_path: \"/api/{conversation_id}/batch\"}\n",
     "coalesce.batch_path: must start with /im/v2"},
    // App credential sources.
    {"AppNoKeySource", "apps: [{name: a, app_secret_env: S}]\n", "apps[0].app_key_env: missing"},
    {"AppNoSecretSource", "apps: [{name: a, app_key: k}]\n", "apps[0].app_secret_env: missing"},
    {"AppBadName", "apps: [{name: \"a b\", app_key: k, app_secret_env: S}]\n",
     "apps[0].name: must be"},
};

class ConfigErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrors, MessageNamesKeyPathAndProblem) {
  const auto& c = GetParam();
  auto cfg = parse_config(c.yaml);
  ASSERT_FALSE(cfg.ok()) << "accepted:\n" << c.yaml;
  const std::string& msg = cfg.error().message;
  EXPECT_NE(msg.find(c.expected), std::string::npos) << "got: " << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
}

INSTANTIATE_TEST_SUITE_P(Table, ConfigErrors, testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigErrorsAssembled, MessageNamesKeyPathAndProblem) {
  for (const auto& [yaml, expected] : dynamic_cases()) {
    auto cfg = parse_config(yaml);
    ASSERT_FALSE(cfg.ok()) << "accepted:\n" << yaml;
    EXPECT_NE(cfg.error().message.find(expected), std::string::npos)
        << "yaml:\n"
        << yaml << "got: " << cfg.error().message;
    // A client's token hash is redacted everywhere, error messages included.
    EXPECT_EQ(cfg.error().message.find(kToken), std::string::npos);
  }
}

TEST(ConfigErrorsAssembled, SecretInYamlIsNeverEchoed) {
  auto cfg = parse_config(app("    app_secret: hunter2\n"));
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error().message.find("hunter2"), std::string::npos);
}

TEST(ConfigErrorsAssembled, RedisPasswordIsNeverEchoed) {
  auto cfg = parse_config("cache: {redis: {url: \"redis://:hunter2@host\"}}\n");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error().message.find("hunter2"), std::string::npos) << cfg.error().message;
}

// Valid, but a setting that never takes effect or cuts requests short:
// --check-config prints these as notes, the gateway logs them at start.
TEST(ConfigWarnings, SettingsThatCannotTakeEffectAreNamed) {
  const auto defaults = parse_config("");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(config_warnings(*defaults).empty());
  const auto slow_connect = parse_config(
      "upstream: {connect_timeout: 10s, timeout: 4s, backup_url: http://127.0.0.1:1}\n");
  ASSERT_TRUE(slow_connect.ok()) << slow_connect.error().message;
  const auto connect = config_warnings(*slow_connect);
  ASSERT_EQ(connect.size(), 1u);
  EXPECT_NE(connect[0].find("upstream.connect_timeout (10s) exceeds upstream.timeout (4s)"),
            std::string::npos)
      << connect[0];
  EXPECT_NE(connect[0].find("backup_url is never tried"), std::string::npos) << connect[0];
  const auto short_drain = parse_config("server: {drain_timeout: 2s}\n");
  ASSERT_TRUE(short_drain.ok());
  const auto drain = config_warnings(*short_drain);
  ASSERT_EQ(drain.size(), 1u);
  EXPECT_NE(drain[0].find("server.drain_timeout (2s)"), std::string::npos) << drain[0];
}

}  // namespace
}  // namespace yxgate::config
