// yxgate entry point: command line, config, startup and shutdown (SPEC §1).
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "admin/admin_handler.hpp"
#include "config/config_loader.hpp"
#include "config/config_validate.hpp"
#include "config/redacted_json.hpp"
#include "config/secrets.hpp"
#include "frontdoor/connection_limits.hpp"
#include "gateway/gateway.hpp"
#include "log/event_line.hpp"
#include "log/logging.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "server/http_server.hpp"
#include "server/signal_handler.hpp"
#include "upstream/upstream_client.hpp"
#include "version.hpp"

namespace {

constexpr const char* kUsage =
    "usage: yxgate --config FILE        run the gateway\n"
    "       yxgate --check-config FILE  validate FILE and exit 0 (valid) or 1\n"
    "       yxgate --version            print the version\n"
    "       yxgate --help               print this\n";

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
  for (const auto& warning : yxgate::config::config_warnings(*config)) {
    std::cerr << path << ": note: " << warning << "\n";
  }
  std::cout << path << ": ok\n";
  return 0;
}

constexpr std::chrono::milliseconds kAdminIdleTimeout{10'000};

// SPEC §11.7: every connection limit fits in RLIMIT_NOFILE (logged).
yxgate::frontdoor::ConnectionLimits connection_limits(const yxgate::config::Config& config,
                                                      std::size_t threads) {
  using namespace yxgate;
  rlimit fds{};
  const std::uint64_t fd_limit =
      getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur != RLIM_INFINITY ? fds.rlim_cur
                                                                           : UINT64_MAX / 2;
  const auto limits = frontdoor::clamp_connection_limits(
      config.server.max_connections, config.server.admin_max_connections, fd_limit,
      frontdoor::reserved_descriptors(threads, config.upstream.max_connections));
  const auto line =
      log::EventLine(limits.clamped ? "connection_limits_clamped" : "connection_limits")
          .num("fd_limit", static_cast<std::int64_t>(fd_limit))
          .num("reserved", static_cast<std::int64_t>(limits.reserved))
          .num("max_connections", static_cast<std::int64_t>(limits.data))
          .num("admin_max_connections", static_cast<std::int64_t>(limits.admin))
          .text();
  if (limits.clamped) {
    spdlog::warn(line);
  } else {
    spdlog::info(line);
  }
  return limits;
}

// SIGHUP (SPEC §1): rate limits, cache TTLs and log level, without dropping
// connections. An invalid file keeps the running configuration. /config
// shows what was applied (the rest of the file waits for a restart).
void reload(const std::string& path, const yxgate::config::Config& running,
            yxgate::gateway::Gateway& gateway, yxgate::admin::AdminHandler& admin) {
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
    spdlog::error(log::EventLine("reload_rejected")
                      .str("error", problem)
                      .str("kept", "running config")
                      .text());
    return;
  }
  log::set_level(loaded->log.level);
  gateway.reload(*loaded);
  // A copy: other components may hold references into `running`.
  auto applied = running;
  for (std::size_t i = 0; i < applied.apps.size(); ++i) {
    applied.apps[i].rate_limits = loaded->apps[i].rate_limits;
  }
  applied.cache.ttl = loaded->cache.ttl;
  applied.cache.negative_ttl = loaded->cache.negative_ttl;
  applied.log.level = loaded->log.level;
  admin.set_redacted_config(config::to_redacted_json(applied));
  // What else the file changes waits for a restart: named, not silently kept.
  // Secrets are not read again on reload: compare as if they were the same.
  for (std::size_t i = 0; i < loaded->apps.size(); ++i) {
    loaded->apps[i].resolved_app_key = running.apps[i].resolved_app_key;
    loaded->apps[i].resolved_app_secret = running.apps[i].resolved_app_secret;
  }
  std::string pending;
  for (const auto& section : config::changed_sections(applied, *loaded)) {
    pending += (pending.empty() ? "\"" : ",\"") + section + "\"";
  }
  const auto line = fmt::format(
      "\"event\":\"reloaded\",\"applied\":[\"rate_limits\",\"cache.ttl\","
      "\"cache.negative_ttl\",\"log.level\"],\"log_level\":\"{}\",\"restart_required\":[{}]",
      loaded->log.level, pending);
  // Warning level: seen even when the reload raised log.level above info.
  spdlog::warn(line);
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
    spdlog::critical(log::EventLine("config_error").str("error", secrets.error().message).text());
    return 1;
  }
  for (const auto& warning : config::config_warnings(config)) {
    spdlog::warn(log::EventLine("config_warning").str("warning", warning).text());
  }
  std::signal(SIGPIPE, SIG_IGN);

  // Every family exists (at 0) from startup, with process_* and build_info.
  metrics::yxgate_metrics();

  server::ServerState state;
  const auto threads = config.server.threads > 0
                           ? static_cast<std::size_t>(config.server.threads)
                           : std::max(1u, std::thread::hardware_concurrency());
  server::WorkerPool pool(threads);
  auto tls = upstream::make_tls_context(config.upstream.tls_verify);
  gateway::Gateway gateway(config, pool, *tls, state);
  admin::AdminHandler admin_handler(
      state, config::to_redacted_json(config),
      [&gateway](std::uint64_t id, std::size_t worker) { return gateway.purge(id, worker); });

  const auto limits = connection_limits(config, threads);
  server::ListenerOptions data_options{
      .name = "data",
      .max_body_bytes = config.server.max_body_bytes,
      .idle_timeout = config.server.idle_timeout,
      .request_timeout = config.server.request_timeout,
      .max_connections = limits.data,
      .inflight = &state.inflight,
  };
  // SPEC §11.7: a small limit and a short idle timeout of its own, so idle
  // scrapers or a flood on 0.0.0.0:9901 hold few descriptors for long.
  server::ListenerOptions admin_options{
      .name = "admin",
      .max_body_bytes = 64 * 1024,
      .idle_timeout = std::min(config.server.idle_timeout, kAdminIdleTimeout),
      .request_timeout = config.server.request_timeout,
      .max_connections = limits.admin,
      .close_idle_on_drain = false,
  };
  std::unique_ptr<server::HttpServer> data;
  std::unique_ptr<server::HttpServer> admin;
  try {
    data = std::make_unique<server::HttpServer>(pool, server::parse_endpoint(config.server.listen),
                                                gateway, data_options, state);
    admin = std::make_unique<server::HttpServer>(pool,
                                                 server::parse_endpoint(config.server.admin_listen),
                                                 admin_handler, admin_options, state);
  } catch (const std::exception& e) {
    spdlog::critical(log::EventLine("listen_failed").str("error", e.what()).text());
    return 1;
  }

  server::install_signal_handlers(
      pool, state, *data, *admin,
      server::DrainPlan{.drain_timeout = config.server.drain_timeout,
                        .on_reload = [&gateway, &config, &admin_handler, path] {
                          reload(path, config, gateway, admin_handler);
                        }});
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
  // Asked for: the usage on stdout and success, as other tools answer.
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}
