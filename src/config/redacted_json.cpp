#include "config/redacted_json.hpp"

#include <array>
#include <charconv>
#include <cstdio>

#include "common/json_escape.hpp"
#include "config/net_address.hpp"
#include "config/units.hpp"

namespace yxgate::config {
namespace {

// Minimal JSON builder: objects and arrays written in order, commas handled here.
class JsonWriter {
 public:
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  JsonWriter& key(std::string_view k) {
    separate();
    write_string(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  void value(std::string_view s) {
    separate();
    write_string(s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(bool b) {
    separate();
    out_ += b ? "true" : "false";
  }
  void value(double d) {
    separate();
    char buf[32];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
  }
  void value(std::uint64_t n) {
    separate();
    out_ += std::to_string(n);
  }
  void value(int n) {
    separate();
    out_ += std::to_string(n);
  }
  void value(Duration d) { value(format_duration(d)); }
  void null() {
    separate();
    out_ += "null";
  }

  std::string take() { return std::move(out_); }

 private:
  void open(char c) {
    separate();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  void write_string(std::string_view s) { append_json_string(out_, s); }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

void write_server(JsonWriter& w, const ServerConfig& s) {
  w.begin_object();
  w.key("listen").value(s.listen);
  w.key("admin_listen").value(s.admin_listen);
  w.key("threads").value(s.threads);
  w.key("max_body_bytes").value(s.max_body_bytes);
  w.key("idle_timeout").value(s.idle_timeout);
  w.key("request_timeout").value(s.request_timeout);
  w.key("drain_timeout").value(s.drain_timeout);
  w.key("max_connections").value(s.max_connections);
  w.key("max_inflight").value(s.max_inflight);
  w.key("admin_max_connections").value(s.admin_max_connections);
  w.key("allow_unauthenticated").value(s.allow_unauthenticated);
  w.end_object();
}

void write_upstream(JsonWriter& w, const UpstreamConfig& u) {
  w.begin_object();
  // Upstream URLs carry no credentials by validation; redact anyway in case.
  w.key("base_url").value(redact_url_password(u.base_url));
  w.key("backup_url");
  if (u.backup_url.empty()) {
    w.null();
  } else {
    w.value(redact_url_password(u.backup_url));
  }
  w.key("connect_timeout").value(u.connect_timeout);
  w.key("timeout").value(u.timeout);
  w.key("max_connections").value(u.max_connections);
  w.key("tls_verify").value(u.tls_verify);
  w.end_object();
}

void write_rate_limit(JsonWriter& w, std::string_view name, const RateLimit& r) {
  w.key(name).begin_object();
  w.key("rate").value(r.rate);
  w.key("burst").value(r.burst);
  w.end_object();
}

void write_app(JsonWriter& w, const AppConfig& a) {
  w.begin_object();
  w.key("name").value(a.name);
  // The key is not secret, but /config never shows a resolved credential value.
  w.key("app_key").value(kRedacted);
  if (!a.app_key_env.empty()) w.key("app_key_env").value(a.app_key_env);
  if (!a.app_secret_env.empty()) w.key("app_secret_env").value(a.app_secret_env);
  if (!a.app_secret_file.empty()) w.key("app_secret_file").value(a.app_secret_file);
  w.key("secrets_resolved").value(!a.resolved_app_secret.empty());
  const RateLimits& r = a.rate_limits;
  w.key("rate_limits").begin_object();
  w.key("scope").value(r.scope);
  w.key("expected_replicas").value(r.expected_replicas);
  w.key("max_wait").value(r.max_wait);
  write_rate_limit(w, "default", r.default_);
  write_rate_limit(w, "get_message", r.get_message);
  write_rate_limit(w, "batch_messages", r.batch_messages);
  write_rate_limit(w, "chatroom_messages", r.chatroom_messages);
  write_rate_limit(w, "thread_messages", r.thread_messages);
  write_rate_limit(w, "conversations", r.conversations);
  w.end_object();
  w.end_object();
}

void write_cache(JsonWriter& w, const CacheConfig& c) {
  w.begin_object();
  w.key("ttl").value(c.ttl);
  w.key("negative_ttl").value(c.negative_ttl);
  w.key("local").begin_object();
  w.key("max_bytes").value(c.local_max_bytes);
  w.end_object();
  w.key("redis");
  if (!c.redis) {
    w.null();
  } else {
    w.begin_object();
    w.key("url").value(redact_url_password(c.redis->url));
    w.key("mode").value(c.redis->mode);
    w.key("nodes").begin_array();
    for (const auto& node : c.redis->nodes) w.value(node);
    w.end_array();
    w.key("sentinel_master").value(c.redis->sentinel_master);
    w.key("tls").begin_object();
    w.key("ca_file").value(c.redis->tls.ca_file);
    w.key("cert_file").value(c.redis->tls.cert_file);
    w.key("key_file").value(c.redis->tls.key_file);
    w.key("server_name").value(c.redis->tls.server_name);
    w.key("verify").value(c.redis->tls.verify);
    w.end_object();
    w.key("key_prefix").value(c.redis->key_prefix);
    w.key("timeout").value(c.redis->timeout);
    w.end_object();
  }
  w.end_object();
}

void write_client(JsonWriter& w, const ClientConfig& c) {
  w.begin_object();
  w.key("name").value(c.name);
  w.key("token_sha256").value(kRedacted);
  w.key("allow").begin_array();
  for (const auto& entry : c.allow) w.value(entry);
  w.end_array();
  w.end_object();
}

void write_coalesce(JsonWriter& w, const CoalesceConfig& c) {
  w.begin_object();
  w.key("window").value(c.window);
  w.key("max_batch").value(c.max_batch);
  w.key("batch_path").value(c.batch_path);
  w.key("time_index_entries").value(c.time_index_entries);
  w.key("max_hold").value(c.max_hold);
  w.end_object();
}

void write_log(JsonWriter& w, const LogConfig& l) {
  w.begin_object();
  w.key("level").value(l.level);
  w.key("format").value(l.format);
  w.key("access_log").value(l.access_log);
  w.end_object();
}

constexpr std::array<std::string_view, 8> kSections = {
    "server", "upstream", "apps", "cache", "coalesce", "idempotency", "log", "clients"};

void write_section(JsonWriter& w, const Config& cfg, std::string_view section) {
  if (section == "server") return write_server(w, cfg.server);
  if (section == "upstream") return write_upstream(w, cfg.upstream);
  if (section == "cache") return write_cache(w, cfg.cache);
  if (section == "coalesce") return write_coalesce(w, cfg.coalesce);
  if (section == "log") return write_log(w, cfg.log);
  if (section == "idempotency") {
    w.begin_object();
    w.key("window").value(cfg.idempotency.window);
    return w.end_object();
  }
  w.begin_array();
  if (section == "apps") {
    for (const auto& app : cfg.apps) write_app(w, app);
  } else {
    for (const auto& client : cfg.clients) write_client(w, client);
  }
  w.end_array();
}

std::string section_json(const Config& cfg, std::string_view section) {
  JsonWriter w;
  write_section(w, cfg, section);
  return w.take();
}

}  // namespace

std::string to_redacted_json(const Config& cfg) {
  JsonWriter w;
  w.begin_object();
  for (const auto section : kSections) {
    w.key(section);
    write_section(w, cfg, section);
  }
  w.end_object();
  return w.take();
}

std::vector<std::string> changed_sections(const Config& a, const Config& b) {
  std::vector<std::string> changed;
  for (const auto section : kSections) {
    if (section_json(a, section) != section_json(b, section)) changed.emplace_back(section);
  }
  return changed;
}

}  // namespace yxgate::config
