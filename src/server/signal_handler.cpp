#include "server/signal_handler.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>

namespace yxgate::server {
namespace asio = boost::asio;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// How often the drain checks for finished requests: short enough that a
// drain ends promptly, long enough to cost nothing.
constexpr auto kDrainPoll = std::chrono::milliseconds(10);

asio::awaitable<void> drain(WorkerPool& pool, ServerState& state, HttpServer& data,
                            HttpServer& admin, std::chrono::milliseconds timeout) {
  state.draining = true;
  data.stop_accepting();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (data.active_requests() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(kDrainPoll);
    co_await timer.async_wait(kAwait);
  }
  const auto left = data.active_requests();
  if (left > 0) {
    spdlog::warn("\"event\":\"drain_timeout\",\"abandoned_requests\":{}", left);
  } else {
    spdlog::info("\"event\":\"drained\"");
  }
  admin.stop_accepting();
  pool.stop();
}

asio::awaitable<void> wait_signals(std::shared_ptr<asio::signal_set> signals, WorkerPool& pool,
                                   ServerState& state, HttpServer& data, HttpServer& admin,
                                   DrainPlan plan) {
  for (;;) {
    auto [ec, signo] = co_await signals->async_wait(kAwait);
    if (ec) co_return;
    if (signo == SIGHUP) {
      spdlog::info("\"event\":\"reload\",\"signal\":\"SIGHUP\"");
      if (plan.on_reload) plan.on_reload();
      continue;
    }
    spdlog::info("\"event\":\"draining\",\"signal\":\"{}\",\"drain_timeout_ms\":{}",
                 signo == SIGTERM ? "SIGTERM" : "SIGINT", plan.drain_timeout.count());
    co_await drain(pool, state, data, admin, plan.drain_timeout);
    co_return;
  }
}

}  // namespace

void install_signal_handlers(WorkerPool& pool, ServerState& state, HttpServer& data,
                             HttpServer& admin, DrainPlan plan) {
  // Registered now, not when the coroutine first runs, so a signal that
  // arrives during startup is not lost to the default action.
  auto signals = std::make_shared<asio::signal_set>(pool.context(0), SIGTERM, SIGINT, SIGHUP);
  asio::co_spawn(pool.context(0),
                 wait_signals(std::move(signals), pool, state, data, admin, std::move(plan)),
                 asio::detached);
}

}  // namespace yxgate::server
