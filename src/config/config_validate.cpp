#include "config/config_validate.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "config/net_address.hpp"
#include "config/units.hpp"

namespace yxgate::config {
namespace {

// Thrown by the checks below, caught in validate_config().
struct Invalid {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Invalid{path + ": " + what};
}

std::string number_text(double v) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ptr);
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

template <class T>
void check_at_least(const std::string& path, T value, T min) {
  if (value < min) {
    fail(path, "must be >= " + std::to_string(min) + " (got " + std::to_string(value) + ")");
  }
}

void check_positive(const std::string& path, Duration d) {
  if (d.count() <= 0) fail(path, "must be > 0 (got " + format_duration(d) + ")");
}

void check_listen_address(const std::string& path, const std::string& text) {
  if (auto hp = parse_host_port(text, /*allow_port_zero=*/true); !hp) {
    fail(path, hp.error().message);
  }
}

void check_one_of(const std::string& path, const std::string& value,
                  std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : "|") + std::string(a);
  fail(path, "must be one of " + list + " (got " + quoted(value) + ")");
}

void validate_server(const ServerConfig& s, bool has_clients) {
  check_listen_address("server.listen", s.listen);
  check_listen_address("server.admin_listen", s.admin_listen);
  // Port 0 asks the kernel for a free port: two of those never collide.
  if (s.listen == s.admin_listen && !s.listen.ends_with(":0"))
    fail("server.admin_listen", "same address as server.listen");
  check_at_least("server.threads", s.threads, 0);
  if (s.max_body_bytes == 0) fail("server.max_body_bytes", "must be > 0 (got 0)");
  check_positive("server.idle_timeout", s.idle_timeout);
  check_positive("server.request_timeout", s.request_timeout);
  check_at_least<std::uint64_t>("server.max_connections", s.max_connections, 1);
  check_at_least<std::uint64_t>("server.max_inflight", s.max_inflight, 1);
  check_at_least<std::uint64_t>("server.admin_max_connections", s.admin_max_connections, 1);
  // SPEC §6: anyone reaching the data plane acts as the app.
  const auto hp = parse_host_port(s.listen, /*allow_port_zero=*/true);
  if (!is_loopback_host(hp->host) && !has_clients && !s.allow_unauthenticated) {
    fail("server.listen",
         "non-loopback address " + quoted(s.listen) +
             " needs clients (bearer tokens) or server.allow_unauthenticated: true");
  }
}

void validate_upstream(const UpstreamConfig& u) {
  if (auto url = parse_http_url(u.base_url); !url) fail("upstream.base_url", url.error().message);
  if (!u.backup_url.empty()) {
    if (auto url = parse_http_url(u.backup_url); !url) {
      fail("upstream.backup_url", url.error().message);
    }
  }
  check_positive("upstream.connect_timeout", u.connect_timeout);
  check_positive("upstream.timeout", u.timeout);
  check_at_least<std::uint64_t>("upstream.max_connections", u.max_connections, 1);
}

void validate_rate_limit(const std::string& path, const RateLimit& r) {
  if (!(r.rate > 0)) fail(path + ".rate", "must be > 0 (got " + number_text(r.rate) + ")");
  if (!(r.burst >= 1)) fail(path + ".burst", "must be >= 1 (got " + number_text(r.burst) + ")");
}

void validate_rate_limits(const std::string& path, const RateLimits& r) {
  check_one_of(path + ".scope", r.scope, {"local", "global"});
  check_at_least(path + ".expected_replicas", r.expected_replicas, 1);
  validate_rate_limit(path + ".default", r.default_);
  validate_rate_limit(path + ".get_message", r.get_message);
  validate_rate_limit(path + ".batch_messages", r.batch_messages);
  validate_rate_limit(path + ".chatroom_messages", r.chatroom_messages);
  validate_rate_limit(path + ".thread_messages", r.thread_messages);
  validate_rate_limit(path + ".conversations", r.conversations);
}

// App names travel in X-Yxgate-App and in metric labels: keep them plain.
bool valid_app_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

