#pragma once
// Coroutine plumbing for the Redis tests: run a test body on an io_context
// on the test thread, and await events with deadlines (never sleep).
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>

#include "config/config.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "redis/redis_health.hpp"
#include "redis/redis_options.hpp"
#include "support/redis_server.hpp"

// ASSERT_* returns from the function, which a coroutine cannot do.
#define CO_ASSERT_TRUE(cond)                        \
  if (!(cond)) {                                    \
    ADD_FAILURE() << "assertion failed: " << #cond; \
    co_return;                                      \
  }

namespace yxgate::redis::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs `body()` (returning awaitable<void>) until it finishes; fails the test
// if it has not after `limit`. Background work (reconnect loops) keeps the
// io_context busy, so completion stops it explicitly.
template <class Body>
void run_test(asio::io_context& io, Body body, std::chrono::milliseconds limit = 20s) {
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(io, body(), [&](std::exception_ptr e) {
    done = true;
    error = e;
    io.stop();
  });
  io.restart();
  io.run_for(limit);
  if (error) std::rethrow_exception(error);
  ASSERT_TRUE(done) << "test coroutine did not finish within " << limit.count() << " ms";
}

// Counts notifications; a coroutine awaits a count with a deadline.
class Event {
 public:
  explicit Event(const asio::any_io_executor& executor)
      : timer_(executor, Clock::time_point::max()) {}
  void notify() {
    ++count_;
    timer_.cancel();
  }
  int count() const { return count_; }
  asio::any_io_executor executor() { return timer_.get_executor(); }
  asio::awaitable<bool> wait(int count, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (count_ < count && Clock::now() < deadline) {
      timer_.expires_at(deadline);
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return count_ >= count;
  }

 private:
  asio::steady_timer timer_;
  int count_ = 0;
};

inline RedisOptions options_for(const testing::RedisServerProcess& server,
                                std::chrono::milliseconds timeout = 1000ms) {
  config::RedisConfig config;
  config.url = server.url();
  config.timeout = timeout;
  auto options = RedisOptions::from_config(config);
  EXPECT_TRUE(options.ok());
  // One tally for every link of the test process, as RedisLinks shares one.
  static const auto health = std::make_shared<RedisHealth>(metrics::yxgate_metrics().redis_up);
  options.value().health = health;
  return options.value();
}

inline std::chrono::milliseconds elapsed_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

}  // namespace yxgate::redis::test
