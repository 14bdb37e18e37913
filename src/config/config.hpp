#pragma once
// Effective configuration (SPEC §7) as plain structs with the SPEC defaults.
// Parsed and validated once by config_loader; nothing else reads YAML.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace yxgate::config {

using Duration = std::chrono::milliseconds;

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string admin_listen = "0.0.0.0:9901";
  int threads = 0;  // 0 = one per core
  std::uint64_t max_body_bytes = 1048576;
  Duration idle_timeout{60'000};
  Duration request_timeout{10'000};
  Duration drain_timeout{15'000};
  std::uint64_t max_connections = 10000;
  std::uint64_t max_inflight = 4096;
  std::uint64_t admin_max_connections = 64;  // SPEC §11.7
  bool allow_unauthenticated = false;
};

struct UpstreamConfig {
  std::string base_url = "https://open.yunxinapi.com";
  std::string backup_url;  // empty = none
  Duration connect_timeout{1'000};
  Duration timeout{4'000};  // below the vendor SDKs' 5 s client timeout (SPEC §11.4)
  std::uint64_t max_connections = 64;
  bool tls_verify = true;
};

struct RateLimit {
  double rate = 0;   // tokens per second, > 0
  double burst = 0;  // >= 1; defaults to ceil(rate)
};

struct RateLimits {
  std::string scope = "local";  // local | global
  int expected_replicas = 1;
  Duration max_wait{50};
  RateLimit default_{50, 100};
  RateLimit get_message{100, 200};
  RateLimit batch_messages{20, 40};
  RateLimit chatroom_messages{50, 50};
  RateLimit thread_messages{50, 50};
  RateLimit conversations{50, 50};
};

struct AppConfig {
  std::string name = "default";
  // Exactly one source each. The YAML may hold app_key itself (it is not a
  // secret); the secret only ever comes from the environment or a file.
  std::string app_key;
  std::string app_key_env = "YX_APP_KEY";
  std::string app_secret_env = "YX_APP_SECRET";
  std::string app_secret_file;
  RateLimits rate_limits;

  // Filled by resolve_secrets() at startup; never printed.
  std::string resolved_app_key;
  std::string resolved_app_secret;
};

// SPEC §7 cache.redis.tls (used with rediss://).
struct RedisTlsConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool verify = true;
};

struct RedisConfig {
  std::string url = "redis://127.0.0.1:6379/0";
  std::string mode = "standalone";  // standalone | cluster | sentinel (SPEC §11.6)
  std::vector<std::string> nodes;   // cluster seeds / sentinel addresses
  std::string sentinel_master;
  RedisTlsConfig tls;
  std::string key_prefix = "yxgate:";
  Duration timeout{50};
};

struct CacheConfig {
  Duration ttl{3'600'000};
  Duration negative_ttl{5'000};
  std::uint64_t local_max_bytes = 64ull * 1024 * 1024;
  std::optional<RedisConfig> redis;  // absent = in-process cache alone
};

struct CoalesceConfig {
  Duration window{2};
  int max_batch = 100;
  std::uint64_t time_index_entries = 1'000'000;  // SPEC §11.5; 0 disables
  Duration max_hold{20};                         // SPEC §3.1 step 4
  std::string batch_path = "/im/v2/conversations/{conversation_id}/batch_messages";
};

struct IdempotencyConfig {
  Duration window{60'000};  // SPEC §11.4; 0 disables write replay
};

struct LogConfig {
  std::string level = "info";   // trace|debug|info|warn|error|critical|off
  std::string format = "json";  // json | text
  bool access_log = true;
};

struct ClientConfig {
  std::string name;
  std::string token_sha256;        // 64 lowercase hex chars
  std::vector<std::string> allow;  // "METHOD /path/pattern"
};

struct Config {
  ServerConfig server;
  UpstreamConfig upstream;
  std::vector<AppConfig> apps{AppConfig{}};
  CacheConfig cache;
  CoalesceConfig coalesce;
  IdempotencyConfig idempotency;
  LogConfig log;
  std::vector<ClientConfig> clients;
};

}  // namespace yxgate::config