void validate_apps(const std::vector<AppConfig>& apps) {
  if (apps.empty()) fail("apps", "must list at least one app");
  std::set<std::string> names;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    const auto& app = apps[i];
    const std::string path = "apps[" + std::to_string(i) + "]";
    if (!valid_app_name(app.name)) {
      fail(path + ".name",
           "must be 1-64 chars of A-Z a-z 0-9 - _ . (got " + quoted(app.name) + ")");
    }
    if (!names.insert(app.name).second)
      fail(path + ".name", "duplicate app name " + quoted(app.name));
    if (app.app_key.empty() == app.app_key_env.empty()) {
      fail(path + ".app_key_env", "set exactly one of app_key, app_key_env");
    }
    if (app.app_secret_env.empty() == app.app_secret_file.empty()) {
      fail(path + ".app_secret_env", "set exactly one of app_secret_env, app_secret_file");
    }
    validate_rate_limits(path + ".rate_limits", app.rate_limits);
  }
}

void validate_cache(const CacheConfig& c) {
  check_positive("cache.ttl", c.ttl);
  if (!c.redis) return;
  if (auto url = parse_redis_url(c.redis->url); !url) fail("cache.redis.url", url.error().message);
  check_positive("cache.redis.timeout", c.redis->timeout);
  check_one_of("cache.redis.mode", c.redis->mode, {"standalone", "cluster", "sentinel"});
  const auto& tls = c.redis->tls;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    fail("cache.redis.tls", "cert_file and key_file go together (mutual TLS)");
  }
  // Settings that would silently do nothing on a plaintext link are a
  // mistake worth naming (the operator meant TLS).
  const bool any_tls =
      !tls.ca_file.empty() || !tls.cert_file.empty() || !tls.server_name.empty() || !tls.verify;
  if (any_tls && !c.redis->url.starts_with("rediss://")) {
    fail("cache.redis.tls", "used only with a rediss:// url");
  }
  if (c.redis->mode == "cluster") {
    if (c.redis->nodes.empty()) fail("cache.redis.nodes", "cluster mode needs seed nodes");
    // A cluster has database 0 only (no SELECT).
    if (auto url = parse_redis_url(c.redis->url); url && url->db != 0) {
      fail("cache.redis.url", "cluster mode has database 0 only");
    }
  }
  if (c.redis->mode == "sentinel") {
    if (c.redis->nodes.empty()) fail("cache.redis.nodes", "sentinel mode needs the sentinels");
    if (c.redis->sentinel_master.empty()) {
      fail("cache.redis.sentinel_master", "sentinel mode needs the master's name");
    }
  }
  for (std::size_t i = 0; i < c.redis->nodes.size(); ++i) {
    if (auto hp = parse_host_port(c.redis->nodes[i]); !hp) {
      fail("cache.redis.nodes[" + std::to_string(i) + "]", hp.error().message);
    }
  }
}

void validate_coalesce(const CoalesceConfig& c, const UpstreamConfig& u) {
  if (c.window > u.timeout) {
    fail("coalesce.window", "must not exceed upstream.timeout (" + format_duration(c.window) +
                                " > " + format_duration(u.timeout) + ")");
  }
  check_at_least("coalesce.max_batch", c.max_batch, 1);
  if (c.max_batch > 100) {
    fail("coalesce.max_batch",
         "must be at most 100, the vendor's own limit (got " + std::to_string(c.max_batch) + ")");
  }
  check_positive("coalesce.max_hold", c.max_hold);
  if (c.max_hold > u.timeout) {
    fail("coalesce.max_hold", "must not exceed upstream.timeout (" + format_duration(c.max_hold) +
                                  " > " + format_duration(u.timeout) + ")");
  }
  if (!c.batch_path.starts_with("/im/v2")) {
    fail("coalesce.batch_path", "must start with /im/v2 (got " + quoted(c.batch_path) + ")");
  }
  if (c.batch_path.find("{conversation_id}") == std::string::npos) {
    fail("coalesce.batch_path",
         "must contain {conversation_id} (got " + quoted(c.batch_path) + ")");
  }
}

