#include "config/config_loader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_validate.hpp"
#include "config/yaml_reader.hpp"

namespace yxgate::config {
namespace {

using detail::YamlNode;

void read_server(const YamlNode& n, ServerConfig& s) {
  n.read_map({
      {"listen", [&](const YamlNode& v) { s.listen = v.as_string(); }},
      {"admin_listen", [&](const YamlNode& v) { s.admin_listen = v.as_string(); }},
      {"threads",
       [&](const YamlNode& v) { s.threads = static_cast<int>(v.as_int(INT32_MIN, INT32_MAX)); }},
      {"max_body_bytes", [&](const YamlNode& v) { s.max_body_bytes = v.as_size(); }},
      {"idle_timeout", [&](const YamlNode& v) { s.idle_timeout = v.as_duration(); }},
      {"request_timeout", [&](const YamlNode& v) { s.request_timeout = v.as_duration(); }},
      {"drain_timeout", [&](const YamlNode& v) { s.drain_timeout = v.as_duration(); }},
      {"max_connections", [&](const YamlNode& v) { s.max_connections = v.as_int(0); }},
      {"max_inflight", [&](const YamlNode& v) { s.max_inflight = v.as_int(0); }},
      {"admin_max_connections", [&](const YamlNode& v) { s.admin_max_connections = v.as_int(0); }},
      {"allow_unauthenticated", [&](const YamlNode& v) { s.allow_unauthenticated = v.as_bool(); }},
  });
}

void read_upstream(const YamlNode& n, UpstreamConfig& u) {
  n.read_map({
      {"base_url", [&](const YamlNode& v) { u.base_url = v.as_string(); }},
      // Null ("backup_url:") reads as "no backup", like omitting the key.
      {"backup_url", [&](const YamlNode& v) { u.backup_url = v.is_null() ? "" : v.as_string(); }},
      {"connect_timeout", [&](const YamlNode& v) { u.connect_timeout = v.as_duration(); }},
      {"timeout", [&](const YamlNode& v) { u.timeout = v.as_duration(); }},
      {"max_connections", [&](const YamlNode& v) { u.max_connections = v.as_int(0); }},
      {"tls_verify", [&](const YamlNode& v) { u.tls_verify = v.as_bool(); }},
  });
}

void read_rate_limit(const YamlNode& n, RateLimit& r) {
  if (n.is_null()) n.fail("expected a map with rate and burst (got nothing)");
  bool has_rate = false;
  bool has_burst = false;
  n.read_map({
      {"rate", [&](const YamlNode& v) { r.rate = v.as_number(), has_rate = true; }},
      {"burst", [&](const YamlNode& v) { r.burst = v.as_number(), has_burst = true; }},
  });
  // SPEC §4: burst defaults to the rate rounded up.
  if (has_rate && !has_burst) r.burst = std::ceil(r.rate);
}

void read_rate_limits(const YamlNode& n, RateLimits& r) {
  auto limit = [](RateLimit& target) {
    return [&target](const YamlNode& v) { read_rate_limit(v, target); };
  };
  n.read_map({
      {"scope", [&](const YamlNode& v) { r.scope = v.as_string(); }},
      {"expected_replicas",
       [&](const YamlNode& v) {
         r.expected_replicas = static_cast<int>(v.as_int(INT32_MIN, INT32_MAX));
       }},
      {"max_wait", [&](const YamlNode& v) { r.max_wait = v.as_duration(); }},
      {"default", limit(r.default_)},
      {"get_message", limit(r.get_message)},
      {"batch_messages", limit(r.batch_messages)},
      {"chatroom_messages", limit(r.chatroom_messages)},
      {"thread_messages", limit(r.thread_messages)},
      {"conversations", limit(r.conversations)},
  });
}

// Exactly one of two keys must be given (app_key / app_key_env, ...).
void require_one_of(const YamlNode& app, bool has_a, std::string_view a, bool has_b,
                    std::string_view b) {
  if (has_a && has_b) app.fail_key(a, "conflicts with " + std::string(b) + "; set only one");
  if (!has_a && !has_b) {
    app.fail_key(b, "missing (set " + std::string(b) + " or " + std::string(a) + ")");
  }
}

AppConfig read_app(const YamlNode& n, std::size_t index) {
  if (n.is_null()) n.fail("expected a map (got nothing)");
  AppConfig app;
  // The struct's defaults (YX_APP_KEY, YX_APP_SECRET) are for the built-in
  // app only; a listed app says where its credentials come from.
  app.app_key_env.clear();
  app.app_secret_env.clear();
  bool has_name = false, has_key = false, has_key_env = false;
  bool has_secret_env = false, has_secret_file = false;
  auto secret_in_yaml = [](const YamlNode& v) {
    v.fail("secrets are never read from the YAML; use app_secret_env or app_secret_file");
  };
  n.read_map({
      {"name", [&](const YamlNode& v) { app.name = v.as_string(), has_name = true; }},
      {"app_key", [&](const YamlNode& v) { app.app_key = v.as_string(), has_key = true; }},
      {"app_key_env",
       [&](const YamlNode& v) { app.app_key_env = v.as_string(), has_key_env = true; }},
      {"app_secret_env",
       [&](const YamlNode& v) { app.app_secret_env = v.as_string(), has_secret_env = true; }},
      {"app_secret_file",
       [&](const YamlNode& v) { app.app_secret_file = v.as_string(), has_secret_file = true; }},
      {"app_secret", secret_in_yaml},
      {"secret", secret_in_yaml},
      {"rate_limits", [&](const YamlNode& v) { read_rate_limits(v, app.rate_limits); }},
  });
  if (!has_name && index > 0) n.fail_key("name", "missing (only the first app may omit it)");
  require_one_of(n, has_key, "app_key", has_key_env, "app_key_env");
  require_one_of(n, has_secret_file, "app_secret_file", has_secret_env, "app_secret_env");
  return app;
}

void read_redis_tls(const YamlNode& n, RedisTlsConfig& t) {
  if (n.is_null()) return;
  n.read_map({
      {"ca_file", [&](const YamlNode& v) { t.ca_file = v.as_string(); }},
      {"cert_file", [&](const YamlNode& v) { t.cert_file = v.as_string(); }},
      {"key_file", [&](const YamlNode& v) { t.key_file = v.as_string(); }},
      {"server_name", [&](const YamlNode& v) { t.server_name = v.as_string(); }},
      {"verify", [&](const YamlNode& v) { t.verify = v.as_bool(); }},
  });
}

void read_redis(const YamlNode& n, CacheConfig& c) {
  // "redis:" with every line commented out means "no Redis", like omitting it.
  if (n.is_null()) {
    c.redis.reset();
    return;
  }
  RedisConfig r;
  n.read_map({
      {"url", [&](const YamlNode& v) { r.url = v.as_string(); }},
      {"mode", [&](const YamlNode& v) { r.mode = v.as_string(); }},
      {"nodes", [&](const YamlNode& v) { r.nodes = v.as_string_list(); }},
      {"sentinel_master", [&](const YamlNode& v) { r.sentinel_master = v.as_string(); }},
      {"tls", [&](const YamlNode& v) { read_redis_tls(v, r.tls); }},
      {"key_prefix", [&](const YamlNode& v) { r.key_prefix = v.as_string(); }},
      {"timeout", [&](const YamlNode& v) { r.timeout = v.as_duration(); }},
  });
  c.redis = std::move(r);
}

void read_cache(const YamlNode& n, CacheConfig& c) {
  n.read_map({
      {"ttl", [&](const YamlNode& v) { c.ttl = v.as_duration(); }},
      {"negative_ttl", [&](const YamlNode& v) { c.negative_ttl = v.as_duration(); }},
      {"local",
       [&](const YamlNode& v) {
         v.read_map({{"max_bytes", [&](const YamlNode& m) { c.local_max_bytes = m.as_size(); }}});
       }},
      {"redis", [&](const YamlNode& v) { read_redis(v, c); }},
  });
}

void read_coalesce(const YamlNode& n, CoalesceConfig& c) {
  n.read_map({
      {"window", [&](const YamlNode& v) { c.window = v.as_duration(); }},
      {"max_batch",
       [&](const YamlNode& v) { c.max_batch = static_cast<int>(v.as_int(INT32_MIN, INT32_MAX)); }},
      {"batch_path", [&](const YamlNode& v) { c.batch_path = v.as_string(); }},
      {"time_index_entries", [&](const YamlNode& v) { c.time_index_entries = v.as_int(0); }},
      {"max_hold", [&](const YamlNode& v) { c.max_hold = v.as_duration(); }},
  });
}

void read_idempotency(const YamlNode& n, IdempotencyConfig& c) {
  n.read_map({{"window", [&](const YamlNode& v) { c.window = v.as_duration(); }}});
}

void read_log(const YamlNode& n, LogConfig& l) {
  n.read_map({
      {"level", [&](const YamlNode& v) { l.level = v.as_string(); }},
      {"format", [&](const YamlNode& v) { l.format = v.as_string(); }},
      {"access_log", [&](const YamlNode& v) { l.access_log = v.as_bool(); }},
  });
}

ClientConfig read_client(const YamlNode& n) {
  if (n.is_null()) n.fail("expected a map (got nothing)");
  ClientConfig c;
  bool has_name = false, has_token = false, has_allow = false;
  n.read_map({
      {"name", [&](const YamlNode& v) { c.name = v.as_string(), has_name = true; }},
      {"token_sha256",
       [&](const YamlNode& v) { c.token_sha256 = v.as_string(), has_token = true; }},
      {"token",
       [](const YamlNode& v) {
         v.fail("put the token's SHA-256 in token_sha256, never the token");
       }},
      {"allow", [&](const YamlNode& v) { c.allow = v.as_string_list(), has_allow = true; }},
  });
  if (!has_name) n.fail_key("name", "missing");
  if (!has_token) n.fail_key("token_sha256", "missing");
  if (!has_allow) n.fail_key("allow", "missing (list the routes this client may call)");
  // Hex case carries no meaning; the token check compares lowercase digests.
  std::transform(c.token_sha256.begin(), c.token_sha256.end(), c.token_sha256.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return c;
}

Config read_config(const YamlNode& root) {
  Config cfg;
  root.read_map({
      {"server", [&](const YamlNode& v) { read_server(v, cfg.server); }},
      {"upstream", [&](const YamlNode& v) { read_upstream(v, cfg.upstream); }},
      {"apps",
       [&](const YamlNode& v) {
         cfg.apps.clear();
         const auto elements = v.elements();
         for (std::size_t i = 0; i < elements.size(); ++i)
           cfg.apps.push_back(read_app(elements[i], i));
         if (cfg.apps.empty()) v.fail("must list at least one app");
       }},
      {"cache", [&](const YamlNode& v) { read_cache(v, cfg.cache); }},
      {"coalesce", [&](const YamlNode& v) { read_coalesce(v, cfg.coalesce); }},
      {"idempotency", [&](const YamlNode& v) { read_idempotency(v, cfg.idempotency); }},
      {"log", [&](const YamlNode& v) { read_log(v, cfg.log); }},
      {"clients",
       [&](const YamlNode& v) {
         for (const auto& element : v.elements()) cfg.clients.push_back(read_client(element));
       }},
  });
  return cfg;
}

}  // namespace

Result<Config> parse_config(std::string_view yaml_text) {
  Config cfg;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    cfg = read_config(YamlNode(root, ""));
  } catch (const detail::ParseError& e) {
    return make_error(e.message);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's marks are 0-based.
    return make_error("YAML syntax error at line " + std::to_string(e.mark.line + 1) + ", column " +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (auto valid = validate_config(cfg); !valid) return valid.error();
  return cfg;
}

Result<Config> load_config_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(path + ": cannot read config file: is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read config file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(path + ": cannot read config file");
  auto cfg = parse_config(text.str());
  if (!cfg) return make_error(path + ": " + cfg.error().message);
  return cfg;
}

}  // namespace yxgate::config
