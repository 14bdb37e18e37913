#pragma once
// A one-shot wake-up for a coroutine, fired from any thread. The waiter
// registers its Completion somewhere shared (under that structure's lock),
// releases the lock and calls wait() with no co_await in between; notify()
// posts the wake-up to the waiter's own executor, which is single-threaded
// (one io_context per worker), so it runs only once the waiter is waiting.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

namespace yxgate::coalesce {

class Completion {
 public:
  explicit Completion(boost::asio::any_io_executor executor);

  // Thread-safe; idempotent.
  void notify();
  // Returns once notify() has been called (at once if it already was), or
  // when the waiting coroutine is cancelled: check fired() after it.
  boost::asio::awaitable<void> wait();
  bool fired() const { return fired_->load(); }

 private:
  std::shared_ptr<boost::asio::steady_timer> timer_;
  std::shared_ptr<std::atomic<bool>> fired_;
};

}  // namespace yxgate::coalesce
