// yxgate entry point: command line, config, startup and shutdown (SPEC §1).
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "admin/admin_handler.hpp"
#include "config/config_loader.hpp"
#include "config/redacted_json.hpp"
#include "config/secrets.hpp"
#include "log/logging.hpp"
#include "metrics/process_collector.hpp"
#include "metrics/registry.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "pipeline/gateway.hpp"
#include "server/http_server.hpp"
#include "server/signal_handler.hpp"
#include "upstream/upstream_client.hpp"
#include "version.hpp"

namespace {

constexpr const char* kUsage =
    "usage: yxgate --config FILE        run the gateway\n"
    "       yxgate --check-config FILE  validate FILE and exit 0 (valid) or 1\n"
    "       yxgate --version            print the version\n";

int check_config(const char* path) {
  auto config = yxgate::config::load_config_file(path);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 1;
  }
  // Secrets are usually absent where configs are linted: report, don't fail.
  auto copy = *config;
  if (auto secrets = yxgate::config::resolve_secrets(copy); !secrets) {
    std::cerr << path << ": note: " << secrets.error().message << "\n";
  }
  std::cout << path << ": ok\n";
  return 0;
}

// SIGHUP (SPEC §1): rate limits, cache TTLs and log level, without dropping
// connections. An invalid file keeps the running configuration.
void reload(const std::string& path, const yxgate::config::Config& running,
            yxgate::pipeline::Gateway& gateway) {
  using namespace yxgate;
  auto loaded = config::load_config_file(path);
  std::string problem;
  if (!loaded) {
    problem = loaded.error().message;
  } else if (loaded->apps.size() != running.apps.size()) {
    problem = "apps were added or removed: restart to apply";
  } else {
    for (std::size_t i = 0; i < running.apps.size(); ++i) {
      if (loaded->apps[i].name != running.apps[i].name) problem = "apps renamed: restart to apply";
      if (loaded->apps[i].rate_limits.scope == "global" && !running.cache.redis) {
        problem = "scope global needs cache.redis: restart to apply";
      }
    }
  }
  if (!problem.empty()) {
    std::string escaped;
    log::append_json_escaped(escaped, problem);
    spdlog::error("\"event\":\"reload_rejected\",\"error\":\"{}\",\"kept\":\"running config\"",
                  escaped);
    return;
  }
  log::set_level(loaded->log.level);
  gateway.reload(*loaded);
  spdlog::warn(
      "\"event\":\"reloaded\",\"applied\":[\"rate_limits\",\"cache.ttl\","
      "\"cache.negative_ttl\",\"log.level\"],\"log_level\":\"{}\"",
      loaded->log.level);
}

int run(const char* path) {
  using namespace yxgate;
  auto loaded = config::load_config_file(path);
  if (!loaded) {
    std::cerr << "yxgate: " << loaded.error().message << "\n";
    return 1;
  }
  config::Config config = std::move(*loaded);
  log::configure(config.log.format, config.log.level);
  if (auto secrets = config::resolve_secrets(config); !secrets) {
    spdlog::critical("\"event\":\"config_error\",\"error\":\"{}\"", secrets.error().message);
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);

  auto& registry = metrics::Registry::global();
  metrics::add_process_metrics(registry);
  auto& metrics = metrics::yxgate_metrics();
  metrics.build_info.with({kVersion}).set(1);

  server::ServerState state;
  const auto threads = config.server.threads > 0
                           ? static_cast<std::size_t>(config.server.threads)
                           : std::max(1u, std::thread::hardware_concurrency());
  server::WorkerPool pool(threads);
  auto tls = upstream::make_tls_context(config.upstream.tls_verify);
  pipeline::Gateway gateway(config, pool, *tls, state);
  admin::AdminHandler admin_handler(state, config::to_redacted_json(config), &gateway.cache());

  server::ListenerOptions data_options{
      .name = "data",
      .max_body_bytes = config.server.max_body_bytes,
      .idle_timeout = config.server.idle_timeout,
      .request_timeout = config.server.request_timeout,
      .max_connections = config.server.max_connections,
      .inflight = &state.inflight,
  };
  server::ListenerOptions admin_options{.name = "admin",
                                        .max_body_bytes = 64 * 1024,
                                        .idle_timeout = config.server.idle_timeout,
                                        .request_timeout = config.server.request_timeout};
  std::unique_ptr<server::HttpServer> data;
  std::unique_ptr<server::HttpServer> admin;
  try {
    data = std::make_unique<server::HttpServer>(pool, server::parse_endpoint(config.server.listen),
                                                gateway, data_options, state);
    admin = std::make_unique<server::HttpServer>(pool,
                                                 server::parse_endpoint(config.server.admin_listen),
                                                 admin_handler, admin_options, state);
  } catch (const std::exception& e) {
    spdlog::critical("\"event\":\"listen_failed\",\"error\":\"{}\"", e.what());
    return 1;
  }

  server::install_signal_handlers(
      pool, state, *data, *admin,
      server::DrainPlan{.drain_timeout = config.server.drain_timeout,
                        .on_reload = [&gateway, &config, path] { reload(path, config, gateway); }});
  data->start();
  admin->start();
  state.ready = true;
  spdlog::info(
      "\"event\":\"listening\",\"version\":\"{}\",\"data_port\":{},\"admin_port\":{},"
      "\"threads\":{},\"upstream\":\"{}\"",
      kVersion, data->port(), admin->port(), threads, config.upstream.base_url);
  pool.run();
  // Pending frames (hung upstream calls, open batches) are dropped while the
  // gateway they point into still exists.
  pool.shutdown();
  spdlog::info("\"event\":\"stopped\"");
  spdlog::shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::cout << "yxgate " << yxgate::kVersion << "\n";
    return 0;
  }
  if (argc == 3 && std::strcmp(argv[1], "--check-config") == 0) return check_config(argv[2]);
  if (argc == 3 && std::strcmp(argv[1], "--config") == 0) return run(argv[2]);
  std::cerr << kUsage;
  return 2;
}
