#include "redis/redis_options.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ssl/context.hpp>

#include "config/net_address.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_health.hpp"

namespace yxgate::redis {
namespace ssl = boost::asio::ssl;

namespace {

// One context per process: it holds the trust store and the client
// certificate, which every link shares (SSL_CTX is thread-safe once built).
Result<std::shared_ptr<ssl::context>> make_tls_context(const config::RedisTlsConfig& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (tls.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(tls.ca_file, ec);
  }
  if (ec) return make_error("cache.redis.tls.ca_file: " + ec.message());
  if (!tls.cert_file.empty()) {
    ctx->use_certificate_chain_file(tls.cert_file, ec);
    if (ec) return make_error("cache.redis.tls.cert_file: " + ec.message());
    ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec);
    if (ec) return make_error("cache.redis.tls.key_file: " + ec.message());
  }
  return ctx;
}

}  // namespace

Result<RedisOptions> RedisOptions::from_config(const config::RedisConfig& config) {
  auto url = config::parse_redis_url(config.url);
  if (!url) return make_error("cache.redis.url: " + url.error().message);
  RedisOptions o;
  o.host = std::move(url->host);
  o.port = url->port;
  o.username = std::move(url->username);
  o.password = std::move(url->password);
  o.db = url->db;
  o.timeout = config.timeout;
  o.connect_timeout = std::max(config.timeout, std::chrono::milliseconds(500));
  o.liveness = std::make_shared<RedisLiveness>();
  o.health = std::make_shared<RedisHealth>(metrics::yxgate_metrics().redis_up);
  if (config.mode == "sentinel") {
    RedisSentinel sentinel{{}, config.sentinel_master};
    for (const auto& node : config.nodes) {
      auto hp = config::parse_host_port(node);
      if (!hp) return make_error("cache.redis.nodes: " + hp.error().message);
      sentinel.nodes.push_back(std::move(*hp));
    }
    o.sentinel = std::move(sentinel);
  }
  if (config.mode == "cluster") {
    for (const auto& node : config.nodes) {
      auto hp = config::parse_host_port(node);
      if (!hp) return make_error("cache.redis.nodes: " + hp.error().message);
      o.cluster_seeds.push_back(std::move(*hp));
    }
  }
  if (url->tls) {
    auto ctx = make_tls_context(config.tls);
    if (!ctx) return ctx.error();
    o.tls.context = std::move(*ctx);
    o.tls.server_name = config.tls.server_name;
    o.tls.verify = config.tls.verify;
    if (!o.tls.verify) {
      spdlog::warn(
          "\"event\":\"redis_tls_unverified\",\"detail\":\"cache.redis.tls.verify is false: "
          "the Redis server's certificate and name are not checked\"");
    }
  }
  return o;
}

}  // namespace yxgate::redis