void validate_log(const LogConfig& l) {
  check_one_of("log.level", l.level,
               {"trace", "debug", "info", "warn", "error", "critical", "off"});
  check_one_of("log.format", l.format, {"json", "text"});
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// "METHOD /path/pattern" (SPEC §6), METHOD may be "*".
std::string allow_entry_problem(const std::string& entry) {
  static constexpr std::array<std::string_view, 8> kMethods = {"GET",    "POST", "PUT",     "PATCH",
                                                               "DELETE", "HEAD", "OPTIONS", "*"};
  const auto space = entry.find(' ');
  if (space == std::string::npos) return "expected \"METHOD /path\"";
  const std::string_view method(entry.data(), space);
  const std::string_view path = std::string_view(entry).substr(space + 1);
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
    return "method must be one of GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|*";
  }
  if (!path.starts_with('/') || path.find_first_of(" \t") != std::string_view::npos) {
    return "expected \"METHOD /path\"";
  }
  return {};
}

void validate_clients(const std::vector<ClientConfig>& clients) {
  std::set<std::string> names;
  std::set<std::string> tokens;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const auto& c = clients[i];
    const std::string path = "clients[" + std::to_string(i) + "]";
    if (c.name.empty()) fail(path + ".name", "must not be empty");
    if (!names.insert(c.name).second)
      fail(path + ".name", "duplicate client name " + quoted(c.name));
    // Never echo the hash: /config and logs treat it as a secret.
    if (!is_hex64(c.token_sha256)) fail(path + ".token_sha256", "must be 64 hex characters");
    if (!tokens.insert(c.token_sha256).second) {
      fail(path + ".token_sha256", "same token as another client");
    }
    if (c.allow.empty()) fail(path + ".allow", "must list at least one route");
    for (std::size_t j = 0; j < c.allow.size(); ++j) {
      if (auto problem = allow_entry_problem(c.allow[j]); !problem.empty()) {
        fail(path + ".allow[" + std::to_string(j) + "]",
             problem + " (got " + quoted(c.allow[j]) + ")");
      }
    }
  }
}

}  // namespace

Result<std::monostate> validate_config(const Config& cfg) {
  try {
    validate_server(cfg.server, !cfg.clients.empty());
    validate_upstream(cfg.upstream);
    validate_apps(cfg.apps);
    validate_cache(cfg.cache);
    validate_coalesce(cfg.coalesce, cfg.upstream);
    validate_log(cfg.log);
    validate_clients(cfg.clients);
    // SPEC §4: global buckets are shared through Redis.
    for (std::size_t i = 0; i < cfg.apps.size(); ++i) {
      if (cfg.apps[i].rate_limits.scope == "global" && !cfg.cache.redis) {
        fail("apps[" + std::to_string(i) + "].rate_limits.scope",
             "global needs cache.redis (the shared buckets live in Redis)");
      }
    }
  } catch (const Invalid& e) {
    return make_error(e.message);
  }
  return std::monostate{};
}

std::vector<std::string> config_warnings(const Config& cfg) {
  std::vector<std::string> warnings;
  const auto& u = cfg.upstream;
  if (u.connect_timeout > u.timeout) {
    warnings.push_back("upstream.connect_timeout (" + format_duration(u.connect_timeout) +
                       ") exceeds upstream.timeout (" + format_duration(u.timeout) +
                       "), which bounds connecting too: it never applies" +
                       (u.backup_url.empty() ? "" : ", and upstream.backup_url is never tried"));
  }
  std::chrono::milliseconds max_wait{0};
  for (const auto& app : cfg.apps) max_wait = std::max(max_wait, app.rate_limits.max_wait);
  if (cfg.server.drain_timeout < u.timeout + max_wait) {
    warnings.push_back("server.drain_timeout (" + format_duration(cfg.server.drain_timeout) +
                       ") is shorter than upstream.timeout + rate_limits.max_wait (" +
                       format_duration(u.timeout + max_wait) +
                       "): on SIGTERM, requests still waiting on upstream at its end are "
                       "closed unanswered");
  }
  return warnings;
}

}  // namespace yxgate::config
